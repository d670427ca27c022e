// The evidence packet's checks across files (verify-packet.ts runs them): consecutive checkpoints of a chain linked
// by consistency proofs, none left over, and every bundle policies.json names present with its recorded SHA-256.
import { verifyConsistency } from '../ledger/index.ts';
import { PACKET_FILES, sha256Hex } from './packet.ts';
import { fromHex, type Findings } from './packet-files.ts';
import type { CheckpointEntry, ConsistencyEntry, PolicyEntry } from './packet.ts';

/** Consecutive checkpoints of a chain MUST be linked by a valid consistency proof; no proof may dangle. */
export function checkConsistency(
  checkpoints: CheckpointEntry[],
  entries: ConsistencyEntry[],
  roots: Map<string, Uint8Array>,
  log: Findings,
): void {
  const byChain = new Map<string, number[]>();
  for (const c of checkpoints) {
    const sizes = byChain.get(c.chain);
    if (sizes) sizes.push(c.tree_size);
    else byChain.set(c.chain, [c.tree_size]);
  }
  const given = new Map(entries.map((e) => [`${e.chain}\u0000${e.from_size}\u0000${e.to_size}`, e]));
  for (const [chain, sizes] of byChain) {
    sizes.sort((a, b) => a - b);
    for (let i = 1; i < sizes.length; i++) {
      const from = sizes[i - 1] as number;
      const to = sizes[i] as number;
      const key = `${chain}\u0000${from}\u0000${to}`;
      const entry = given.get(key);
      given.delete(key);
      const r1 = roots.get(`${chain}\u0000${from}`);
      const r2 = roots.get(`${chain}\u0000${to}`);
      if (!entry)
        log.add('PACKET_CONSISTENCY_INVALID', chain, null, `no consistency proof from tree size ${from} to ${to}`);
      else if (r1 !== undefined && r2 !== undefined && !verifyConsistency(from, to, entry.proof.map(fromHex), r1, r2)) {
        log.add(
          'PACKET_CONSISTENCY_INVALID',
          chain,
          null,
          `the checkpoint at tree size ${to} is not an extension of the one at ${from}`,
        );
      }
    }
  }
  for (const e of given.values())
    log.add(
      'PACKET_CONSISTENCY_INVALID',
      e.chain,
      null,
      `a consistency proof (${e.from_size} -> ${e.to_size}) names checkpoints the packet does not pair`,
    );
}

/** Every bundle policies.json names MUST be in the packet with the digest the records name. */
export function checkBundles(files: Map<string, Buffer>, log: Findings): void {
  const raw = files.get(PACKET_FILES.policies);
  if (raw === undefined) {
    log.add('PACKET_MALFORMED', '', null, 'the packet has no policies.json');
    return;
  }
  let entries: PolicyEntry[];
  try {
    entries = JSON.parse(raw.toString('utf8')) as PolicyEntry[];
    if (
      !Array.isArray(entries) ||
      !entries.every(
        (e) =>
          typeof e?.sha256 === 'string' &&
          typeof e.revision === 'string' &&
          (e.bundle === null || typeof e.bundle === 'string'),
      )
    )
      throw new Error('shape');
  } catch {
    // Not JSON or not the shape: both are this finding.
    log.add('PACKET_MALFORMED', '', null, 'policies.json is not a list of { revision, sha256, decisions, bundle }');
    return;
  }
  for (const e of entries) {
    if (e.bundle === null) continue;
    const bytes = files.get(e.bundle);
    if (bytes === undefined)
      log.add('PACKET_FILE_MISSING', '', null, `${e.bundle} is named in policies.json but not in the packet`);
    else if (sha256Hex(bytes) !== e.sha256)
      log.add(
        'PACKET_BUNDLE_MISMATCH',
        '',
        null,
        `${e.bundle} is not the bundle with SHA-256 ${e.sha256} that the records name`,
      );
  }
}
