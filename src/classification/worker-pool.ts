// Classification of large inputs off the event loop: a thread pool (thread-pool.ts) whose threads each build the same
// classifier (classify-worker.ts). Inputs up to the threshold are classified in-process (no hand-off, no added
// latency); larger ones run on a thread, or fail at once with ERR_CLASSIFIER_BUSY when the queue is full (the pipeline
// answers 503 with retry-after). Invariant: a thread's answer is the one the in-process classifier gives.
import type { RecognizerSettings } from './custom.ts';
import { ClassificationError } from './errors.ts';
import type { Transferable } from 'node:worker_threads';
import { createThreadPool, type ThreadPoolOptions } from './thread-pool.ts';
import type { ClassifierThreadConfig } from './classify-worker.ts';
import type { Classification, Classifier, ClassifyOptions, TextSegment } from './types.ts';

export interface ClassifierPoolOptions extends Omit<ThreadPoolOptions, 'entry' | 'workerData'> {
  fingerprintKey: Uint8Array;
  /** The configured custom recognizers: each thread appends them to the built-in set, as recognizersWith does. */
  recognizers: readonly RecognizerSettings[];
  /** Classifies inputs up to the threshold in-process; MUST be built from the same key and recognizers. */
  local: Classifier;
  /**
   * Inputs whose segments hold more UTF-16 units than this in total, each segment counted SEGMENT_WEIGHT_CHARS more,
   * go to a thread (default 64 Ki).
   */
  thresholdChars?: number;
  /** A module to run on the threads instead of classify-worker.ts (the pipeline's intake: parse, then classify). It
   * MUST handle classify-worker's messages too (by calling its `handleClassify`). */
  entry?: URL;
}

export interface ClassifierPool {
  /** Same contract as Classifier.classify; large inputs resolve later, or reject with a ClassificationError. */
  classify(segments: readonly TextSegment[], options?: ClassifyOptions): Classification | Promise<Classification>;
  /** Runs any other message the threads' module answers (see `entry`). */
  run(message: Record<string, unknown>, transfer?: readonly Transferable[]): Promise<unknown>;
  readonly thresholdChars: number;
  stats(): { threads: number; running: number; queued: number };
  close(): Promise<void>;
}

export const DEFAULT_OFFLOAD_THRESHOLD_CHARS = 64 * 1024;

/**
 * What one segment costs the classifier besides its characters, in characters: each segment is set up, viewed and
 * joined with its neighbours apart (about 9 µs, the time of some 30 characters of prose), so 15,000 one-character
 * strings in a 60 KB tool schema cost 130-470 ms; counted by characters alone they stayed on the event loop.
 */
export const SEGMENT_WEIGHT_CHARS = 32;

export function createClassifierPool(opts: ClassifierPoolOptions): ClassifierPool {
  const { fingerprintKey, recognizers, local, thresholdChars = DEFAULT_OFFLOAD_THRESHOLD_CHARS, entry, ...pool } = opts;
  if (!Number.isSafeInteger(thresholdChars) || thresholdChars < 0) {
    const message = 'thresholdChars must be a non-negative integer';
    throw new ClassificationError('ERR_CLASSIFIER_OPTIONS_INVALID', null, message);
  }
  const module = entry ?? new URL('./classify-worker.ts', import.meta.url);
  const key = Uint8Array.from(fingerprintKey);
  const workerData: ClassifierThreadConfig = { fingerprintKey: key, recognizers, entry: module.href };
  const threads = createThreadPool({ ...pool, entry: module, workerData });
  return {
    classify(segments, options = {}) {
      let total = 0;
      for (const s of segments) total += s.text.length + SEGMENT_WEIGHT_CHARS;
      if (total <= thresholdChars) return local.classify(segments, options);
      // Only what the classifier reads is copied to the thread (segments may carry other fields).
      const copied = segments.map((s) => ({ path: s.path, text: s.text, location: s.location }));
      const message = { kind: 'classify', segments: copied, options };
      return threads.run(message).then((result) => result as Classification);
    },
    run: (message, transfer) => threads.run(message, transfer),
    thresholdChars,
    stats: () => threads.stats(),
    close: () => threads.close(),
  };
}
