// Reading a request body: bytes up to the intake's threshold are kept here and joined; past it, every chunk (those
// already read included) moves to the intake's body channel as it arrives (src/pipeline/intake.ts), so the event loop
// never holds a large body whole or copies it. Limits as fastify's own reader has them: a declared content-length over
// the cap is refused before a byte is read, the cap is checked on every chunk, and a body shorter or longer than its
// content-length is refused. All bodies being received share one byte budget (server.max_body_bytes_in_flight) of the
// bytes they have received, not announced (a head alone holds nothing of it): a body whose content-length would not
// fit what is left is refused before it is read, and one whose bytes so far pass it is refused then, so clients that
// never finish their bodies hold at most the budget, and only as many bytes as they sent. Invariant: a body refused or
// abandoned (too large, over the budget, client gone, stream error) has its channel released and its budget given back
// at once, so nothing waits in it and no thread ever runs for it.
import type { IncomingMessage } from 'node:http';
import type { BodyChannel } from '../pipeline/index.ts';

/** How a body is received: the cap, the budget all bodies in flight share, and where a large one goes. */
export interface BodyReceiver {
  limitBytes: number;
  budget?: BodyBudget;
  /** Whether a body of this many bytes goes to a channel, and the channel for it (the pipeline's intake). */
  spill?: { takes(bytes: number): boolean; open(): BodyChannel };
}

/** The bytes all request bodies being received may hold together. */
export interface BodyBudget {
  /** Whether `bytes` more would fit now (nothing is taken). */
  fits(bytes: number): boolean;
  /** Takes `bytes` from the budget, or nothing and false when that would pass it. */
  take(bytes: number): boolean;
  give(bytes: number): void;
  readonly inFlight: number;
}

export function createBodyBudget(limitBytes: number): BodyBudget {
  let inFlight = 0;
  return {
    fits: (bytes) => inFlight + bytes <= limitBytes,
    take(bytes) {
      if (inFlight + bytes > limitBytes) return false;
      inFlight += bytes;
      return true;
    },
    give(bytes) {
      inFlight -= bytes;
    },
    get inFlight() {
      return inFlight;
    },
  };
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
  const { limitBytes, spill, budget } = receiver;
  const declared = Number(payload.headers['content-length']);
  if (declared > limitBytes) {
    return Promise.reject(new BodyError('FST_ERR_CTP_BODY_TOO_LARGE', `the body exceeds ${limitBytes} bytes`));
  }
  // Bytes are taken from the budget as they arrive; a declared length that does not fit what is left is refused now.
  if (budget && declared > 0 && !budget.fits(declared)) return Promise.reject(busy());
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
      budget?.give(reserved);
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
        if (!budget.take(received - reserved)) {
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
