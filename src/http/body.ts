// Reading a request body: bytes up to the intake's threshold are kept here and joined; past it, every chunk (those
// already read included) moves to the intake's body channel as it arrives (src/pipeline/intake.ts), so the event loop
// never holds a large body whole or copies it. Limits as fastify's own reader has them: a declared content-length over
// the cap is refused before a byte is read, the cap is checked on every chunk, and a body shorter or longer than its
// content-length is refused. All bodies being received share one byte budget (server.max_body_bytes_in_flight) of the
// bytes they have received, not announced (a head alone holds nothing of it): a body whose content-length would not
// fit what is left is refused before it is read, and one whose bytes so far pass it is refused then, so clients that
// never finish their bodies hold at most the budget, and only as many bytes as they sent. One client (a remote
// address) holds at most its share of it (server.max_body_bytes_per_client), so one principal cannot starve the
// others; a body is read only once its request was identified (identify-first.ts), so a client without a valid token
// holds none. Invariant: a body refused or abandoned (too large, over the budget, client gone, stream error) has its
// channel released and its budget given back at once, so nothing waits in it and no thread ever runs for it.
import type { IncomingMessage } from 'node:http';
import type { BodyChannel } from '../pipeline/index.ts';

/** How a body is received: the cap, the budget all bodies in flight share, and where a large one goes. */
export interface BodyReceiver {
  limitBytes: number;
  budget?: BodyBudget;
  /** Who sends the body (its remote address): the part of the budget it holds is bounded by the budget's share. */
  client?: string;
  /** Whether a body of this many bytes goes to a channel, and the channel for it (the pipeline's intake). */
  spill?: { takes(bytes: number): boolean; open(): BodyChannel };
}

/** The bytes all request bodies being received may hold together, and one client's share of them. */
export interface BodyBudget {
  /** Whether `bytes` more from `client` would fit now (nothing is taken). */
  fits(bytes: number, client?: string): boolean;
  /** Takes `bytes` from the budget for `client`, or nothing and false when that would pass the budget or its share. */
  take(bytes: number, client?: string): boolean;
  give(bytes: number, client?: string): void;
  readonly inFlight: number;
}

/** A budget of `limitBytes`, of which one client holds at most `shareBytes` (default: all of it). Memory: one entry a
 * client holding bytes now, dropped when it holds none. */
export function createBodyBudget(limitBytes: number, shareBytes = limitBytes): BodyBudget {
  let inFlight = 0;
  const held = new Map<string, number>();
  const fits = (bytes: number, client?: string) =>
    inFlight + bytes <= limitBytes && (client === undefined || (held.get(client) ?? 0) + bytes <= shareBytes);
  return {
    fits,
    take(bytes, client) {
      if (!fits(bytes, client)) return false;
      inFlight += bytes;
      if (client !== undefined) held.set(client, (held.get(client) ?? 0) + bytes);
      return true;
    },
    give(bytes, client) {
      inFlight -= bytes;
      if (client === undefined) return;
      const left = (held.get(client) ?? 0) - bytes;
      if (left > 0) held.set(client, left);
      else held.delete(client);
    },
    get inFlight() {
      return inFlight;
    },
  };
}

/** One client's share when none is configured: four body limits, at most half the budget, at least one body limit
 * (4 MiB bodies, a 32 MiB budget: 16 MiB, two clients' worth at the least). */
export function defaultBodyShare(bodyLimitBytes: number, budgetBytes: number): number {
  return Math.max(bodyLimitBytes, Math.min(4 * bodyLimitBytes, Math.floor(budgetBytes / 2)));
}

/** Failures carry fastify's codes, so that the transport's error handler answers and records them as fastify's own;
 * PROCTOR_BODY_BUSY (the budget) is answered by the transport alone (503, connection closed, not recorded). */
export class BodyError extends Error {
  readonly code:
    | 'FST_ERR_CTP_BODY_TOO_LARGE'
    | 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'
    | 'PROCTOR_BODY_UNREADABLE'
    | 'PROCTOR_BODY_BUSY';
  readonly statusCode: number;
  constructor(code: BodyError['code'], message: string, options?: { cause: unknown }) {
    super(message, options);
    this.code = code;
    this.statusCode = code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 413 : code === 'PROCTOR_BODY_BUSY' ? 503 : 400;
  }
}

const busy = () => new BodyError('PROCTOR_BODY_BUSY', 'too many request bytes are being received; retry');

/** The whole body: bytes, or (past the threshold) a channel that has ended. Rejects with a BodyError. */
export function receiveBody(payload: IncomingMessage, receiver: BodyReceiver): Promise<Uint8Array | BodyChannel> {
  const { limitBytes, spill, budget, client } = receiver;
  const declared = Number(payload.headers['content-length']);
  if (declared > limitBytes) {
    return Promise.reject(new BodyError('FST_ERR_CTP_BODY_TOO_LARGE', `the body exceeds ${limitBytes} bytes`));
  }
  // Bytes are taken from the budget as they arrive; a declared length that does not fit what is left is refused now.
  if (budget && declared > 0 && !budget.fits(declared, client)) return Promise.reject(busy());
  let reserved = 0;
  return new Promise((resolve, reject) => {
    let received = 0;
    let held: Buffer[] = [];
    let channel: BodyChannel | null = spill && declared > 0 && spill.takes(declared) ? spill.open() : null;
    const finish = (error: BodyError | null) => {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
      payload.off('close', onClose);
      held = [];
      budget?.give(reserved, client);
      reserved = 0;
      if (error === null) return;
      channel?.release();
      channel = null;
      reject(error);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += bytes.byteLength;
      if (received > limitBytes) {
        finish(new BodyError('FST_ERR_CTP_BODY_TOO_LARGE', `the body exceeds ${limitBytes} bytes`));
        return;
      }
      if (budget && received > reserved) {
        if (!budget.take(received - reserved, client)) {
          finish(busy());
          return;
        }
        reserved = received;
      }
      if (channel === null && spill?.takes(received)) {
        channel = spill.open();
        for (const earlier of held) channel.write(earlier);
        held = [];
      }
      if (channel === null) held.push(bytes);
      else channel.write(bytes);
    };
    const onEnd = () => {
      if (!Number.isNaN(declared) && received !== declared) {
        finish(new BodyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'the body does not match its content-length'));
        return;
      }
      const body = channel ?? Buffer.concat(held, received);
      channel?.end();
      finish(null);
      resolve(body);
    };
    const onError = (cause: unknown) =>
      finish(new BodyError('PROCTOR_BODY_UNREADABLE', 'the request body could not be read', { cause }));
    // A client that goes away mid-body: Node may close the request without an error event.
    const onClose = () => finish(new BodyError('PROCTOR_BODY_UNREADABLE', 'the client went away mid-body'));
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.on('close', onClose);
    payload.resume();
  });
}
