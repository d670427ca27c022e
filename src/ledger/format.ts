// The record format the writer and the auditor share, without the writer: canonical JSON, keys and their kid, a
// record's hash, schema and signature checks (one by one or batched), Merkle trees, signed-note checkpoints, the
// keyring and rotation statements, a decision's query columns, witness cosignatures and the tlog-witness client.
// src/verify imports the ledger through this file only; it MUST NOT export anything that writes (openLedger, the chain
// writer, retention), so verification loads none of it, in its worker threads included.
export { canonicalMembers } from './canonical.ts';
export type { JsonValue } from './canonical.ts';
export { signatureBackend, signaturesValid } from './ed25519-batch.ts';
export type { SignatureBackend, SignatureCheck } from './ed25519-batch.ts';
export { LedgerError } from './errors.ts';
export { withinWindow } from './keyring.ts';
export type { KeyWindow } from './keyring.ts';
export { kidOf, publicKeyFromPem } from './keys.ts';
export { CompactTree } from './merkle.ts';
export { MAX_NOTE_BYTES, openCheckpoint } from './note.ts';
export { leafHash, schemaProblem, signatureValid } from './record.ts';
export type { SealedRecord } from './record.ts';
export { rotatedKey } from './rotation.ts';
export { columnsDiffer, queryColumns } from './verify-columns.ts';
export type { QueryColumns } from './verify-columns.ts';
export { addCheckpoint } from './witness-client.ts';
export type { FetchLike } from './witness-client.ts';
export { checkCosignature, logSignedOnly, parseWitnessKey, splitNote, withSignatures } from './witness-cosignature.ts';
export type { WitnessKey } from './witness-cosignature.ts';
