import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeBody } from '../helpers/errors';
import { extensionForMime, sniffFormat } from '../helpers/sniff';
import { peekStream } from '../helpers/stream';
import { getResultImage, type RequestSettings, type StreamAnswer } from '../transport/endpoints';
import { header } from '../transport/errors';

/** A result image (a page, signature or stamp) into n8n's binary storage: Get Result Image and Include → Page Images. */

type BinaryInput = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/** "6f1c/2a9e", "page_1.jpg" → "6f1c_2a9e-page_1.png": only safe characters, the real extension. */
export function buildFileName(requestId: string, fileId: string, extension: string): string {
	const safe = (text: string) => text.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+/, '');
	const stem = fileId.trim().replace(/\.[a-z0-9]{1,5}$/i, '');
	return `${safe(requestId.trim()).slice(0, 80)}-${safe(stem).slice(0, 80) || 'file'}.${extension}`;
}

/** Downloads one result image into n8n's binary storage, checked to be an image. */
export async function storeResultImage(
	this: IExecuteFunctions,
	itemIndex: number,
	ids: { requestId: string; fileId: string },
	settings: RequestSettings,
	givenName = '',
): Promise<{ fileName: string; mimeType: string; binary: IBinaryData }> {
	const { requestId, fileId } = ids;
	const where = `file_id "${fileId.trim()}" of request_id "${requestId.trim()}"`;
	// Runs once per attempt: a download cut off mid-way is fetched again from the start.
	const store = async (answer: StreamAnswer) => {
		const { head, data } = await peekStream(answer.body, 64);
		const declared = (header(answer.headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
		const sniffed = sniffFormat(head);
		const refuse = (message: string, description: string) => {
			answer.body.destroy();
			return new NodeOperationError(this.getNode(), message, { itemIndex, description });
		};
		if (head.length === 0) {
			throw refuse(
				`GreenNode returned an empty file for ${where}`,
				'The result image is not there (yet). Check the file ID, or wait until Get Result is complete and try again.',
			);
		}
		const mimeType = sniffed?.mime.startsWith('image/') ? (declared.startsWith('image/') ? declared : sniffed.mime) : undefined;
		if (!mimeType) {
			throw refuse(
				`GreenNode did not return an image for ${where}`,
				`It returned ${declared ? `"${declared}" content` : 'content'} starting with ${describeBody(head.toString('utf8'), declared)}. Check the file ID: it comes from file_ids of Submit or a file_id in the result.`,
			);
		}
		const fileName = givenName || buildFileName(requestId, fileId, extensionForMime(mimeType) ?? sniffed?.extension ?? 'bin');
		const binary = await this.helpers.prepareBinaryData(data as BinaryInput, fileName, mimeType);
		return { fileName, mimeType, binary };
	};
	return (await getResultImage.call(this, itemIndex, ids, settings, store)) as Awaited<ReturnType<typeof store>>;
}
