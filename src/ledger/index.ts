// The ledger's public surface: canonical JSON, keys, the record format and the append-only chain. Its verifier is
// src/verify, which reads the format through format.ts.
export { canonicalize, canonicalString, parseCanonical } from './canonical.ts';
export type { JsonValue } from './canonical.ts';
export { LedgerError } from './errors.ts';
export type { LedgerErrorCode } from './errors.ts';
export { generateSigningKey, kidOf, loadSigner, publicKeyFromPem } from './keys.ts';
export type { Signer } from './keys.ts';
export { leafHash, recomputeHash, schemaProblem, sealRecord, signatureValid, signingMessage } from './record.ts';
export type { AuditRecord, RecordEnvelope, RecordType, SealedRecord, UnsignedRecord } from './record.ts';
export { leaseName, openLedger } from './ledger.ts';
export { bodyDigest, bodyDigestKey, bodyDigestOf } from './body-digest.ts';
export type {
  AppendedRecord,
  AppendOptions,
  Clock,
  Ledger,
  LedgerOptions,
  LedgerTiming,
  OutcomeCommit,
  RecordIndex,
  RetentionBody,
} from './ledger.ts';
export { applyRetention, DEFAULT_RETENTION_MONTHS, planRetention } from './retention.ts';
export type {
  RetentionChain,
  RetentionOptions,
  RetentionPartition,
  RetentionPlan,
  RetentionResult,
} from './retention.ts';
export { monthOf, partitionName, PARTITION_NAME } from './partitions.ts';
export type { GroupCommitOptions } from './group-commit.ts';
export { defaultOrigin } from './checkpointer.ts';
export { latestCheckpoint, SERVED_CANDIDATES, servedCheckpoints } from './checkpoint-notes.ts';
export type { OwnCheckpoints } from './checkpoint-notes.ts';
export type { CheckpointOptions, RefusedCheckpointRow, StoredCheckpoint } from './checkpointer.ts';
export {
  CompactTree,
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';
export type { Hash } from './merkle.ts';
export { checkpointBody, MAX_NOTE_BYTES, openCheckpoint, signCheckpoint, verifierKey } from './note.ts';
export type { Checkpoint } from './note.ts';
export { columnsDiffer, queryColumns } from './verify-columns.ts';
export type { QueryColumns } from './verify-columns.ts';
export { keyWindows, parseKeyring, rotateKeyring, withinWindow } from './keyring.ts';
export type { Keyring, KeyringEntry, KeyWindow } from './keyring.ts';
export { rotatedKey } from './rotation.ts';
export {
  checkCosignature,
  parseWitnessKey,
  splitNote,
  withSignatures,
  witnessVerifierKey,
} from './witness-cosignature.ts';
export type { Cosignature, CosignatureCheck, WitnessKey } from './witness-cosignature.ts';
export type { WitnessEndpoint, WitnessOptions } from './witness.ts';
