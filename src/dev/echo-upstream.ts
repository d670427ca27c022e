// A local upstream that speaks the OpenAI chat completions API and echoes the last user message back. It serves the
// development stack (`proctor dev`) and the tests, which read `received` to prove what did, or did not, reach it.
// Loopback only. It is not a model: its token counts are a rough character estimate, marked as such in its answer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  at: number;
}

export interface EchoUpstream {
  /** Base URL including /v1, as configured for an upstream. */
  url: string;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

export interface EchoOptions {
  port?: number;
  /** Override the answer (tests use it to simulate upstream errors). */
  respond?: (request: ReceivedRequest) => { status: number; body: unknown } | undefined;
}

export async function startEchoUpstream(options: EchoOptions = {}): Promise<EchoUpstream> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = { unparsable: true };
      }
      const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() };
      received.push(request);
      const answer = options.respond?.(request) ?? defaultAnswer(request);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function defaultAnswer(request: ReceivedRequest): { status: number; body: unknown } {
  if (request.method === 'GET' && request.path === '/v1/models') {
    return { status: 200, body: { object: 'list', data: [{ id: 'echo-1', object: 'model', created: 0, owned_by: 'proctor-dev' }] } };
  }
  if (request.method !== 'POST' || request.path !== '/v1/chat/completions') {
    return { status: 404, body: { error: { message: `echo upstream has no route ${request.method} ${request.path}`, type: 'invalid_request_error', code: 'not_found', param: null } } };
  }
  const body = (request.body ?? {}) as { model?: unknown; messages?: { role?: unknown; content?: unknown }[] };
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const prompt = messages.map((m) => contentText(m.content)).join('\n');
  const reply = `echo: ${contentText(lastUser?.content)}`;
  const promptTokens = estimateTokens(prompt);
  const completionTokens = estimateTokens(reply);
  return {
    status: 200,
    body: {
      id: `chatcmpl-echo-${request.at.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      object: 'chat.completion',
      created: Math.floor(request.at / 1000),
      model: typeof body.model === 'string' ? body.model : 'echo-1',
      system_fingerprint: 'proctor-echo',
      choices: [{ index: 0, message: { role: 'assistant', content: reply, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    },
  };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
