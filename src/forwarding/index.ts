// Forwarding: sends an approved, re-serialised body to one upstream over undici and reads its answer.
// Invariants: headers are built from scratch (the client's token and hop-by-hop headers can never leak through):
// content negotiation and the request id here, the credential and attribution headers from the upstream registry
// (src/upstreams) in `target.headers`; every failure is a ForwardError with a stable code that says whether the
// upstream's response had started (only a failure before it did may be retried elsewhere).
import { Agent, type Dispatcher } from 'undici';
import { BodyTooLargeError } from '../outbound/index.ts';

export interface UpstreamTarget {
  name: string;
  baseUrl: string;
  /** Built by the upstream registry: credential (per kind), configured and attribution headers. */
  headers: Readonly<Record<string, string>>;
  /** connect: connection set-up; firstByte: until the response headers; total: the whole exchange. */
  timeouts: { connectMs: number; firstByteMs: number; totalMs: number };
  /** Response headers to hand back in `headers` (lower-case names); none other is read. */
  readHeaders?: readonly string[];
}

export interface UpstreamResponse {
  status: number;
  contentType: string | null;
  /** The parsed JSON answer (an upstream error body too); raw text is never handed on. */
  body: unknown;
  /** The upstream's retry-after header (429/503), for the fallback loop; null when absent. */
  retryAfter?: string | null;
  /** The response headers `target.readHeaders` named that the upstream sent (first value of each), by name. */
  headers?: Record<string, string>;
}

export type ForwardErrorCode = 'ERR_UPSTREAM_UNREACHABLE' | 'ERR_UPSTREAM_TIMEOUT' | 'ERR_UPSTREAM_BAD_RESPONSE';

export class ForwardError extends Error {
  readonly code: ForwardErrorCode;
  /** True once the upstream's response headers arrived: the upstream has answered, so no other may be tried blindly. */
  readonly responseStarted: boolean;
  /** The upstream's HTTP status when one arrived. */
  readonly upstreamStatus: number | null;
  constructor(
    code: ForwardErrorCode,
    message: string,
    options?: { cause?: unknown; responseStarted?: boolean; upstreamStatus?: number | null },
  ) {
    super(message, options);
    this.name = 'ForwardError';
    this.code = code;
    this.responseStarted = options?.responseStarted ?? false;
    this.upstreamStatus = options?.upstreamStatus ?? null;
  }
}

export interface Forwarder {
  /** Posts `body` as JSON to `<baseUrl><path>`. MUST NOT send any header the caller did not name here. */
  forward(
    target: UpstreamTarget,
    path: string,
    body: Record<string, unknown>,
    meta: { requestId: string; signal?: AbortSignal },
  ): Promise<UpstreamResponse>;
  /**
   * Posts `body` and resolves when the response headers arrive. A 2xx `text/event-stream` answer comes back with
   * `events` (the body, unread, as it arrives); any other answer is read and parsed like `forward`'s (`events` null).
   * Nothing has reached the client when this resolves, so a caller may still fall back to another upstream. Aborting
   * `meta.signal` (the client went away) aborts the upstream request at any point.
   */
  openStream(
    target: UpstreamTarget,
    path: string,
    body: Record<string, unknown>,
    meta: { requestId: string; signal: AbortSignal },
  ): Promise<UpstreamStream>;
  close(): Promise<void>;
}

export interface UpstreamStream extends UpstreamResponse {
  /** The event stream's bytes; iterate once. Stalls longer than the first-byte timeout throw a timeout error. */
  events: AsyncIterable<Uint8Array> | null;
  /** Aborts the upstream request (idempotent). */
  abort(): void;
}

export interface ForwarderOptions {
  dispatcher?: Dispatcher;
  maxResponseBytes?: number;
}

