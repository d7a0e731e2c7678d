import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { executePart, partDescription } from './documentPart';

export const description: INodeProperties[] = partDescription('getStamp');

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executePart.call(this, items, 'stamps');
}
