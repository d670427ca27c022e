// Classification failures, each with a stable `code`. They arise when a classifier is built (a configuration
// error at start-up), never while classifying: classify() has no failure mode but a bug.

export type ClassificationErrorCode = 'ERR_RECOGNIZER_INVALID' | 'ERR_FINGERPRINT_KEY_INVALID';

export class ClassificationError extends Error {
  override readonly name = 'ClassificationError';
  readonly code: ClassificationErrorCode;
  /** The offending recognizer's type (or its index when it has none), null when not about one recognizer. */
  readonly recognizer: string | null;

  constructor(code: ClassificationErrorCode, recognizer: string | null, message: string, options?: { cause?: unknown }) {
    super(recognizer === null ? message : `recognizer ${recognizer}: ${message}`, options);
    this.code = code;
    this.recognizer = recognizer;
  }
}
