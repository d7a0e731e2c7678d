/**
 * A mail server that delivers nothing: it accepts every message over SMTP (no TLS, no password) and
 * writes it to a folder, one .eml file each, printing its subject and links. For trying the review
 * example (n8n's Send Email with "Send and Wait for Response") where no mail server exists:
 *
 *   npm run mail-sink                      # port 2525, files in .output/mail/
 *   npm run mail-sink -- --port 2526 --dir /tmp/mail
 *
 * In n8n, an SMTP credential with host 127.0.0.1 (or the machine running this), port 2525, no user,
 * SSL/TLS off and "Disable STARTTLS" on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';

export interface Mail {
	from: string;
	to: string[];
	subject: string;
	/** The HTML part (or the text), decoded. */
	body: string;
	/** The links of the body, in order (`href` values, HTML entities decoded). */
	links: string[];
	raw: string;
	file?: string;
}

export interface MailSink {
	port: number;
	mails: Mail[];
	/** The first mail (from now on, or already received when `seen` is given as 0) that `match` accepts. */
	waitForMail: (match: (mail: Mail) => boolean, timeoutMs?: number) => Promise<Mail>;
	close: () => Promise<void>;
}

function decodeQuotedPrintable(text: string): string {
	const bytes: number[] = [];
	const soft = text.replace(/=\r?\n/g, '');
	for (let i = 0; i < soft.length; i++) {
		if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
			bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
			i += 2;
		} else bytes.push(...Buffer.from(soft[i], 'utf8'));
	}
	return Buffer.from(bytes).toString('utf8');
}

/** "=?UTF-8?Q?...?=" and "=?UTF-8?B?...?=" words of a header. */
function decodeHeader(value: string): string {
	return value
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, kind: string, data: string) =>
			kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
		);
}

function headersOf(block: string): Map<string, string> {
	const headers = new Map<string, string>();
	for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
		const colon = line.indexOf(':');
		if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
	}
	return headers;
}

function decodeBody(headers: Map<string, string>, body: string): string {
	const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
	if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
	if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
	return body;
}

/** The readable body of a message: its HTML part, else its first text part. */
function bodyOf(headers: Map<string, string>, body: string): string {
	const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
	if (!boundary) return decodeBody(headers, body);
	const parts = body.split(`--${boundary}`).slice(1, -1).map((part) => {
		const split = part.replace(/^\r?\n/, '').search(/\r?\n\r?\n/);
		const trimmed = part.replace(/^\r?\n/, '');
		return { headers: headersOf(trimmed.slice(0, split)), body: trimmed.slice(split).replace(/^\r?\n\r?\n/, '') };
	});
	const html = parts.find((part) => /text\/html/i.test(part.headers.get('content-type') ?? ''));
	const chosen = html ?? parts[0];
	return chosen ? bodyOf(chosen.headers, chosen.body) : '';
}

export function parseMail(raw: string, envelope: { from: string; to: string[] }): Mail {
	const split = raw.search(/\r?\n\r?\n/);
	const headers = headersOf(split < 0 ? raw : raw.slice(0, split));
	const body = bodyOf(headers, split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, ''));
	const links = [...body.matchAll(/href="([^"]+)"/g)].map((match) => match[1].replace(/&amp;/g, '&'));
	return { ...envelope, subject: decodeHeader(headers.get('subject') ?? ''), body, links, raw };
}

export async function startMailSink({ port = 2525, host = '127.0.0.1', dir, quiet = false }: { port?: number; host?: string; dir?: string; quiet?: boolean } = {}): Promise<MailSink> {
	const mails: Mail[] = [];
	const waiters: Array<{ match: (mail: Mail) => boolean; resolve: (mail: Mail) => void }> = [];
	if (dir) mkdirSync(dir, { recursive: true });
	const deliver = (mail: Mail) => {
		if (dir) {
			mail.file = join(dir, `${String(mails.length + 1).padStart(4, '0')}.eml`);
			writeFileSync(mail.file, mail.raw);
		}
		mails.push(mail);
		if (!quiet) console.log(`mail to ${mail.to.join(', ')}: ${mail.subject}${mail.links.length ? `\n  ${mail.links.join('\n  ')}` : ''}`);
		for (const waiter of [...waiters]) {
			if (waiter.match(mail)) {
				waiters.splice(waiters.indexOf(waiter), 1);
				waiter.resolve(mail);
			}
		}
	};
	const sockets = new Set<Socket>();
	const server = createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => socket.destroy());
		let buffer = '';
		let data: string[] | undefined;
		let envelope = { from: '', to: [] as string[] };
		const reply = (line: string) => socket.write(`${line}\r\n`);
		reply('220 mail-sink ESMTP');
		socket.on('data', (chunk) => {
			buffer += chunk.toString('utf8');
			let end: number;
			while ((end = buffer.indexOf('\r\n')) >= 0) {
				const line = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				if (data) {
					if (line === '.') {
						deliver(parseMail(data.join('\r\n'), envelope));
						data = undefined;
						envelope = { from: '', to: [] };
						reply('250 OK: delivered to a file');
					} else data.push(line.startsWith('..') ? line.slice(1) : line);
					continue;
				}
				const verb = line.slice(0, 4).toUpperCase();
				if (verb === 'EHLO') socket.write('250-mail-sink\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n');
				else if (verb === 'HELO') reply('250 mail-sink');
				else if (verb === 'MAIL') {
					envelope.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
					reply('250 OK');
				} else if (verb === 'RCPT') {
					envelope.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
					reply('250 OK');
				} else if (verb === 'DATA') {
					data = [];
					reply('354 End data with <CR><LF>.<CR><LF>');
				} else if (verb === 'AUTH') reply('235 Authentication successful');
				else if (verb === 'RSET') {
					envelope = { from: '', to: [] };
					reply('250 OK');
				} else if (verb === 'NOOP') reply('250 OK');
				else if (verb === 'QUIT') {
					reply('221 Bye');
					socket.end();
				} else reply('502 Command not implemented');
			}
		});
	});
	await new Promise<void>((done, fail) => {
		server.once('error', fail);
		server.listen(port, host, () => done());
	});
	const address = server.address();
	return {
		port: typeof address === 'object' && address ? address.port : port,
		mails,
		waitForMail: async (match, timeoutMs = 60000) =>
			await new Promise<Mail>((done, fail) => {
				const waiter = { match, resolve: (mail: Mail) => (clearTimeout(timer), done(mail)) };
				const timer = setTimeout(() => {
					waiters.splice(waiters.indexOf(waiter), 1);
					fail(new Error(`no mail came in ${timeoutMs / 1000} s (${mails.length} received: ${mails.map((mail) => mail.subject).join(' | ')})`));
				}, timeoutMs);
				waiters.push(waiter);
			}),
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((done) => server.close(() => done()));
		},
	};
}

if (require.main === module) {
	const args = process.argv.slice(2);
	const option = (name: string) => {
		const at = args.indexOf(`--${name}`);
		return at >= 0 ? args[at + 1] : undefined;
	};
	const dir = resolve(option('dir') ?? join('.output', 'mail'));
	void startMailSink({ port: Number(option('port') ?? 2525), host: option('host') ?? '127.0.0.1', dir }).then((sink) => {
		console.log(`mail sink on smtp://127.0.0.1:${sink.port}, writing each message to ${dir}/ (Ctrl+C to stop)`);
	});
}
