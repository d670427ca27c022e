// The limits stage's errors, each with a stable code the pipeline maps to a status (src/pipeline/failures.ts).
export type LimitsErrorCode =
  /** A limit the request would pass: 429 with retry-after. */
  | 'ERR_LIMIT_EXCEEDED'
  /** The reservation store (the database) could not be reached or failed: 503, nothing forwarded. */
  | 'ERR_LIMITS_UNAVAILABLE'
  /** The pricing table has no entry for the model and says unknown models are denied. */
  | 'ERR_MODEL_NOT_PRICED'
  /** The decision named a tenant or client limit for a principal without a tenant or client id. */
  | 'ERR_LIMIT_SCOPE_UNRESOLVED'
  /** The pricing file does not match schemas/pricing.v1.json. */
  | 'ERR_PRICING_INVALID'
  /** A value given to the stage is out of range (a bug in the caller). */
  | 'ERR_LIMITS_INVALID';

export class LimitsError extends Error {
  readonly code: LimitsErrorCode;
  constructor(code: LimitsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LimitsError';
    this.code = code;
  }
}
