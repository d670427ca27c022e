// The parse and classify stages for a large body, on a classification thread (intake-worker.ts), so the event loop
// never parses or scans megabytes. A body received over HTTP is moved to the thread's channel chunk by chunk as it
// arrives (`open`: a BodyChannel), so the event loop never holds it whole; the thread parses it once it has all of it.
// The event loop receives the parsed request's summary and capped classification; its body and texts wait in the
// channel until the pipeline needs them (a denied request never does). Bodies up to the pool's threshold are not taken
// (`takes`): the pipeline parses and classifies them in-process. Invariant: the outcome is what the in-process stages
// give (the same RequestError, the same findings).
import type { Classification, ClassifierPool, ClassifyOptions } from '../classification/index.ts';
import { RequestError, type Api, type NormalizedRequest, type RequestErrorCode } from '../providers/index.ts';
import { deserialize } from 'node:v8';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { BODY_END, type IntakeReply, type PackedRequest } from './intake-protocol.ts';

/** The entry module of the pipeline's classification threads (pass it as ClassifierPoolOptions.entry). */
export const INTAKE_WORKER = new URL('./intake-worker.ts', import.meta.url);

/** The parsed request, the least prompt tokens the limits stage can count for it (intake-bound.ts), and its
 * classification: made, failed, or not run because that least is more than the tokens the subject had left. */
export type IntakeResult = { request: NormalizedRequest; promptTokensAtLeast: number } & (
  | { classification: Classification }
  | { classifyError: string }
  | { unclassified: 'tokens_left' }
);

export interface IntakeOptions extends ClassifyOptions {
  /** The subject's tokens left this minute (Limiter.tokensLeft) when the job is sent: a request whose prompt takes
   * more at least is parsed but not classified (the pipeline refuses it, or classifies it should the tokens have come
   * back meanwhile). Absent: always classified. */
  tokensLeft?: number;
}

/**
 * A request body written into a classification thread's channel as it arrives: each chunk's memory moves out of the
 * event loop's heap when written (no copy when the chunk owns its buffer, as Node's HTTP body chunks do). Nothing
 * runs on a thread until the body has ended and the pipeline runs it, so a client that sends slowly, or goes away,
 * holds no thread. The owner MUST call `release` once the request is over (or refused): it frees what waits in the
 * channel (the chunks, or the parsed texts the pipeline did not need).
 */
export interface BodyChannel {
  /** Bytes written so far. */
  readonly byteLength: number;
  write(chunk: Uint8Array): void;
  end(): void;
  release(): void;
}

export interface Intake {
  /** Whether a body of this many bytes is parsed and classified on a thread (else in-process). */
  takes(bytes: number): boolean;
  run(api: Api, body: Uint8Array | BodyChannel, options: IntakeOptions): Promise<IntakeResult>;
}

/** An intake that also receives bodies as they arrive (the transport's side of it). */
export interface ChannelIntake extends Intake {
  /** A channel for a body that `takes` accepts, to be written as it arrives and then given to `run`. */
  open(): BodyChannel;
}

