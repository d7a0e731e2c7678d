import { NodeHelpers } from 'n8n-workflow';
import type { INodeProperties } from 'n8n-workflow';

import codex from '../nodes/GreenNodeOcr/GreenNodeOcr.node.json';
import { GreenNodeOcr } from '../nodes/GreenNodeOcr/GreenNodeOcr.node';

const description = new GreenNodeOcr().description;
const operations = (description.properties[0].options as Array<{ value: string }>).map((option) => option.value);

/** The parameters the editor shows for `operation`, decided by n8n-workflow as the editor does. */
function visibleFor(operation: string): INodeProperties[] {
	const node = { typeVersion: Math.max(...[description.version].flat()) };
	const parameters = NodeHelpers.getNodeParameters(description.properties, { operation }, true, false, node, description) ?? {};
	return description.properties.filter(
		(property) => property.type !== 'hidden' && NodeHelpers.displayParameterPath({ parameters }, property, 'parameters', node, description),
	);
}

describe('node description', () => {
	it('has the seven operations of the public interface', () => {
		expect(operations.sort()).toEqual(['applyReview', 'getFile', 'getResult', 'getSignature', 'getStamp', 'getTable', 'submit']);
		expect(description.name).toBe('greenNodeOcr');
		expect(description.usableAsTool).toBe(true);
		expect(description.credentials).toEqual([
			{ name: 'greenNodeOcrApi', required: true },
			{ name: 'greenNodeOcrN8nApi', required: false, displayOptions: { show: { operation: ['submit'] } } },
		]);
	});

	it.each([
		['submit', ['source', 'binaryPropertyName', 'flow', 'docType', 'fileType', 'waitForResult', 'output', 'options']],
		['applyReview', ['applyReviewNotice', 'answer']],
		['getResult', ['requestId', 'waitForResult', 'output', 'options']],
		['getTable', ['requestId', 'documentId', 'options']],
		['getSignature', ['requestId', 'documentId', 'options']],
		['getStamp', ['requestId', 'documentId', 'options']],
		['getFile', ['requestId', 'fileId', 'binaryPropertyName', 'options']],
	])('%s shows exactly its parameters, each once', (operation, names) => {
		const visible = visibleFor(operation).map((property) => property.name);
		expect(visible).toEqual(['operation', ...names]);
	});

	it('no options collection lists an option twice', () => {
		for (const property of description.properties.filter((candidate) => candidate.type === 'collection')) {
			const names = (property.options as INodeProperties[]).map((option) => option.name);
			expect(new Set(names).size).toBe(names.length);
			const labels = (property.options as INodeProperties[]).map((option) => option.displayName);
			expect([...labels].sort((a, b) => a.localeCompare(b))).toEqual(labels);
		}
	});

	it('is found by the editor search: no AI category (n8n hides those outside the AI panel)', () => {
		expect(codex.node).toBe('n8n-nodes-greennode-ocr.greenNodeOcr');
		expect(codex.categories).not.toContain('AI');
	});
});
