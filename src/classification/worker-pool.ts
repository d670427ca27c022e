// Classification of costly inputs off the event loop: a thread pool (thread-pool.ts) whose threads each build the same
// classifier (classify-worker.ts). Inputs whose estimated cost (characters, segments, digits) is up to the threshold
// are classified in-process (no hand-off, no added latency); others run on a thread, or fail at once with
// ERR_CLASSIFIER_BUSY when the queue is full (the pipeline answers 503 with retry-after). Invariant: a thread's answer
// is the one the in-process classifier gives.
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
   * Inputs whose estimated cost (costChars: UTF-16 units, each segment SEGMENT_WEIGHT_CHARS more, each digit
   * DIGIT_WEIGHT_CHARS more) is above this go to a thread (default 64 Ki).
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

/**
 * What one digit costs the classifier besides its character, in characters of prose (a digit: ASCII, or any numeric
 * character, `\p{N}`, which the views read as digits: another script's, full-width, circled, superscript). The digits
 * view, the readings of value pairs and the numeric recognizers' candidates work per digit group: numeric texts cost
 * 0.2-5 µs a digit, JSON float pairs ~20 µs, prose 0.03-0.15 µs a character (session 11, 16,000-character texts).
 * Counted by length alone, 36,000 characters of float pairs (0.3-2.3 s on the event loop) stayed there; now any text of
 * more than ~2,000 digits goes to a thread.
 */
export const DIGIT_WEIGHT_CHARS = 32;

/** Whether each BMP code point is numeric (`\p{N}`): 0 not yet asked, 1 numeric, 2 not; asked once each. */
const numericBmp = new Uint8Array(0x10000);
const NUMERIC = /\p{N}/u;

function isNumeric(code: number): boolean {
  if (code > 0xffff) return NUMERIC.test(String.fromCodePoint(code));
  let known = numericBmp[code] as number;
  if (known === 0) numericBmp[code] = known = NUMERIC.test(String.fromCharCode(code)) ? 1 : 2;
  return known === 1;
}

/**
 * The classifier's estimated cost of `segments` in characters of prose (see SEGMENT_WEIGHT_CHARS, DIGIT_WEIGHT_CHARS);
 * counting stops once it is above `limit` (the answer is then some value above it). Linear, no allocation.
 */
export function costChars(segments: readonly TextSegment[], limit: number): number {
  let total = 0;
  for (const s of segments) total += s.text.length + SEGMENT_WEIGHT_CHARS;
  for (let k = 0; k < segments.length && total <= limit; k += 1) {
    const text = (segments[k] as TextSegment).text;
    for (let i = 0; i < text.length; i += 1) {
      const unit = text.charCodeAt(i);
      if (unit < 0x80) {
        if (unit < 0x30 || unit > 0x39) continue;
      } else {
        const code = text.codePointAt(i) as number;
        if (code > 0xffff) i += 1;
        if (!isNumeric(code)) continue;
      }
      total += DIGIT_WEIGHT_CHARS;
      if (total > limit) return total;
    }
  }
  return total;
}

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
      if (costChars(segments, thresholdChars) <= thresholdChars) return local.classify(segments, options);
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
