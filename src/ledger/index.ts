// The ledger's public surface: canonical JSON, keys, the record format, the append-only chain and its verifier.
export { canonicalize, canonicalString, parseCanonical } from './canonical.ts';
export type { JsonValue } from './canonical.ts';
export { LedgerError } from './errors.ts';
export type { LedgerErrorCode } from './errors.ts';
export { generateSigningKey, kidOf, loadSigner, publicKeyFromPem } from './keys.ts';
export type { Signer } from './keys.ts';
export { leafHash, recomputeHash, schemaProblem, sealRecord, signatureValid, signingMessage } from './record.ts';
export type { AuditRecord, RecordEnvelope, RecordType, SealedRecord, UnsignedRecord } from './record.ts';
export { openLedger } from './ledger.ts';
export type { AppendedRecord, Clock, Ledger, LedgerOptions, RecordIndex } from './ledger.ts';
export { FINDING_SEVERITY } from './findings.ts';
export type { FindingCode, VerifyFinding } from './findings.ts';
export { verifyLedger } from './verify.ts';
export type { ChainSummary, VerifyOptions, VerifyReport } from './verify.ts';
