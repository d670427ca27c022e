// The pipeline's request and reply on fastify's: the headers the identify stage reads, a reply sent as JSON, a
// reply's status and code for the request scope, and a streamed reply as the pipeline's StreamSink. Every write to a
// client has a deadline (server.client_write_timeout_ms): a client that has not taken it by then is cut (its socket
// destroyed), so a client that stops reading holds no relay, upstream request or answer for longer than that.
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingRequest, Reply, StreamSink } from '../pipeline/index.ts';
import type { RequestScope } from '../observability/index.ts';

/** How the transport writes to clients. */
export interface Writes {
  /** Aborted when the server's drain deadline passes: a write then waits for nothing. */
  shutdown?: AbortSignal | undefined;
  /** How long a write may wait for the client to take it (server.client_write_timeout_ms). */
  timeoutMs: number;
  /** Counts a client cut for not taking a write in time: a stream's event or end, or a plain answer. */
  stalled?: (what: 'stream' | 'answer') => void;
}

/**
 * Destroys the response's socket unless it emits `taken` (or closes) within the write deadline; returns the cancel.
 * A destroyed socket closes the response: a stream's client signal aborts, and with it the upstream request.
 */
function takenWithin(raw: ServerResponse, taken: 'drain' | 'finish', writes: Writes, what: 'stream' | 'answer') {
  const cancel = () => {
    clearTimeout(timer);
    raw.off(taken, cancel);
    raw.off('close', cancel);
  };
  const timer = setTimeout(() => {
    cancel();
    writes.stalled?.(what);
    raw.destroy();
  }, writes.timeoutMs);
  raw.on(taken, cancel);
  raw.on('close', cancel);
  return cancel;
}

/** A plain (fastify-sent) answer must be taken whole, to the socket's kernel buffer, within the write deadline. */
export function answerWithin(raw: ServerResponse, writes: Writes): void {
  if (!raw.writableFinished && !raw.destroyed) takenWithin(raw, 'finish', writes, 'answer');
}

/**
 * The response as a stream sink: headers go out on `open` (fastify steps aside: the reply is hijacked), each write
 * resolves when the socket has taken it (back-pressure reaches the relay, which stops reading the upstream), and a
 * client that goes away before the end aborts the signal, which aborts the upstream request. A write the client has
 * not taken within the write deadline, or an end it has not taken, destroys the socket: the same as a client gone.
 */
export function createSink(reply: FastifyReply, writes: Writes, scope: RequestScope | undefined): StreamSink {
  const raw = reply.raw;
  const { shutdown } = writes;
  const gone = new AbortController();
  raw.on('close', () => {
    if (!raw.writableFinished) gone.abort();
  });
  return {
    open(status, headers) {
      reply.hijack();
      raw.writeHead(status, headers);
      raw.flushHeaders();
    },
    write(text) {
      if (gone.signal.aborted || raw.destroyed) return Promise.resolve();
      scope?.firstByte();
      // Past the drain deadline nothing waits for a client that does not read (its socket is closed after the grace).
      if (raw.write(text) || shutdown?.aborted) return Promise.resolve();
      // A client that stops reading holds the relay here until it drains, goes away, the write deadline destroys its
      // socket (the stream then ends as ERR_CLIENT_DISCONNECTED) or the drain deadline passes.
      return new Promise<void>((resolve) => {
        const stop = takenWithin(raw, 'drain', writes, 'stream');
        const done = () => {
          stop();
          raw.off('drain', done);
          raw.off('close', done);
          shutdown?.removeEventListener('abort', done);
          resolve();
        };
        raw.on('drain', done);
        raw.on('close', done);
        shutdown?.addEventListener('abort', done);
      });
    },
    end() {
      if (raw.destroyed) return;
      raw.end();
      // The last bytes too: a client that never takes them would hold the socket (kept-alive idling starts after).
      if (!raw.writableFinished) takenWithin(raw, 'finish', writes, 'stream');
    },
    signal: gone.signal,
    ...(shutdown ? { shutdown } : {}),
  };
}

/** A reply's status and, for an error, its code (both API shapes carry error.code); a stream's own end is in its
 * outcome. */
export function replyStatus(result: Reply): { status: number; code: string | null } {
  if (result.streamed || result.status < 400) return { status: result.status, code: null };
  const error =
    typeof result.body === 'object' && result.body !== null
      ? (result.body as { error?: { code?: unknown } }).error
      : undefined;
  return { status: result.status, code: typeof error?.code === 'string' ? error.code : null };
}

export function send(reply: FastifyReply, result: Reply): FastifyReply {
  return reply.code(result.status).headers(result.headers).type('application/json').send(JSON.stringify(result.body));
}

/**
 * Headers as the identify stage needs them: every line of each header as received (Node's `headers` keeps only the
 * first Authorization and joins repeated x-api-key lines, hiding a second credential) and the request line as the
 * HTTP/2 pseudo-headers `:method` and `:path`, which DPoP proofs are bound to (src/identity/token-carrier.ts).
 */
export function identityHeaders(request: FastifyRequest): IncomingRequest['headers'] {
  return { ...request.raw.headersDistinct, ':method': request.raw.method, ':path': request.raw.url };
}
