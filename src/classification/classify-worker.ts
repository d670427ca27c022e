// A classification thread (worker-pool.ts): builds its own classifier from the configuration it is started with (the
// fingerprint key and the custom recognizers, appended to the built-in set exactly as on the main thread), then
// answers each request with the same Classification the main thread's classifier would give. It holds no state
// between requests, and it never logs or echoes text: an error answers with its code only.
import { parentPort, workerData } from 'node:worker_threads';
import { createClassifier } from './classifier.ts';
import { recognizersWith, type RecognizerSettings } from './custom.ts';
import type { ClassifyOptions, TextSegment } from './types.ts';

export interface WorkerConfig {
  fingerprintKey: Uint8Array;
  recognizers: readonly RecognizerSettings[];
}

export interface WorkerRequest {
  id: number;
  segments: readonly TextSegment[];
  options: ClassifyOptions;
}

const config = workerData as WorkerConfig;
const classifier = createClassifier({ fingerprintKey: config.fingerprintKey, recognizers: recognizersWith(config.recognizers) });

parentPort?.on('message', (request: WorkerRequest) => {
  try {
    parentPort?.postMessage({ id: request.id, classification: classifier.classify(request.segments, request.options) });
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: (error as { code?: unknown }).code ?? 'unknown' });
  }
});