export function createForwarder(options: ForwarderOptions = {}): Forwarder {
  // One pool per connect timeout (undici sets it per agent, not per request); a given dispatcher serves every upstream.
  const agents = new Map<number, Agent>();
  const dispatcherFor = (connectMs: number): Dispatcher => {
    if (options.dispatcher) return options.dispatcher;
    let agent = agents.get(connectMs);
    if (!agent) {
      agent = new Agent({ keepAliveTimeout: 10_000, connections: 128, connect: { timeout: connectMs } });
      agents.set(connectMs, agent);
    }
    return agent;
  };
  const maxResponseBytes = options.maxResponseBytes ?? 32 * 1024 * 1024;
  // Origin and path of each upstream URL, as undici's request(url) splits it, parsed once: the URLs are configured base
  // URLs joined with the adapters' fixed paths (a few); the cap only bounds a caller that passes others.
  const parsedUrls = new Map<string, { origin: string; path: string }>();
  const urlParts = (url: string): { origin: string; path: string } => {
    let parts = parsedUrls.get(url);
    if (parts === undefined) {
      const parsed = new URL(url);
      parts = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (parsedUrls.size >= 256) parsedUrls.clear();
      parsedUrls.set(url, parts);
    }
    return parts;
  };

  /** POSTs the body with headers built from scratch; resolves at the response headers. */
  async function send(
    target: UpstreamTarget,
    path: string,
    body: Record<string, unknown>,
    requestId: string,
    accept: string,
    exchange: Exchange,
  ): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {
      ...target.headers,
      'content-type': 'application/json',
      accept,
      'x-proctor-request-id': requestId,
    };
    try {
      return await dispatcherFor(target.timeouts.connectMs).request({
        ...urlParts(`${target.baseUrl}${path}`),
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        headersTimeout: target.timeouts.firstByteMs,
        // Between two chunks: a stalled answer or stream fails instead of holding the client forever.
        bodyTimeout: target.timeouts.firstByteMs,
        signal: exchange.signal,
      });
    } catch (error) {
      const code = isTimeout(error) || exchange.timedOut() ? 'ERR_UPSTREAM_TIMEOUT' : 'ERR_UPSTREAM_UNREACHABLE';
      throw new ForwardError(
        code,
        `upstream '${target.name}' ${code === 'ERR_UPSTREAM_TIMEOUT' ? 'timed out' : 'is unreachable'}`,
        { cause: error },
      );
    }
  }

  /** Reads a whole (bounded) answer and parses it as JSON; an upstream error body too. */
  async function readJson(
    response: Dispatcher.ResponseData,
    target: UpstreamTarget,
    exchange: Exchange,
  ): Promise<unknown> {
    const status = response.statusCode;
    const text = await readLimited(response.body, maxResponseBytes, target.name, status, exchange);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ForwardError(
        'ERR_UPSTREAM_BAD_RESPONSE',
        `upstream '${target.name}' answered ${status} with a body that is not JSON`,
        { cause: error, responseStarted: true, upstreamStatus: status },
      );
    }
  }

  return {
    async forward(target, path, body, meta) {
      // meta.signal: the server's drain deadline ends the exchange (answer included) as well.
      const exchange = exchangeSignal(target.timeouts.totalMs, meta.signal);
      try {
        const response = await send(target, path, body, meta.requestId, 'application/json', exchange);
        const parsed = await readJson(response, target, exchange);
        return {
          status: response.statusCode,
          contentType: headerValue(response.headers['content-type']),
          body: parsed,
          retryAfter: headerValue(response.headers['retry-after']),
          headers: namedHeaders(response.headers, target.readHeaders),
        };
      } finally {
        exchange.clear();
      }
    },
    async openStream(target, path, body, meta) {
      const exchange = exchangeSignal(target.timeouts.totalMs, meta.signal);
      let events: Dispatcher.ResponseData['body'] | null = null;
      try {
        const response = await send(target, path, body, meta.requestId, 'text/event-stream', exchange);
        const status = response.statusCode;
        const contentType = headerValue(response.headers['content-type']);
        const retryAfter = headerValue(response.headers['retry-after']);
        const abort = exchange.abort;
        const headers = namedHeaders(response.headers, target.readHeaders);
        if (status < 300 && contentType !== null && contentType.toLowerCase().startsWith('text/event-stream')) {
          events = response.body; // the deadline runs until the stream closes (ended, failed or aborted)
          return { status, contentType, retryAfter, headers, body: null, events, abort };
        }
        const parsed = await readJson(response, target, exchange);
        return { status, contentType, retryAfter, headers, body: parsed, events: null, abort };
      } finally {
        if (events === null) exchange.clear();
        else if (events.closed) exchange.clear();
        else events.once('close', exchange.clear);
      }
    },
    async close() {
      await Promise.all([...agents.values()].map((agent) => agent.close()));
    },
  };
}

