import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { AnswerError, applyAnswer, unanswered } from '../helpers/review';
import { decodeState, REVIEW_FIELD, reviewSigningKey } from '../helpers/reviewForm';
import { asObject } from '../helpers/values';
import { resolveCredentials } from '../transport/credentials';
import { eachItem } from './runner';

/**
 * Apply Review: the answer of a document's review form (`review_form`) back into the document item,
 * for the same sheet as the documents no one had to look at. No request to GreenNode is made.
 */

const operations = ['applyReview'];

export const description: INodeProperties[] = [
	{
		displayName:
			'Put this after the node that waits for a document\'s review form: Send and Wait for Response (Send Email, Gmail, Slack, Telegram…) with Response Type "Custom Form" and Define Form "Using JSON" set to <code>{{ $json.review_form }}</code>, or an n8n Form page. Use the same GreenNode OCR credential as the node that made the form.',
		name: 'applyReviewNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: operations } },
	},
	{
		displayName: 'Form Answer',
		name: 'answer',
		type: 'json',
		default: '={{ $json }}',
		required: true,
		displayOptions: { show: { operation: operations } },
		description:
			'The answer of the review form, as the waiting node gives it (its "data", or the item itself). It carries the document in its hidden field "greennode_review", so nothing else is needed.',
	},
];

/** The form's answer, or (`unanswered`) the document itself, when its form came back unanswered. */
function answerOf(this: IExecuteFunctions, itemIndex: number): { answer: IDataObject; unanswered: boolean } {
	let value = this.getNodeParameter('answer', itemIndex, {}) as unknown;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value) as unknown;
		} catch {
			throw new NodeOperationError(this.getNode(), 'Form Answer is not JSON', {
				itemIndex,
				description: 'Set Form Answer to the answer of the review form, for example {{ $json }} after the node that waited for it.',
			});
		}
	}
	const answer = asObject(value);
	if (!answer) {
		throw new NodeOperationError(this.getNode(), `Form Answer is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}, not the answer of a form`, {
			itemIndex,
			description: 'Set Form Answer to the answer of the review form, for example {{ $json }} after the node that waited for it.',
		});
	}
	if (typeof answer[REVIEW_FIELD] === 'string') return { answer, unanswered: false };
	const data = asObject(answer.data);
	if (data && typeof data[REVIEW_FIELD] === 'string') return { answer: data, unanswered: false };
	// the document itself: its form was not answered before the waiting node's Limit Wait Time ran out
	const hidden = Array.isArray(answer.review_form) ? (answer.review_form as IDataObject[]).find((field) => field?.fieldName === REVIEW_FIELD) : undefined;
	if (typeof hidden?.fieldValue === 'string') return { answer: { [REVIEW_FIELD]: hidden.fieldValue }, unanswered: true };
	throw new NodeOperationError(this.getNode(), 'This item is not the answer of a GreenNode OCR review form', {
		itemIndex,
		description: `The answer has no hidden field "${REVIEW_FIELD}" (${answer[REVIEW_FIELD] === undefined ? 'it is missing' : 'it is not text'}). Apply Review reads the answer of the form in a document's review_form: connect it after the node that waits for that form, and keep the answer as that node gives it.`,
	});
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await eachItem.call(this, items, async (itemIndex) => {
		const { answer, unanswered: noAnswer } = answerOf.call(this, itemIndex);
		const key = reviewSigningKey((await resolveCredentials.call(this, itemIndex)).apiKey);
		const decoded = decodeState(answer[REVIEW_FIELD] as string, key);
		if (!decoded.ok) {
			throw decoded.problem === 'signature'
				? new NodeOperationError(this.getNode(), 'This review answer was not made by a form of this credential, or it was changed: its signature does not match', {
						itemIndex,
						description:
							`Apply Review accepts only forms made by a GreenNode OCR node with the same credential, unchanged. Use the credential of the node that made the form. If that credential's API key was changed since the form was sent, fetch the document again (Get Result with its request_id) for a new form.`,
					})
				: new NodeOperationError(this.getNode(), `The hidden field "${REVIEW_FIELD}" of this review answer is damaged: ${decoded.detail}`, {
						itemIndex,
						description: 'Keep the answer of the review form as the waiting node gives it; the hidden field must not be changed.',
					});
		}
		try {
			const now = new Date();
			if (noAnswer) return [{ json: unanswered(decoded.state, key, now) as unknown as IDataObject }];
			return [{ json: applyAnswer(decoded.state, answer, key, now) as unknown as IDataObject }];
		} catch (error) {
			throw new NodeOperationError(this.getNode(), error as Error, {
				itemIndex,
				description:
					error instanceof AnswerError
						? 'Each field of the review form answers with one text value. Keep the answer of the review form as the waiting node gives it.'
						: undefined,
			});
		}
	});
}
