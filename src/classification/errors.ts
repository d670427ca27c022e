// Classification failures, each with a stable `code`. Recognizer and key errors arise when a classifier is built (a
// configuration error at start-up); classify() fails only on a text past its decoding budget (refused, never read in
// part) or a bug. The stream scanner's codes are misuse or a held-back buffer growing past its bound, which callers
// MUST treat as a block (fail closed).

export type ClassificationErrorCode =
  | 'ERR_RECOGNIZER_INVALID'
  | 'ERR_FINGERPRINT_KEY_INVALID'
  | 'ERR_STREAM_BUFFER_EXCEEDED'
  | 'ERR_STREAM_ENDED'
  // classify() options, and the worker pool (worker-pool.ts): every thread busy and the queue full, or a worker that
  // failed (crashed, out of memory, no answer) while classifying
  | 'ERR_CLASSIFIER_OPTIONS_INVALID'
  | 'ERR_CLASSIFIER_BUSY'
  | 'ERR_CLASSIFIER_WORKER_FAILED'
  | 'ERR_CLASSIFIER_CLOSED'
  // classify() on a text holding more encoded runs than its decoding budget (decode.ts): refused, never left unread
  | 'ERR_DECODE_BUDGET_EXCEEDED'
  // classify() on segments whose names make more pairs than name-pairs.ts reads (MAX_NAME_PAIR_CHARS): refused, never
  // read in part
  | 'ERR_NAME_PAIRS_EXCEEDED';

export class ClassificationError extends Error {
  override readonly name = 'ClassificationError';
  readonly code: ClassificationErrorCode;
  /** The offending recognizer's type (or its index when it has none), null when not about one recognizer. */
  readonly recognizer: string | null;

  constructor(
    code: ClassificationErrorCode,
    recognizer: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(recognizer === null ? message : `recognizer ${recognizer}: ${message}`, options);
    this.code = code;
    this.recognizer = recognizer;
  }
}
