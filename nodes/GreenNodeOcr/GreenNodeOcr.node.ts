import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { operationProperty, operationProperties } from './actions/operations';
import { router } from './actions/router';
import { greenNodeOcrApiTest } from './helpers/credentialTest';

export class GreenNodeOcr implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'GreenNode OCR',
		name: 'greenNodeOcr',
		icon: { light: 'file:greennode.svg', dark: 'file:greennode.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ {"submit": "Submit Document", "getResult": "Get Result", "getTable": "Get Table", "getSignature": "Get Signature", "getStamp": "Get Stamp", "getFile": "Get Result Image"}[$parameter["operation"]] }}',
		description: 'Read PDFs and images with the GreenNode IDP OCR API of VNG Cloud',
		defaults: { name: 'GreenNode OCR' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'greenNodeOcrApi', required: true, testedBy: 'greenNodeOcrApiTest' }],
		properties: [operationProperty, ...operationProperties],
	};

	methods = { credentialTest: { greenNodeOcrApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
