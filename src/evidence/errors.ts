// Why an export or a replay could not run at all (findings describe what verification found; these stop the work).
export type EvidenceErrorCode =
  | 'ERR_EXPORT_NOTHING_SELECTED'
  | 'ERR_EXPORT_NOT_CHECKPOINTED'
  | 'ERR_EXPORT_LEDGER_INCONSISTENT'
  | 'ERR_EXPORT_TOO_LARGE'
  | 'ERR_PACKET_UNREADABLE';

export class EvidenceError extends Error {
  readonly code: EvidenceErrorCode;
  constructor(code: EvidenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EvidenceError';
    this.code = code;
  }
}
