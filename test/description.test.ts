import type { INodeProperties } from 'n8n-workflow';

import codex from '../nodes/GreenNodeOcr/GreenNodeOcr.node.json';
import { GreenNodeOcr } from '../nodes/GreenNodeOcr/GreenNodeOcr.node';

const description = new GreenNodeOcr().description;
const operations = (description.properties[0].options as Array<{ value: string }>).map((option) => option.value);

function visibleFor(operation: string): INodeProperties[] {
	return description.properties.filter((property) => {
		const shown = property.displayOptions?.show?.operation as string[] | undefined;
		return property.name === 'operation' || (shown?.includes(operation) ?? true);
	});
}

describe('node description', () => {
	it('has the six operations of the public interface', () => {
		expect(operations.sort()).toEqual(['getFile', 'getResult', 'getSignature', 'getStamp', 'getTable', 'submit']);
		expect(description.name).toBe('greenNodeOcr');
		expect(description.usableAsTool).toBe(true);
		expect(description.credentials).toEqual([{ name: 'greenNodeOcrApi', required: true, testedBy: 'greenNodeOcrApiTest' }]);
	});

	it.each([
		['submit', ['binaryPropertyName', 'flow', 'docType', 'fileType', 'waitForResult', 'options']],
		['getResult', ['requestId', 'waitForResult', 'options']],
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
