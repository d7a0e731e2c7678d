/** Decides the `file_type` form field (`PDF` or `IMAGE`) from a binary's MIME type and file name. */

const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'tif', 'tiff', 'bmp', 'gif', 'webp', 'heic', 'heif'];

export function extensionOf(fileName: string | undefined): string {
	const match = /\.([a-z0-9]+)$/i.exec(fileName ?? '');
	return match ? match[1].toLowerCase() : '';
}

export function detectFileType(mimeType: string | undefined, fileName: string | undefined): 'PDF' | 'IMAGE' | undefined {
	const mime = (mimeType ?? '').toLowerCase().split(';')[0].trim();
	if (mime === 'application/pdf' || mime === 'application/x-pdf') return 'PDF';
	if (mime.startsWith('image/')) return 'IMAGE';
	const extension = extensionOf(fileName);
	if (extension === 'pdf') return 'PDF';
	if (IMAGE_EXTENSIONS.includes(extension)) return 'IMAGE';
	return undefined;
}

/** The MIME type to send when the binary has none that is useful. */
export function mimeTypeFor(fileType: 'PDF' | 'IMAGE', fileName: string, given: string | undefined): string {
	if (given && given !== 'application/octet-stream') return given;
	if (fileType === 'PDF') return 'application/pdf';
	const extension = extensionOf(fileName);
	if (extension === 'png') return 'image/png';
	if (extension === 'tif' || extension === 'tiff') return 'image/tiff';
	if (extension === 'webp') return 'image/webp';
	if (extension === 'gif') return 'image/gif';
	if (extension === 'bmp') return 'image/bmp';
	return 'image/jpeg';
}
