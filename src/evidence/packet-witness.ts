// Witness cosignatures in an evidence packet: each checkpoint note in checkpoints.jsonl carries the cosignatures the
// ledger stored for it. With pinned witness keys (verify <packet> --witness), each chain's newest checkpoint in the
// packet MUST carry the quorum and no cosignature of a pinned key may fail: the rules and finding codes of
// `verify --witness` (src/verify/witness.ts). Cosignatures authenticate themselves: only the witness keys are
// trusted, not the exporter.
import { witnessAnchors } from '../verify/index.ts';
import type { CosignedNote, WitnessCheckOptions } from '../verify/index.ts';
import { PACKET_FILES } from './packet.ts';
import { readPacket } from './verify-packet.ts';
import type { PacketReport } from './verify-packet.ts';

/** The report with the witness findings added (offline: a packet names no witness to ask). */
export async function withPacketWitnesses(
  report: PacketReport,
  gz: Uint8Array,
  opts: WitnessCheckOptions,
): Promise<PacketReport> {
  let files: Map<string, Buffer>;
  try {
    files = readPacket(gz);
  } catch (err) {
    if (report.findings.some((f) => f.code === 'PACKET_MALFORMED')) return report; // already the verdict
    throw err;
  }
  const notes: CosignedNote[] = [];
  for (const line of (files.get(PACKET_FILES.checkpoints)?.toString('utf8') ?? '').split('\n')) {
    if (line.trim() === '') continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // the packet check reads the same lines: a line that is not JSON is its finding already
    }
    if (typeof entry !== 'object' || entry === null) continue;
    const { chain, note } = entry as { chain?: unknown; note?: unknown };
    if (typeof chain === 'string' && typeof note === 'string') notes.push({ chain, note });
  }
  const { findings } = await witnessAnchors(null, notes, { ...opts, urls: [] });
  const all = [...report.findings, ...findings];
  return { ...report, findings: all, ok: !report.inconclusive && !all.some((f) => f.severity === 'error') };
}
