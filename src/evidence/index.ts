// The evidence stage's public surface: export a signed evidence packet from the ledger, verify a packet offline
// against pinned keys, render its human report, and replay recorded decisions against their policy bundles.
export { EvidenceError } from './errors.ts';
export type { EvidenceErrorCode } from './errors.ts';
export { exportPacket } from './export.ts';
export type { ExportOptions, ExportResult } from './export.ts';
export { bundlePath, openManifest, PACKET_FILES } from './packet.ts';
export type {
  CheckpointEntry,
  ConsistencyEntry,
  InclusionEntry,
  PacketCounts,
  PacketManifest,
  PacketQuery,
  PolicyEntry,
} from './packet.ts';
export { escapeHtml, renderReport, verdictLabel } from './report.ts';
export type { ReportVerdict } from './report.ts';
export { indexBundles, replayDecisions } from './replay.ts';
export type { ReplayMismatch, ReplayReport } from './replay.ts';
export { selectRecords } from './select.ts';
export { PACKET_LIMITS, newFindings, parseRecords, readPacket, verifyPacket } from './verify-packet.ts';
export type { PacketRecord, PacketReport, PacketTrust } from './verify-packet.ts';
export { ProofTree } from './proofs.ts';
export { withPacketWitnesses } from './packet-witness.ts';
