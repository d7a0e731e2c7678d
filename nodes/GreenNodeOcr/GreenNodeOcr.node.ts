import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { operationProperties, operationProperty, subtitle } from './actions/operations';
import { outputsExpression } from './actions/outputs';
import { router } from './actions/router';
import { toolProperties } from './actions/tool';

export class GreenNodeOcr implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'GreenNode OCR',
		name: 'greenNodeOcr',
		icon: { light: 'file:greennode.svg', dark: 'file:greennode.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle,
		description: 'Read PDFs and images with the GreenNode IDP OCR API of VNG Cloud',
		defaults: { name: 'GreenNode OCR' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: outputsExpression,
		credentials: [
			{ name: 'greenNodeOcrApi', required: true },
			// Optional: where Submit keeps its ledger of paid submissions (a Data Table, through n8n's API).
			{ name: 'greenNodeOcrN8nApi', required: false, displayOptions: { show: { operation: ['submit'] } } },
		],
		properties: [operationProperty, ...operationProperties, ...toolProperties],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
