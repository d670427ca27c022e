// A classification thread that also parses (intake.ts): for a large body, the parse and classify stages both run here,
// off the event loop. The body arrives as one transferred buffer, or as chunks waiting in a channel (a MessagePort)
// that the event loop wrote as the body arrived. The main thread receives the request's summary and classification
// as structured clones, and its body and segment texts as one buffer (v8.serialize) that it deserializes only if it
// needs them (a denied request never does): written back into the body's channel, or transferred with the reply, so
// megabytes of text never reach its heap for nothing.
// It answers classify-only messages as classify-worker.ts does. Invariant: the same adapter parse and the same
// classifier as in-process, so a request gets the same result, code for code, whichever thread handled it; a prompt
// that takes at least more tokens than the subject had left (intake-bound.ts) is parsed and not classified, as the
// pipeline refuses it in-process before classifying.
import { serialize } from 'node:v8';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { handleClassify, threadClassifier } from '../classification/index.ts';
import type { ClassifierThreadConfig } from '../classification/index.ts';
import { adapterFor, RequestError, type Api, type NormalizedRequest } from '../providers/index.ts';
import type { IntakeOptions } from './intake.ts';
import { requestTokensAtLeast } from './intake-bound.ts';
import { BODY_END, type Classified, type IntakeReply, type PackedRequest } from './intake-protocol.ts';

/**
 * A body as bytes, or as the thread's end of a body channel: Uint8Array chunks, then `end` (intake-protocol.ts
 * BODY_END).
 */
export type IntakeMessage = { id: number; kind: 'intake'; api: Api; options: IntakeOptions } & (
  | { body: Uint8Array; port?: never }
  | { port: MessagePort; body?: never }
);

/** The thread's answer: the parsed request and its classification, or why either failed (codes only, never text). */
function pack(request: NormalizedRequest): { packed: PackedRequest; texts: ArrayBuffer } {
  const { body, segments, ...summary } = request;
  const bytes = serialize({ body, texts: segments.map((s) => s.text) });
  const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const end = bytes.byteOffset + bytes.byteLength;
  const texts = (owned ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, end)) as ArrayBuffer;
  return {
    packed: { summary, segments: segments.map(({ text, ...rest }) => ({ ...rest, length: text.length })) },
    texts,
  };
}

/** The body waiting in a channel, joined (the event loop posted every chunk, then `end`, before the job started). */
function drain(port: MessagePort): Uint8Array {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const received = receiveMessageOnPort(port);
    if (received === undefined) throw new Error('the body channel holds no end');
    if (received.message === BODY_END) break;
    if (!(received.message instanceof Uint8Array)) throw new Error('the body channel holds something not bytes');
    chunks.push(received.message);
    length += received.message.byteLength;
  }
  const body = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
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
    const { id, api, options, ...input } = message as IntakeMessage;
    const { tokensLeft, ...classifyOptions } = options;
    let reply: IntakeReply | ({ request: NormalizedRequest; promptTokensAtLeast: number } & Classified);
    let request: NormalizedRequest | undefined;
    let promptTokensAtLeast = 0;
    try {
      request = adapterFor(api).parse(input.port ? drain(input.port) : input.body);
      promptTokensAtLeast = requestTokensAtLeast(request);
      reply =
        tokensLeft !== undefined && promptTokensAtLeast > tokensLeft
          ? { request, promptTokensAtLeast, unclassified: 'tokens_left' }
          : { request, promptTokensAtLeast, classification: classifier.classify(request.segments, classifyOptions) };
    } catch (error) {
      if (error instanceof RequestError) {
        reply = { requestError: { code: error.code, message: error.message, param: error.param } };
      } else if (request === undefined) {
        reply = { parseFailed: error instanceof Error ? error.name : typeof error };
      } else {
        const classifyError = String((error as { code?: unknown }).code ?? 'unknown');
        reply = { request, promptTokensAtLeast, classifyError };
      }
    }
    try {
      if (!('request' in reply)) port.postMessage({ id, result: reply });
      else {
        const { packed, texts } = pack(reply.request as NormalizedRequest);
        // Through the body's channel the texts wait outside the event loop's heap until asked for (or released).
        if (input.port) input.port.postMessage(new Uint8Array(texts), [texts]);
        else packed.texts = texts;
        port.postMessage({ id, result: { ...reply, request: packed } }, input.port ? [] : [texts]);
      }
    } catch (error) {
      // A parsed request that cannot be cloned (a bug): the job fails, and the pipeline denies.
      port.postMessage({ id, error: error instanceof Error ? error.name : 'DataCloneError' });
    }
  });
}
