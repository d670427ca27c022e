// The parse and classify stages for a large body, on a classification thread (intake-worker.ts), so the event loop
// never parses or scans megabytes: it hands over a copy of the bytes and receives the parsed request and its capped
// classification. Bodies up to the pool's threshold are not taken (`takes`): the pipeline parses and classifies
// them in-process. Invariant: the outcome is what the in-process stages give (the same RequestError, the same
// findings).
import type { Classification, ClassifierPool, ClassifyOptions } from '../classification/index.ts';
import { RequestError, type Api, type NormalizedRequest, type RequestErrorCode } from '../providers/index.ts';
import { deserialize } from 'node:v8';
import type { IntakeReply, PackedRequest } from './intake-worker.ts';

/** The entry module of the pipeline's classification threads (pass it as ClassifierPoolOptions.entry). */
export const INTAKE_WORKER = new URL('./intake-worker.ts', import.meta.url);

export type IntakeResult =
  | { request: NormalizedRequest; classification: Classification }
  | { request: NormalizedRequest; classifyError: string };

export interface Intake {
  /** Whether a body of this many bytes is parsed and classified on a thread (else in-process). */
  takes(bytes: number): boolean;
  run(api: Api, body: Uint8Array, options: ClassifyOptions): Promise<IntakeResult>;
}

/**
 * Parses and classifies bodies larger than the pool's threshold on its threads. The promise rejects with the parse's
 * RequestError, or with the pool's ClassificationError (ERR_CLASSIFIER_BUSY when its queue is full). A body taken is
 * CONSUMED: when it owns its whole buffer, that buffer moves to the thread (no copy: megabytes of external memory per
 * request would force full garbage collections on the event loop) and reads as empty here afterwards.
 */
export function createIntake(pool: Pick<ClassifierPool, 'run' | 'thresholdChars'>): Intake {
  // A body's text is never longer than its bytes: a body the threshold leaves here holds no input the pool would take.
  const takes = (bytes: number) => bytes > pool.thresholdChars;
  const run: Intake['run'] = (api, body, options) => {
    const { buffer } = body;
    const owned = body.byteOffset === 0 && buffer instanceof ArrayBuffer && body.byteLength === buffer.byteLength;
    const bytes = owned ? body : Uint8Array.from(body);
    return pool.run({ kind: 'intake', api, body: bytes, options }, [bytes.buffer as ArrayBuffer]).then((result) => {
      const reply = result as IntakeReply;
      if ('requestError' in reply) {
        const e = reply.requestError;
        throw new RequestError(e.code as RequestErrorCode, e.message, e.param);
      }
      if ('parseFailed' in reply) throw new Error(`the request could not be parsed (${reply.parseFailed})`);
      if ('classifyError' in reply) return { request: unpack(reply.request), classifyError: reply.classifyError };
      return { request: unpack(reply.request), classification: reply.classification as Classification };
    });
  };
  return { takes, run };
}

/**
 * The parsed request, whose body and segment texts are deserialized from the thread's buffer on first use (once): the
 * decision needs only the summary, the counts and each segment's location; redaction, the reservation's token count
 * and the forwarded body read the texts.
 */
function unpack(packed: PackedRequest): NormalizedRequest {
  type Texts = { body: Record<string, unknown>; texts: string[] };
  let data: Texts | undefined;
  const load = () => (data ??= deserialize(new Uint8Array(packed.texts)) as Texts);
  const segments = packed.segments.map(({ length: _length, ...segment }, i) => {
    const text = { enumerable: true, get: () => load().texts[i] as string };
    return Object.defineProperty(segment, 'text', text) as NormalizedRequest['segments'][number];
  });
  const request = { ...packed.summary, segments };
  return Object.defineProperty(request, 'body', { enumerable: true, get: () => load().body }) as NormalizedRequest;
}
