import type { INodeOutputConfiguration, INodeParameters } from 'n8n-workflow';

/**
 * The node's outputs: one, or "Documents" and "Needs Review" when Submit (waiting) or Get Result
 * give documents with a Review Threshold above 0 or Field Thresholds, and always for Apply Review. The same function decides it
 * in the editor (its source is the `outputs` expression) and when the node runs, so they cannot
 * disagree. It must stay plain JavaScript without imports (and without `??`, which n8n's expression
 * parser may not know).
 */
export function configuredOutputs(parameters: INodeParameters): INodeOutputConfiguration[] {
	const operation = parameters.operation || 'submit';
	const waits = operation === 'getResult' || (operation === 'submit' && parameters.waitForResult !== false);
	const options = (parameters.options || {}) as { reviewThreshold?: unknown; fieldThresholds?: unknown };
	const threshold = options.reviewThreshold;
	const named = options.fieldThresholds;
	const entries = named && typeof named === 'object' && !Array.isArray(named) ? (named as { values?: unknown }).values : named;
	const fields = typeof entries === 'string' || (Array.isArray(entries) && entries.length > 0);
	const review = operation === 'applyReview' || (waits && parameters.output !== 'raw' && (typeof threshold === 'string' || Number(threshold) > 0 || fields));
	return review
		? [
				{ type: 'main', displayName: 'Documents' },
				{ type: 'main', displayName: 'Needs Review' },
			]
		: [{ type: 'main' }];
}

export const outputsExpression = `={{(${configuredOutputs.toString()})($parameter)}}` as `={{${string}}}`;
