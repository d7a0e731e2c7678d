import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { operationHandlers } from './operations';
import { configuredOutputs } from './outputs';
import { isToolRun, toolOutput } from './tool';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = operationHandlers[operation];
	if (!handler) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	if (isToolRun.call(this)) {
		// One output for the model, whatever the review settings: documents that need review stay in it, flagged.
		let output: INodeExecutionData[] | Error;
		try {
			output = await handler.call(this, items);
		} catch (error) {
			output = error as Error;
		}
		return [toolOutput.call(this, output)];
	}
	const output = await handler.call(this, items);
	if (configuredOutputs(this.getNode().parameters).length === 1) return [output];
	// Needs Review: documents flagged by the review checks; everything else (errors included) stays on the first output.
	return [output.filter((item) => item.json.needs_review !== true), output.filter((item) => item.json.needs_review === true)];
}
