/** What n8n hands every execution besides the workflow: credentials, hooks, URLs. */
import { ExternalSecretsProxy, type ExecutionLifecycleHooks } from 'n8n-core';
import type { ICredentialsHelper, INodeParameters, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { UnexpectedError } from 'n8n-workflow';

export const WORKFLOW_ID = 'runner-workflow';
const BASE_URL = 'http://localhost:5678/';
const externalSecretsProxy = new ExternalSecretsProxy();

export function notAvailable(feature: string): () => never {
	return () => {
		throw new UnexpectedError(`${feature} is not available in the in-process runner`);
	};
}

export function createAdditionalData(
	executionId: string,
	credentialsHelper: ICredentialsHelper,
	extra: { hooks?: ExecutionLifecycleHooks; currentNodeParameters?: INodeParameters } = {},
): IWorkflowExecuteAdditionalData {
	return {
		...extra,
		credentialsHelper,
		executionId,
		workflowId: WORKFLOW_ID,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${BASE_URL}rest`,
		instanceBaseUrl: BASE_URL,
		formBaseUrl: `${BASE_URL}form`,
		formWaitingBaseUrl: `${BASE_URL}form-waiting`,
		formTestBaseUrl: `${BASE_URL}form-test`,
		webhookBaseUrl: `${BASE_URL}webhook`,
		webhookWaitingBaseUrl: `${BASE_URL}webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}webhook-test`,
		mcpBaseUrl: `${BASE_URL}mcp`,
		mcpTestBaseUrl: `${BASE_URL}mcp-test`,
		variables: {},
		externalSecretsProxy,
		executeWorkflow: notAvailable('Executing sub-workflows'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: notAvailable('Running code in task runners'),
	};
}
