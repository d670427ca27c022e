// A classification thread (worker-pool.ts): builds its own classifier from the configuration it is started with (the
// fingerprint key and the custom recognizers, appended to the built-in set exactly as on the main thread), then
// answers each request with the Classification the main thread's classifier would give. It holds no state between
// requests and never logs or echoes text: a failure answers with its code only.
import { parentPort, workerData } from 'node:worker_threads';
import { createClassifier } from './classifier.ts';
import { recognizersWith, type RecognizerSettings } from './custom.ts';
import type { Classifier, ClassifyOptions, TextSegment } from './types.ts';

export interface ClassifierThreadConfig {
  fingerprintKey: Uint8Array;
  recognizers: readonly RecognizerSettings[];
  /** The module the thread runs (its URL): this one installs its handler only when it is that module. */
  entry: string;
}

/** The classifier a thread builds from its workerData. */
export function threadClassifier(config: ClassifierThreadConfig): Classifier {
  return createClassifier({ fingerprintKey: config.fingerprintKey, recognizers: recognizersWith(config.recognizers) });
}

/** Answers one message `{ id, kind: 'classify', segments, options }` on `port`, or returns false for another kind. */
export interface ClassifyMessage {
  id: number;
  kind?: unknown;
  segments?: readonly TextSegment[];
  options?: ClassifyOptions;
}

type Port = { postMessage(value: unknown): void };

export function handleClassify(classifier: Classifier, message: ClassifyMessage, port: Port): boolean {
  if (message.kind !== 'classify') return false;
  try {
    port.postMessage({ id: message.id, result: classifier.classify(message.segments ?? [], message.options) });
  } catch (error) {
    port.postMessage({ id: message.id, error: String((error as { code?: unknown }).code ?? 'unknown') });
  }
  return true;
}

// As a thread's entry module (not when imported by another entry, which installs its own handler).
if (parentPort !== null && import.meta.url === (workerData as Partial<ClassifierThreadConfig> | null)?.entry) {
  const port = parentPort;
  const classifier = threadClassifier(workerData as ClassifierThreadConfig);
  port.on('message', (message: { id: number; kind?: unknown }) => {
    if (!handleClassify(classifier, message, port)) port.postMessage({ id: message.id, error: 'ERR_UNKNOWN_MESSAGE' });
  });
}
