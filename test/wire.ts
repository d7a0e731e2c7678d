/** GreenNode's JSON answers, typed as far as the tests read them. */
import type { OcrField, Table } from '../dev/emulator/content';

export type { OcrField, Table, TableCell } from '../dev/emulator/content';

/** Every successful answer wraps its content in `data`. */
export interface Body<T> {
	data: T;
}

export interface Progress {
	total_doc: number;
	ignored: number;
	finished: number;
}

export interface ResultDocument {
	document_id: string;
	document_type?: string;
	page?: number;
	file_id?: string;
	extra_field?: unknown;
	ocr_data: Array<{ name: string; value: OcrField[] }>;
}

/** The `data` of a result poll. */
export interface ResultData {
	request_id: string;
	status: string;
	message?: string;
	progress: Progress;
	documents: ResultDocument[];
	extra_field?: unknown;
}

/** The `data` of an accepted upload. */
export interface SubmitData {
	request_id: string;
	file_ids: string[];
}

/** The `data` of the table, signature and stamp routes of one document. */
export interface PartData {
	request_id: string;
	document_id: string;
	tables: Table[];
	signatures: Array<Record<string, unknown>>;
	stamps: Array<Record<string, unknown>>;
}
