// A classification thread that also parses (intake.ts): for a large body, the parse and classify stages both run here,
// off the event loop, and the main thread receives the parsed request and its classification as structured clones.
// It answers classify-only messages as classify-worker.ts does. Invariant: the same adapter parse and the same
// classifier as in-process, so a request gets the same result, code for code, whichever thread handled it.
import { parentPort, workerData } from 'node:worker_threads';
import { handleClassify, threadClassifier, type ClassifierThreadConfig, type ClassifyOptions } from '../classification/index.ts';
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
  | { request: NormalizedRequest; classification: unknown }
  | { requestError: { code: string; message: string; param: string | null } }
  | { request: NormalizedRequest; classifyError: string }
  | { parseFailed: string };

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
    let reply: IntakeReply;
    let request: NormalizedRequest | undefined;
    try {
      request = adapterFor(api).parse(body);
      reply = { request, classification: classifier.classify(request.segments, options) };
    } catch (error) {
      if (error instanceof RequestError) reply = { requestError: { code: error.code, message: error.message, param: error.param } };
      else if (request === undefined) reply = { parseFailed: error instanceof Error ? error.name : typeof error };
      else reply = { request, classifyError: String((error as { code?: unknown }).code ?? 'unknown') };
    }
    try {
      port.postMessage({ id, result: reply });
    } catch (error) {
      // A parsed request that cannot be cloned (a bug): the job fails, and the pipeline denies.
      port.postMessage({ id, error: error instanceof Error ? error.name : 'DataCloneError' });
    }
  });
}
