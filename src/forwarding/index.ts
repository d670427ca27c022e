// Forwarding: sends an approved, re-serialised body to one upstream over undici and reads its answer.
// Invariants: headers are built from scratch (the client's token and hop-by-hop headers can never leak through);
// the upstream credential is injected here and nowhere else; every failure is a ForwardError with a stable code.
import { Agent, request, type Dispatcher } from 'undici';

export interface UpstreamTarget {
  name: string;
  baseUrl: string;
  credential: string | null;
  timeoutMs: number;
}

export interface UpstreamResponse {
  status: number;
  contentType: string | null;
  /** The parsed JSON answer (an upstream error body too); raw text is never handed on. */
  body: unknown;
}

export type ForwardErrorCode = 'ERR_UPSTREAM_UNREACHABLE' | 'ERR_UPSTREAM_TIMEOUT' | 'ERR_UPSTREAM_BAD_RESPONSE';

export class ForwardError extends Error {
  readonly code: ForwardErrorCode;
  constructor(code: ForwardErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ForwardError';
    this.code = code;
  }
}

export interface Forwarder {
  /** Posts `body` as JSON to `<baseUrl><path>`. MUST NOT send any header the caller did not name here. */
  forward(target: UpstreamTarget, path: string, body: Record<string, unknown>, meta: { requestId: string }): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

export interface ForwarderOptions {
  dispatcher?: Dispatcher;
  maxResponseBytes?: number;
}

export function createForwarder(options: ForwarderOptions = {}): Forwarder {
  const ownDispatcher = options.dispatcher ? null : new Agent({ keepAliveTimeout: 10_000, connections: 128 });
  const dispatcher = options.dispatcher ?? (ownDispatcher as Dispatcher);
  const maxResponseBytes = options.maxResponseBytes ?? 32 * 1024 * 1024;

  return {
    async forward(target, path, body, meta) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-proctor-request-id': meta.requestId,
      };
      if (target.credential !== null) headers.authorization = `Bearer ${target.credential}`;
      let response: Dispatcher.ResponseData;
      try {
        response = await request(`${target.baseUrl}${path}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          dispatcher,
          headersTimeout: target.timeoutMs,
          bodyTimeout: target.timeoutMs,
        });
      } catch (error) {
        const code = isTimeout(error) ? 'ERR_UPSTREAM_TIMEOUT' : 'ERR_UPSTREAM_UNREACHABLE';
        throw new ForwardError(code, `upstream '${target.name}' ${code === 'ERR_UPSTREAM_TIMEOUT' ? 'timed out' : 'is unreachable'}`, { cause: error });
      }
      const text = await readLimited(response.body, maxResponseBytes, target.name);
      const contentType = headerValue(response.headers['content-type']);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new ForwardError('ERR_UPSTREAM_BAD_RESPONSE', `upstream '${target.name}' answered ${response.statusCode} with a body that is not JSON`, { cause: error });
      }
      return { status: response.statusCode, contentType, body: parsed };
    },
    async close() {
      await ownDispatcher?.close();
    },
  };
}

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limit) {
        body.destroy();
        throw new ForwardError('ERR_UPSTREAM_BAD_RESPONSE', `upstream '${name}' answer exceeds ${limit} bytes`);
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof ForwardError) throw error;
    const code = isTimeout(error) ? 'ERR_UPSTREAM_TIMEOUT' : 'ERR_UPSTREAM_UNREACHABLE';
    throw new ForwardError(code, `upstream '${name}' failed while sending its answer`, { cause: error });
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}