async function readLimited(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  name: string,
  status: number,
  exchange: Exchange,
): Promise<string> {
  const started = { responseStarted: true, upstreamStatus: status };
  try {
    return (await readBody(body, limit)).toString('utf8');
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new ForwardError('ERR_UPSTREAM_BAD_RESPONSE', `upstream '${name}' answer exceeds ${limit} bytes`, started);
    const code = isTimeout(error) || exchange.timedOut() ? 'ERR_UPSTREAM_TIMEOUT' : 'ERR_UPSTREAM_UNREACHABLE';
    throw new ForwardError(code, `upstream '${name}' failed while sending its answer`, { cause: error, ...started });
  }
}

/**
 * One exchange's signal: aborted when its deadline passes (a TimeoutError, `timedOut()` true), when `outer` aborts
 * (with its reason), or by `abort()`. The deadline is a timer cleared by `clear()` when the exchange ends:
 * AbortSignal.timeout's cannot be, so it lived for total_ms (10 minutes by default) after every request holding its
 * async context (≈ 1.6 KB; ≈ 400 MB at 437 requests/s). One controller, followed from `outer` (until `clear()`),
 * not AbortSignal.any, whose composite every source (the server's long-lived drain signal among them) tracks by weak
 * reference, and which undici's abort listener then follows at a cost larger than the rest of the exchange's
 * signalling.
 */
export interface Exchange {
  signal: AbortSignal;
  timedOut(): boolean;
  abort(): void;
  clear(): void;
}

export function exchangeSignal(totalMs: number, outer?: AbortSignal): Exchange {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, totalMs);
  timer.unref();
  const follow = () => controller.abort(outer?.reason);
  let followers: Set<() => void> | undefined;
  if (outer?.aborted) follow();
  else if (outer !== undefined) {
    followers = followersOf(outer);
    followers.add(follow);
  }
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    abort: () => controller.abort(),
    clear: () => {
      clearTimeout(timer);
      followers?.delete(follow);
    },
  };
}

/**
 * The exchanges following an outer signal (the server's drain signal, shared by every request in flight), behind one
 * listener of its own: an EventTarget's listeners are a list that adding and removing one walks (it refuses
 * duplicates), so one listener an exchange cost each request a walk past every other request in flight.
 */
const following = new WeakMap<AbortSignal, Set<() => void>>();
function followersOf(outer: AbortSignal): Set<() => void> {
  let followers = following.get(outer);
  if (followers === undefined) {
    const set = new Set<() => void>();
    followers = set;
    following.set(outer, set);
    outer.addEventListener(
      'abort',
      () => {
        for (const follow of [...set]) follow();
        set.clear();
      },
      { once: true },
    );
  }
  return followers;
}

/** The whole body, at most `limit` bytes (past it the body is destroyed and BodyTooLargeError thrown): read from its
 * events, not an async iterator (a small answer is one chunk; the iterator's set-up cost more than reading it). */
function readBody(body: Dispatcher.ResponseData['body'], limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const kept: Buffer[] = [];
    let total = 0;
    body.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        body.destroy();
        reject(new BodyTooLargeError(limit));
        return;
      }
      kept.push(chunk);
    });
    body.once('end', () => resolve(kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept, total)));
    body.once('error', reject);
    body.once('close', () => {
      if (!body.readableEnded) reject(new Error('the answer ended before its end', { cause: body.errored }));
    });
  });
}

export function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

function namedHeaders(
  received: Dispatcher.ResponseData['headers'],
  names: readonly string[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names ?? []) {
    const value = headerValue(received[name]);
    if (value !== null) out[name] = value;
  }
  return out;
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}
