// The pipeline's request and reply on fastify's: the headers the identify stage reads, a reply sent as JSON, a
// reply's status and code for the request scope, and a streamed reply as the pipeline's StreamSink. Every write to a
// client has a deadline (server.client_write_timeout_ms) and the client's reading a minimum pace
// (server.client_min_read_bytes_per_second): a plain answer must be taken within the deadline plus its size at that
// pace, and a stream's writes may wait for their client no longer, all together, than the deadline plus what was
// written at that pace (each at most the deadline), so that a client reading just often enough to beat the deadline
// holds the relay no longer than its bytes at the minimum pace allow. A client that misses either is cut (its socket
// destroyed).
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingRequest, Reply, StreamSink } from '../pipeline/index.ts';
import type { RequestScope } from '../observability/index.ts';

/** Which bound cut a client: one write not taken within the deadline, or reading below the minimum pace. */
export type WriteBound = 'write_timeout' | 'min_rate';

/** The write deadlines' clock and timers (tests pass a fake: no test waits for real time). */
export interface WriteClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls `fire` after `ms` unless the returned cancel is called first. */
  after(ms: number, fire: () => void): () => void;
}

const realClock: WriteClock = {
  now: () => performance.now(),
  after(ms, fire) {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};

/** How the transport writes to clients. */
export interface Writes {
  /** Aborted when the server's drain deadline passes: a write then waits for nothing. */
  shutdown?: AbortSignal | undefined;
  /** How long one write may wait for the client to take it (server.client_write_timeout_ms). */
  timeoutMs: number;
  /** The slowest reading allowed, in bytes a second (server.client_min_read_bytes_per_second): a plain answer's
   * deadline grows by its size at this pace, a stream's total wait by what it wrote. Default 4096. */
  minBytesPerSecond?: number;
  /** Counts a client cut: a stream's event or end, or a plain answer, and the bound it missed. */
  stalled?: (what: 'stream' | 'answer', bound: WriteBound) => void;
  clock?: WriteClock;
}

export const DEFAULT_MIN_READ_BYTES_PER_SECOND = 4096;

/**
 * Destroys the response's socket unless it emits `taken` (or closes) within `ms`; returns the cancel.
 * A destroyed socket closes the response: a stream's client signal aborts, and with it the upstream request.
 */
function takenWithin(
  raw: ServerResponse,
  taken: 'drain' | 'finish',
  ms: number,
  writes: Writes,
  cut: { what: 'stream' | 'answer'; bound: WriteBound },
) {
  const cancel = () => {
    stop();
    raw.off(taken, cancel);
    raw.off('close', cancel);
  };
  const stop = (writes.clock ?? realClock).after(ms, () => {
    cancel();
    writes.stalled?.(cut.what, cut.bound);
    raw.destroy();
  });
  raw.on(taken, cancel);
  raw.on('close', cancel);
  return cancel;
}

/** Milliseconds `bytes` take at the minimum pace. */
const atMinPace = (writes: Writes, bytes: number) =>
  (bytes * 1000) / (writes.minBytesPerSecond ?? DEFAULT_MIN_READ_BYTES_PER_SECOND);

/**
 * A plain (fastify-sent) answer of `bytes` bytes (UTF-8, as sent) must be taken whole, to the socket's kernel buffer,
 * within the write deadline plus its size at the minimum pace: a slow client that keeps reading finishes, a
 * stalled one is cut.
 */
export function answerWithin(raw: ServerResponse, writes: Writes, bytes: number): void {
  if (raw.writableFinished || raw.destroyed) return;
  const ms = writes.timeoutMs + atMinPace(writes, bytes);
  takenWithin(raw, 'finish', ms, writes, { what: 'answer', bound: 'write_timeout' });
}

/**
 * The response as a stream sink: headers go out on `open` (fastify steps aside: the reply is hijacked), each write
 * resolves when the socket has taken it (back-pressure reaches the relay, which stops reading the upstream), and a
 * client that goes away before the end aborts the signal, which aborts the upstream request. A write the client has
 * not taken within the write deadline, or an end it has not taken, destroys the socket: the same as a client gone. So
 * does a client behind its pace: the writes' waits together may not pass the deadline plus the bytes written
 * at the minimum pace (one that reads a little every 29 s of a 30 s deadline is cut once its reading falls below it).
 */
export function createSink(reply: FastifyReply, writes: Writes, scope: RequestScope | undefined): StreamSink {
  const raw = reply.raw;
  const { shutdown } = writes;
  const clock = writes.clock ?? realClock;
  const gone = new AbortController();
  /**
   * Bytes written (UTF-8, as sent: a CJK or emoji answer is 3-4 a character), and milliseconds writes (and the end)
   * waited for the client to take them.
   */
  let written = 0;
  let waited = 0;
  /** How long the next wait may last, and which bound cuts it: what the pace leaves, at most the deadline. */
  const allowance = (): [number, { what: 'stream'; bound: WriteBound }] => {
    const left = writes.timeoutMs + atMinPace(writes, written) - waited;
    return left < writes.timeoutMs
      ? [Math.max(0, left), { what: 'stream', bound: 'min_rate' }]
      : [writes.timeoutMs, { what: 'stream', bound: 'write_timeout' }];
  };
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
      written += Buffer.byteLength(text);
      // Past the drain deadline nothing waits for a client that does not read (its socket is closed after the grace).
      if (raw.write(text) || shutdown?.aborted) return Promise.resolve();
      // A client that stops reading holds the relay here until it drains, goes away, the write deadline or its pace
      // destroys its socket (the stream then ends as ERR_CLIENT_DISCONNECTED) or the drain deadline passes.
      return new Promise<void>((resolve) => {
        const start = clock.now();
        const [ms, cut] = allowance();
        const stop = takenWithin(raw, 'drain', ms, writes, cut);
        const done = () => {
          waited += clock.now() - start;
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
      if (!raw.writableFinished) {
        const [ms, cut] = allowance();
        takenWithin(raw, 'finish', ms, writes, cut);
      }
    },
    signal: gone.signal,
    ...(shutdown ? { shutdown } : {}),
  };
}

/** A reply's status and, for an error, its code: error.code in both LLM API shapes; an MCP (JSON-RPC) error's is its
 * error.data.code, in a 200 too (a call a stage refused). A stream's own end is in its outcome. */
export function replyStatus(result: Reply): { status: number; code: string | null } {
  if (result.streamed) return { status: result.status, code: null };
  const body =
    typeof result.body === 'object' && result.body !== null
      ? (result.body as { jsonrpc?: unknown; error?: { code?: unknown; data?: { code?: unknown } | null } })
      : undefined;
  const code = body?.jsonrpc === '2.0' ? body.error?.data?.code : result.status < 400 ? null : body?.error?.code;
  return { status: result.status, code: typeof code === 'string' ? code : null };
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