class ChannelBody implements BodyChannel {
  #bytes = 0;
  #state: 'open' | 'ended' | 'taken' | 'released' = 'open';
  readonly #local: MessagePort;
  readonly #remote: MessagePort;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.#local = port1;
    this.#remote = port2;
  }

  get byteLength(): number {
    return this.#bytes;
  }

  write(chunk: Uint8Array): void {
    if (this.#state !== 'open') throw new Error(`the body channel is ${this.#state}; nothing more can be written`);
    if (chunk.byteLength === 0) return;
    const { buffer } = chunk;
    const owned = chunk.byteOffset === 0 && buffer instanceof ArrayBuffer && chunk.byteLength === buffer.byteLength;
    const moved = owned ? chunk : new Uint8Array(chunk); // a view into a shared buffer: only its bytes, copied
    this.#bytes += moved.byteLength;
    this.#local.postMessage(moved, [moved.buffer as ArrayBuffer]);
  }

  end(): void {
    if (this.#state !== 'open') throw new Error(`the body channel is ${this.#state}; it cannot end`);
    this.#state = 'ended';
    this.#local.postMessage(BODY_END);
  }

  /** The thread's end of the channel, once, for a body that has ended. */
  take(): MessagePort {
    if (this.#state !== 'ended') throw new Error(`the body channel is ${this.#state}; only an ended body can be run`);
    this.#state = 'taken';
    return this.#remote;
  }

  /** The parsed request's texts, which the thread wrote back into the channel; once, before release. */
  texts(): Uint8Array {
    const received = this.#state === 'taken' ? receiveMessageOnPort(this.#local) : undefined;
    if (!(received?.message instanceof Uint8Array)) throw new Error('the request texts are not in the body channel');
    return received.message;
  }

  release(): void {
    if (this.#state === 'released') return;
    const untaken = this.#state !== 'taken';
    this.#state = 'released';
    this.#local.close();
    if (untaken) this.#remote.close();
  }
}

/**
 * Parses and classifies bodies larger than the pool's threshold on its threads. The promise rejects with the parse's
 * RequestError, or with the pool's ClassificationError (ERR_CLASSIFIER_BUSY when its queue is full). A Uint8Array body
 * taken is CONSUMED: when it owns its whole buffer, that buffer moves to the thread (no copy: megabytes of external
 * memory per request would force full garbage collections on the event loop) and reads as empty here afterwards.
 */
export function createIntake(pool: Pick<ClassifierPool, 'run' | 'thresholdChars'>): ChannelIntake {
  // A body's text is never longer than its bytes: a body the threshold leaves here holds no input the pool would take.
  const takes = (bytes: number) => bytes > pool.thresholdChars;
  const run: Intake['run'] = (api, body, options) => {
    let job: Promise<unknown>;
    let texts: (packed: PackedRequest) => Uint8Array;
    if (body instanceof ChannelBody) {
      const port = body.take();
      job = pool.run({ kind: 'intake', api, port, options }, [port]);
      texts = () => body.texts();
    } else if (body instanceof Uint8Array) {
      const { buffer } = body;
      const owned = body.byteOffset === 0 && buffer instanceof ArrayBuffer && body.byteLength === buffer.byteLength;
      const bytes = owned ? body : Uint8Array.from(body);
      job = pool.run({ kind: 'intake', api, body: bytes, options }, [bytes.buffer as ArrayBuffer]);
      texts = (packed) => new Uint8Array(packed.texts as ArrayBuffer);
    } else {
      return Promise.reject(new TypeError('an intake body is bytes or a channel from this intake'));
    }
    return job.then((result) => {
      const reply = result as IntakeReply;
      if ('requestError' in reply) {
        const e = reply.requestError;
        throw new RequestError(e.code as RequestErrorCode, e.message, e.param);
      }
      if ('parseFailed' in reply) throw new Error(`the request could not be parsed (${reply.parseFailed})`);
      const request = unpack(reply.request, () => texts(reply.request));
      const { promptTokensAtLeast } = reply;
      if ('classifyError' in reply) return { request, promptTokensAtLeast, classifyError: reply.classifyError };
      if ('unclassified' in reply) return { request, promptTokensAtLeast, unclassified: reply.unclassified };
      return { request, promptTokensAtLeast, classification: reply.classification as Classification };
    });
  };
  return { takes, open: () => new ChannelBody(), run };
}

/**
 * The parsed request, whose body and segment texts are deserialized from the thread's buffer on first use (once): the
 * decision needs only the summary, the counts and each segment's location; redaction, the reservation's token count
 * and the forwarded body read the texts.
 */
function unpack(packed: PackedRequest, bytes: () => Uint8Array): NormalizedRequest {
  type Texts = { body: Record<string, unknown>; texts: string[] };
  let data: Texts | undefined;
  const load = () => (data ??= deserialize(bytes()) as Texts);
  const segments = packed.segments.map(({ length: _length, ...segment }, i) => {
    const text = { enumerable: true, get: () => load().texts[i] as string };
    return Object.defineProperty(segment, 'text', text) as NormalizedRequest['segments'][number];
  });
  const request = { ...packed.summary, segments };
  return Object.defineProperty(request, 'body', { enumerable: true, get: () => load().body }) as NormalizedRequest;
}
