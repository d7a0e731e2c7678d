/** Recognises common file formats from their first bytes. */

const SIGNATURES: Array<{ mime: string; extension: string; test: (b: Buffer) => boolean }> = [
	{ mime: 'image/png', extension: 'png', test: (b) => b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a },
	{ mime: 'image/jpeg', extension: 'jpg', test: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
	{ mime: 'image/gif', extension: 'gif', test: (b) => b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a' },
	{ mime: 'image/webp', extension: 'webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
	{ mime: 'image/tiff', extension: 'tif', test: (b) => ['II*\u0000', 'MM\u0000*'].includes(b.subarray(0, 4).toString('latin1')) },
	{ mime: 'image/bmp', extension: 'bmp', test: (b) => b.subarray(0, 2).toString('latin1') === 'BM' },
	{ mime: 'application/pdf', extension: 'pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
];

export function sniffFormat(head: Buffer): { mime: string; extension: string } | undefined {
	const found = SIGNATURES.find((signature) => signature.test(head));
	return found ? { mime: found.mime, extension: found.extension } : undefined;
}

export function extensionForMime(mime: string): string | undefined {
	const base = mime.toLowerCase().split(';')[0].trim();
	const found = SIGNATURES.find((signature) => signature.mime === base);
	if (found) return found.extension;
	if (base === 'image/jpg' || base === 'image/pjpeg') return 'jpg';
	return undefined;
}
