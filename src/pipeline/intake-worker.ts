// A classification thread that also parses (intake.ts): for a large body, the parse and classify stages both run here,
// off the event loop. The main thread receives the request's summary and classification as structured clones, and its
// body and segment texts as one transferred buffer (v8.serialize) that it deserializes only if it needs them (a denied
// request never does), so megabytes of text never reach its heap for nothing.
// It answers classify-only messages as classify-worker.ts does. Invariant: the same adapter parse and the same
// classifier as in-process, so a request gets the same result, code for code, whichever thread handled it.
import { serialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { handleClassify, threadClassifier } from '../classification/index.ts';
import type { ClassifierThreadConfig, ClassifyOptions } from '../classification/index.ts';
import { adapterFor, RequestError, type Api, type NormalizedRequest } from '../providers/index.ts';

export interface IntakeMessage {
  id: number;
  kind: 'intake';
  api: Api;
  body: Uint8Array;
  options: ClassifyOptions;
}

/** The thread's answer: the parsed request and its classification, or why either failed (codes only, never text). */
export type IntakeReply =
  | { request: PackedRequest; classification: unknown }
  | { requestError: { code: string; message: string; param: string | null } }
  | { request: PackedRequest; classifyError: string }
  | { parseFailed: string };

/** A parsed request without its texts: each segment's text length, and `texts` = v8.serialize({ body, texts }). */
export interface PackedRequest {
  summary: Omit<NormalizedRequest, 'body' | 'segments'>;
  segments: (Omit<NormalizedRequest['segments'][number], 'text'> & { length: number })[];
  texts: ArrayBuffer;
}

function pack(request: NormalizedRequest): PackedRequest {
  const { body, segments, ...summary } = request;
  const bytes = serialize({ body, texts: segments.map((s) => s.text) });
  const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const end = bytes.byteOffset + bytes.byteLength;
  const texts = (owned ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, end)) as ArrayBuffer;
  return { summary, segments: segments.map(({ text, ...rest }) => ({ ...rest, length: text.length })), texts };
}

const port = parentPort;
// Only as a thread's entry module (never when imported, e.g. by a test runner's own worker).
if (port !== null && (workerData as Partial<ClassifierThreadConfig> | null)?.entry === import.meta.url) {
  const classifier = threadClassifier(workerData as ClassifierThreadConfig);
  port.on('message', (message: IntakeMessage | { id: number; kind?: unknown }) => {
    if (handleClassify(classifier, message, port)) return;
    if (message.kind !== 'intake') {
      port.postMessage({ id: message.id, error: 'ERR_UNKNOWN_MESSAGE' });
      return;
    }
    const { id, api, body, options } = message as IntakeMessage;
    let reply:
      | IntakeReply
      | { request: NormalizedRequest; classification: unknown; classifyError?: never }
      | { request: NormalizedRequest; classifyError: string };
    let request: NormalizedRequest | undefined;
    try {
      request = adapterFor(api).parse(body);
      reply = { request, classification: classifier.classify(request.segments, options) };
    } catch (error) {
      if (error instanceof RequestError) {
        reply = { requestError: { code: error.code, message: error.message, param: error.param } };
      } else if (request === undefined) {
        reply = { parseFailed: error instanceof Error ? error.name : typeof error };
      } else {
        reply = { request, classifyError: String((error as { code?: unknown }).code ?? 'unknown') };
      }
    }
    try {
      const packed = 'request' in reply ? { ...reply, request: pack(reply.request as NormalizedRequest) } : reply;
      port.postMessage({ id, result: packed }, 'request' in packed ? [(packed.request as PackedRequest).texts] : []);
    } catch (error) {
      // A parsed request that cannot be cloned (a bug): the job fails, and the pipeline denies.
      port.postMessage({ id, error: error instanceof Error ? error.name : 'DataCloneError' });
    }
  });
}
