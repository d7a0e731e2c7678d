// The node as a tool of n8n's AI Agent and of its MCP Server Trigger, in a real n8n and offline:
// - a scripted OpenAI-compatible server (chat completions, non-streaming) plays the model: it asks
//   the GreenNode OCR tool to read a file by URL, then answers from what the tool gave it. The tool
//   node is the one of examples/chat-read-invoice-by-link.json, behind a Webhook instead of the chat;
// - examples/mcp-server.json is published and an MCP client (the official SDK, streamable HTTP)
//   lists its tools and calls them.
// A small file server of the test serves the invoice; the emulator reads it.
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect } from './checks.mjs';
import { samplePdf } from './files.mjs';
import { restClient } from './ledger-checks.mjs';
import { EXAMPLES_DIR } from './n8n.mjs';
import { waitFor } from './proc.mjs';

const OPENAI_CREDENTIAL = { name: 'OpenAI (scripted local model)' };
const MCP_EXAMPLE_ID = 'GnOcrExMcpServer01';
const AGENT_PATH = 'greennode-ocr-agent';
const FINAL_ANSWER = 'The invoice total is';

const listen = async (server) => {
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${server.address().port}`;
};

/** Serves the invoice files; records who asked with which headers. */
async function startFileServer(files) {
	const seen = [];
	const server = createServer((req, res) => {
		seen.push({ path: req.url, headers: req.headers });
		const body = files[(req.url ?? '').split('?')[0]];
		if (!body) {
			res.writeHead(404);
			return res.end();
		}
		res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(body.length) });
		res.end(body);
	});
	const base = await listen(server);
	return { base, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * The model: the first request of a conversation gets a call of the only tool with `arguments`;
 * a request that carries the tool's answer gets a final answer built from it. Every request is kept.
 */
async function startModel(toolArguments) {
	const requests = [];
	const server = createServer(async (req, res) => {
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
		requests.push({ path: req.url, headers: req.headers, body });
		const toolMessage = (body.messages ?? []).find((message) => message.role === 'tool');
		let message;
		let finish;
		if (!toolMessage) {
			const name = body.tools?.[0]?.function?.name ?? 'missing_tool';
			message = { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name, arguments: JSON.stringify(toolArguments) } }] };
			finish = 'tool_calls';
		} else {
			let total = 'unknown';
			let review = '';
			try {
				const answer = JSON.parse(toolMessage.content);
				const document = (Array.isArray(answer) ? answer : [answer])[0] ?? {};
				total = document.fields?.['invoice.total_amount'] ?? 'unknown';
				review = document.needs_review ? ` It needs review: ${document.review_reasons?.[0] ?? ''}` : '';
			} catch {
				total = 'unreadable';
			}
			message = { role: 'assistant', content: `${FINAL_ANSWER} ${total}.${review}` };
			finish = 'stop';
		}
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ id: `chatcmpl-${requests.length}`, object: 'chat.completion', created: 0, model: body.model ?? 'gpt-4o-mini', choices: [{ index: 0, finish_reason: finish, message }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
	});
	const base = await listen(server);
	return { base, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

function exampleToolNode(file, name) {
	const workflow = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8'));
	return workflow.nodes.find((node) => node.name === name);
}

function agentWorkflow(toolNode, openAi) {
	const node = (name, type, typeVersion, position, parameters, extra = {}) => ({ id: randomUUID(), name, type, typeVersion, position, parameters, ...extra });
	return {
		name: 'GreenNode OCR as an AI Agent tool',
		nodes: [
			node('Receive question', 'n8n-nodes-base.webhook', 2.1, [0, 0], { httpMethod: 'POST', path: AGENT_PATH, responseMode: 'lastNode', options: {} }, { webhookId: randomUUID() }),
			node('AI Agent', '@n8n/n8n-nodes-langchain.agent', 3.1, [240, 0], { promptType: 'define', text: '={{ $json.body.message }}', options: {} }),
			node('OpenAI Chat Model', '@n8n/n8n-nodes-langchain.lmChatOpenAi', 1.3, [180, 240], { model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' }, responsesApiEnabled: false, options: {} }, { credentials: { openAiApi: openAi } }),
			{ ...toolNode, id: randomUUID(), position: [400, 240] },
		],
		connections: {
			'Receive question': { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			[toolNode.name]: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1', saveDataErrorExecution: 'all', saveDataSuccessExecution: 'all' },
	};
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

export async function checkAgentTools(checks, { server, cookie, runtime, emulator, logs }) {
	const { api } = restClient(server, cookie, runtime);
	const invoice = samplePdf(`INVOICE BY LINK ${randomUUID()}`);
	const files = await startFileServer({ '/inbox/invoice-twopage-blurry-0301.pdf': invoice, '/inbox/invoice-twopage-0302.pdf': samplePdf('INVOICE 0302') });
	const fileUrl = `${files.base}/inbox/invoice-twopage-blurry-0301.pdf`;
	const model = await startModel({ url: fileUrl });
	const secrets = [emulator.apiKey, emulator.portalUserId];
	try {
		const ready = await checks.run('AI agent: the OpenAI credential points at a scripted model server; Webhook → AI Agent → OpenAI Chat Model + the GreenNode OCR tool of the chat example', async () => {
			const credential = await api('POST', '/credentials', { name: OPENAI_CREDENTIAL.name, type: 'openAiApi', data: { apiKey: 'sk-local-test', url: `${model.base}/v1` } });
			const tool = exampleToolNode('chat-read-invoice-by-link.json', 'Read invoice');
			const created = await api('POST', '/workflows', agentWorkflow(tool, { id: credential.id, name: credential.name }));
			await api('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
			await waitFor('the agent workflow to be published', async () => (await api('GET', `/workflows/${created.id}/publication-status`))?.status === 'published', { timeoutMs: 30000 });
			return { detail: `tool "${tool.name}": ${tool.type}, Source ${tool.parameters.source}` };
		});
		if (ready) {
			let reply;
			await checks.run('AI agent: asked to read an invoice by its link, the model calls the tool with the URL and answers from what it returned', async () => {
				const response = await fetch(`${server.base}/webhook/${AGENT_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `Read the invoice at ${fileUrl} and tell me its total.` }) });
				const text = await response.text();
				expect(response.ok, `the webhook answered ${response.status}: ${text.slice(0, 300)}`);
				reply = JSON.parse(text);
				expect(model.requests.length === 2, `the model got ${model.requests.length} requests`);
				expect(String(reply.output).startsWith(`${FINAL_ANSWER} 4610000.`), `the agent answered ${JSON.stringify(reply).slice(0, 300)}`);
				const download = files.seen.filter((entry) => entry.path.startsWith('/inbox/invoice-twopage-blurry-0301.pdf'));
				expect(download.length === 1, `the file server saw ${download.length} downloads`);
				const log = readdirSync(logs).filter((file) => file.startsWith('emulator')).map((file) => readFileSync(join(logs, file), 'utf8')).join('\n');
				expect(log.includes(`file="invoice-twopage-blurry-0301.pdf" size=${invoice.length} sha256=${sha256(invoice)}`), 'the emulator logged no upload of exactly the file');
				return { detail: `agent: "${reply.output.slice(0, 140)}…"` };
			});
			await checks.run('AI agent: the model was given the tool with its own Submit description and a "url" parameter', async () => {
				const tools = model.requests[0]?.body.tools ?? [];
				expect(tools.length === 1, `${tools.length} tools offered`);
				const fn = tools[0].function;
				expect(fn.name === 'Read_invoice', `tool name ${fn.name}`);
				expect(/^Reads a document \(PDF or image: invoice, ID card…\) with GreenNode OCR/.test(fn.description) && /Input: url/.test(fn.description), `description: ${fn.description}`);
				expect(fn.parameters?.properties?.url?.type === 'string' && (fn.parameters.required ?? []).includes('url'), `parameters: ${JSON.stringify(fn.parameters)}`);
				return { detail: `${fn.name}: "${fn.description.slice(0, 100)}…"; parameters ${Object.keys(fn.parameters.properties).join(', ')}` };
			});
			await checks.run('AI agent: the tool\'s answer as the model saw it: the document needing review visible with its reasons, compact, within the bound, no key anywhere', async () => {
				const toolMessage = model.requests[1].body.messages.find((message) => message.role === 'tool');
				const content = toolMessage?.content ?? '';
				const answer = JSON.parse(content);
				const document = answer[0];
				expect(document?.needs_review === true && document.review_reasons?.length > 0, `the model saw ${content.slice(0, 300)}`);
				expect(document.fields?.['invoice.total_amount'] === 4610000 && document.low_confidence?.['invoice.total_amount'] < 0.9, `fields or low_confidence missing: ${content.slice(0, 300)}`);
				expect(content.length <= 12000, `the answer is ${content.length} characters (bound 12000)`);
				for (const absent of ['review_form', 'bbox', '"extra"', 'coordinates']) expect(!content.includes(absent), `the answer holds ${absent}`);
				const everything = JSON.stringify(model.requests);
				for (const secret of secrets) expect(!everything.includes(secret), 'a GreenNode secret reached the model');
				const fileRequests = JSON.stringify(files.seen);
				for (const secret of secrets) expect(!fileRequests.includes(secret), 'a GreenNode secret reached the file server');
				return { detail: `${content.length} characters: ${content.slice(0, 160)}…` };
			});
		}

		const published = await checks.run('MCP: the MCP server example is published (MCP Server Trigger with Read document and Get result)', async () => {
			const workflow = await api('GET', `/workflows/${MCP_EXAMPLE_ID}`);
			await api('POST', `/workflows/${MCP_EXAMPLE_ID}/activate`, { versionId: workflow.versionId });
			await waitFor('the MCP workflow to be published', async () => (await api('GET', `/workflows/${MCP_EXAMPLE_ID}/publication-status`))?.status === 'published', { timeoutMs: 30000 });
		});
		if (published) {
			await checks.run('MCP: a client (official SDK, streamable HTTP) lists both tools with their descriptions and reads an invoice by URL', async () => {
				const sdk = createRequire(join(runtime.n8nDir, 'node_modules', 'n8n', 'package.json'));
				const { Client } = sdk('@modelcontextprotocol/sdk/client/index.js');
				const { StreamableHTTPClientTransport } = sdk('@modelcontextprotocol/sdk/client/streamableHttp.js');
				const client = new Client({ name: 'greennode-ocr-e2e', version: '1.0.0' });
				await client.connect(new StreamableHTTPClientTransport(new URL(`${server.base}/mcp/greennode-ocr-mcp`)));
				try {
					const { tools } = await client.listTools();
					const names = tools.map((tool) => tool.name).sort();
					expect(JSON.stringify(names) === JSON.stringify(['Get_result', 'Read_document']), `tools: ${names.join(', ')}`);
					const read = tools.find((tool) => tool.name === 'Read_document');
					expect(/Input: url/.test(read.description) && read.inputSchema?.properties?.url, `Read_document: ${JSON.stringify(read).slice(0, 300)}`);
					const get = tools.find((tool) => tool.name === 'Get_result');
					expect(/Input: request_id/.test(get.description) && get.inputSchema?.properties?.request_id, `Get_result: ${JSON.stringify(get).slice(0, 300)}`);
					const result = await client.callTool({ name: 'Read_document', arguments: { url: `${files.base}/inbox/invoice-twopage-0302.pdf` } }, undefined, { timeout: 120000 });
					const text = result.content?.[0]?.text ?? '';
					const answer = JSON.parse(text);
					const document = (Array.isArray(answer) ? answer : [answer])[0];
					expect(document?.document_type === 'INVOICE' && document.fields?.['invoice.total_amount'] === 4610000 && typeof document.request_id === 'string', `the tool answered ${text.slice(0, 300)}`);
					const again = await client.callTool({ name: 'Get_result', arguments: { request_id: document.request_id } }, undefined, { timeout: 120000 });
					const fetched = JSON.parse(again.content?.[0]?.text ?? '[]');
					expect((Array.isArray(fetched) ? fetched : [fetched])[0]?.request_id === document.request_id, `Get_result answered ${JSON.stringify(again).slice(0, 300)}`);
					for (const secret of secrets) expect(!text.includes(secret), 'a GreenNode secret reached the MCP client');
					return { detail: `tools ${names.join(', ')}; Read_document → ${document.request_id}, total ${document.fields['invoice.total_amount']}; Get_result the same` };
				} finally {
					await client.close().catch(() => {});
				}
			});
		}
	} finally {
		await model.close();
		await files.close();
	}
}
