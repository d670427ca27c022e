// The auditor's side of the ledger: verifyLedger checks a chain (hashes, signatures, order, pairing, checkpoints,
// trust) offline or against the database, on worker threads; record sources, checkpoint streams, the state file and
// witness anchors. It reads the record format through src/ledger/format.ts; no writer imports this folder.
export { FINDING_SEVERITY } from './findings.ts';
export type { FindingCode, FindingSeverity, VerifyFinding } from './findings.ts';
export { verifyLedger } from './verify.ts';
export type { ChainSummary, SignatureMode, VerifyOptions, VerifyReport } from './report.ts';
export type { AcceptedCheckpoint, ExternalCheckpoint, RememberedCheckpoint } from './checkpoints.ts';
export { memorySource, rowSource, sqlSource } from './source.ts';
export type { LedgerSource, MemoryOptions, SourceCheckpoint } from './source.ts';
export { inspectRecord } from './inspect-record.ts';
export type { RecordFacts, RecordRow } from './inspect-record.ts';
export { verifyCheckpointStream } from './stream.ts';
export type { StreamEntry, StreamOptions } from './stream.ts';
export { readVerifyState, StateFileError, writeVerifyState } from './state.ts';
export type { VerifyState } from './state.ts';
export { finishWitnessCheck, witnessAnchors } from './witness.ts';
export type { CosignedNote, WitnessAnchors, WitnessCheckOptions } from './witness.ts';
