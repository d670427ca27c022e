// The ledger's one error class. Callers switch on `code`, never on the message:
// ERR_RECORD_INVALID (a value cannot go into a record; `path` names it), ERR_RECORD_NOT_CANONICAL (bytes are not
// the canonical form of what they parse to), ERR_KEY_INVALID (not an Ed25519 key of the expected kind, or a bad
// keyring), ERR_AUDIT_UNAVAILABLE (the record could not be durably written; nothing was acknowledged),
// ERR_CHAIN_LEASED (another process holds the chain), ERR_CHAIN_CONFLICT (the chain moved under its lease holder),
// ERR_RETENTION_REFUSED (retention would drop what it must keep, or cannot trim a chain cleanly; nothing dropped),
// ERR_AUDIT_PENDING (an outcome not yet committed within its wait: the ledger holds it and retries until committed).

export type LedgerErrorCode =
  | 'ERR_RECORD_INVALID'
  | 'ERR_RECORD_NOT_CANONICAL'
  | 'ERR_KEY_INVALID'
  | 'ERR_AUDIT_UNAVAILABLE'
  | 'ERR_CHAIN_LEASED'
  | 'ERR_CHAIN_CONFLICT'
  | 'ERR_RETENTION_REFUSED'
  | 'ERR_AUDIT_PENDING';

export class LedgerError extends Error {
  readonly code: LedgerErrorCode;
  /** JSON path of the offending value, for ERR_RECORD_INVALID. */
  readonly path: string | undefined;
  constructor(code: LedgerErrorCode, message: string, options?: { cause?: unknown; path?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LedgerError';
    this.code = code;
    this.path = options?.path;
  }
}
