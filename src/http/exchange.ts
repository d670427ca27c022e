// The pipeline's request and reply on fastify's: the headers the identify stage reads, a reply sent as JSON, a
// reply's status and code for the request scope, and a streamed reply as the pipeline's StreamSink.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingRequest, Reply, StreamSink } from '../pipeline/index.ts';
import type { RequestScope } from '../observability/index.ts';

/**
 * The response as a stream sink: headers go out on `open` (fastify steps aside: the reply is hijacked), each write
 * resolves when the socket has taken it (back-pressure reaches the relay, which stops reading the upstream), and a
 * client that goes away before the end aborts the signal, which aborts the upstream request.
 */
export function createSink(
  reply: FastifyReply,
  shutdown: AbortSignal | undefined,
  scope: RequestScope | undefined,
): StreamSink {
  const raw = reply.raw;
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
      // A client that stops reading holds the relay here; the drain deadline releases it (the stream then ends).
      return new Promise<void>((resolve) => {
        const done = () => {
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
      if (!raw.destroyed) raw.end();
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
