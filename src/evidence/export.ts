// Builds an evidence packet from the ledger database. Records are selected by their signed content after every row
// was checked against its bytes (src/evidence/select.ts); the manifest states that selection. The exporter never
// signs ledger checkpoints: every selected
// record MUST be covered by a checkpoint the ledger already signed, or the export fails (ERR_EXPORT_NOT_CHECKPOINTED)
// unless untilCheckpoint drops the uncovered tail. Each record is proven against the smallest checkpoint covering it,
// consecutive anchors are linked by consistency proofs, and the packet is checked before its manifest is signed.
// Every key_rotated record (public key material only) of a chain with selected records, up to its latest checkpoint,
// rides along so a verifier that pins only an earlier key can follow the rotations. Same database, query, keys and
// exportedAt give byte-identical packets.
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { canonicalize, kidOf, MAX_NOTE_BYTES, openCheckpoint, withSignatures } from '../ledger/index.ts';
import { EvidenceError } from './errors.ts';
import { bundlePath, exporterIdentity, fileEntry, PACKET_FILES, signManifest } from './packet.ts';
import type {
  CheckpointEntry,
  ConsistencyEntry,
  InclusionEntry,
  PacketChain,
  PacketCounts,
  PacketManifest,
  PacketQuery,
  PacketSelection,
  PolicyEntry,
} from './packet.ts';
import { ProofTree } from './proofs.ts';
import { renderReport } from './report.ts';
import type { ReportVerdict } from './report.ts';
import { asObject, scanLedger } from './select.ts';
import type { SelectedRecord } from './select.ts';
import { writeTarGz } from '../tar/index.ts';
import { checkContents, newFindings } from './verify-packet.ts';
import type { PacketTrust } from './verify-packet.ts';

export interface ExportOptions {
  sql: Sql;
  /** The exporter's Ed25519 private key: signs manifest.json (not a ledger key's job, though it may be one). */
  exporterKey: KeyObject;
  exportedBy: string;
  exportedAt: Date;
  query: PacketQuery;
  /** Bundles by SHA-256 to include; decisions whose bundle is absent get its manifest (revision + sha256) only. */
  bundles?: Map<string, Uint8Array>;
  /** Keys to check the packet with before signing; without, the database's registered keys (labelled as such). */
  trust?: PacketTrust;
  maxRecords?: number;
  /** The file name the operator will hand over, for the re-verify command in the report. */
  packetName?: string;
}

export interface ExportResult {
  bytes: Buffer;
  manifest: PacketManifest;
  verdict: ReportVerdict;
  /** Bundle SHA-256s the records name that were not included (only reported when bundles were asked for). */
  missingBundles: string[];
}

interface StoredCheckpointRow {
  size: number;
  root: string;
  /** Its note, with the stored witness cosignatures that fit within MAX_NOTE_BYTES. */
  note: string;
}

export async function exportPacket(opts: ExportOptions): Promise<ExportResult> {
  const { sql, query } = opts;
  const records: SelectedRecord[] = [];
  const proofs: InclusionEntry[] = [];
  const checkpoints: CheckpointEntry[] = [];
  const consistency: ConsistencyEntry[] = [];
  const chains: PacketChain[] = [];
  const scanned: PacketSelection['scanned'] = [];
  let excluded = 0;
  const ledgerKeys = await checkpointKeys(sql, opts.trust);
  // Every chain is read whole and selected by content (src/evidence/select.ts); one chain is held at a time.
  for await (const scan of scanLedger(sql, query, opts.maxRecords ?? 100_000)) {
    const { chain, selected: chainRecords } = scan;
    scanned.push({ chain, first_seq: scan.first, records: scan.hashes.length });
    if (chainRecords.length === 0) continue;
    const stored = await loadCheckpoints(sql, chain, ledgerKeys);
    const latest = stored[stored.length - 1];
    const covered = latest === undefined ? [] : chainRecords.filter((r) => r.seq < latest.size);
    if (covered.length < chainRecords.length) {
      if (!query.until_checkpoint) {
        const newest = chainRecords[chainRecords.length - 1] as SelectedRecord;
        throw new EvidenceError(
          'ERR_EXPORT_NOT_CHECKPOINTED',
          `chain ${chain}: record seq ${newest.seq} is newer than the chain's latest signed checkpoint ` +
            `(${latest === undefined ? 'none' : `tree size ${latest.size}`}); ` +
            'wait for the next checkpoint, or export with --until-checkpoint to leave out the records it does not ' +
            'cover yet',
        );
      }
      excluded += chainRecords.length - covered.length;
    }
    if (covered.length === 0 || latest === undefined) continue;
    if (scan.first !== 0 || scan.hashes.length < latest.size) {
      throw new EvidenceError(
        'ERR_EXPORT_LEDGER_INCONSISTENT',
        `chain ${chain} holds records ${scan.first}..${scan.first + scan.hashes.length - 1}, not every record under ` +
          `its checkpoint at tree size ${latest.size}; run proctor verify on this database`,
      );
    }
    const tree = new ProofTree(scan.hashes.slice(0, latest.size));
    // The chain's key rotations under its latest checkpoint: they may have rotated in the key of a later record or
    // of the checkpoints below, and a verifier follows them only from a key it pins.
    const chosen = new Set(covered.map((r) => r.seq));
    const rotations = scan.rotations.filter((r) => r.seq < latest.size && !chosen.has(r.seq));
    const disclosed = [...covered, ...rotations].sort((a, b) => a.seq - b.seq);
    // Anchor each record to the smallest checkpoint covering it; link anchors (and the latest) by consistency.
    const anchors = new Map<number, StoredCheckpointRow>();
    for (const r of disclosed) {
      const anchor = smallestCovering(stored, r.seq);
      anchors.set(anchor.size, anchor);
      proofs.push({
        chain,
        seq: r.seq,
        hash: String(r.record.hash),
        tree_size: anchor.size,
        proof: tree.inclusion(r.seq, anchor.size).map(hex),
      });
    }
    anchors.set(latest.size, latest);
    const used = [...anchors.values()].sort((a, b) => a.size - b.size);
    for (const c of used) {
      if (hex(tree.root(0, c.size)) !== c.root) {
        throw new EvidenceError(
          'ERR_EXPORT_LEDGER_INCONSISTENT',
          `chain ${chain}: the stored records do not have the root of the checkpoint at tree size ${c.size}; run ` +
            'proctor verify on this database',
        );
      }
      checkpoints.push({ chain, tree_size: c.size, root: c.root, note: c.note });
    }
    for (let i = 1; i < used.length; i++) {
      const from = (used[i - 1] as StoredCheckpointRow).size;
      const to = (used[i] as StoredCheckpointRow).size;
      consistency.push({ chain, from_size: from, to_size: to, proof: tree.consistency(from, to).map(hex) });
    }
    records.push(...disclosed);
    const stamps = disclosed.map((r) => String(r.record.ts)).sort();
    chains.push({
      chain,
      records: disclosed.length,
      first_ts: stamps[0] ?? null,
      last_ts: stamps[stamps.length - 1] ?? null,
      checkpoint_size: latest.size,
    });
  }
  if (records.length === 0) {
    throw new EvidenceError(
      'ERR_EXPORT_NOTHING_SELECTED',
      excluded > 0
        ? `the ${excluded} matching record(s) are all newer than the latest checkpoint`
        : 'no record matches the filters',
    );
  }

  const policies = policyEntries(records, opts.bundles);
  const keys = await keyring(sql, records);
  const files = new Map<string, Buffer>([
    [PACKET_FILES.records, lines(records.map((r) => r.bytes))],
    [PACKET_FILES.proofs, lines(proofs.map((p) => canonicalize(p)))],
    [PACKET_FILES.checkpoints, lines(checkpoints.map((c) => canonicalize(c)))],
    [PACKET_FILES.consistency, lines(consistency.map((c) => canonicalize(c)))],
    [PACKET_FILES.keyring, Buffer.from(`${JSON.stringify(keys, null, 2)}\n`)],
    [PACKET_FILES.policies, Buffer.from(`${JSON.stringify(policies.entries, null, 2)}\n`)],
  ]);
  for (const [sha, bytes] of policies.included) files.set(bundlePath(sha), Buffer.from(bytes));

  // Check what is about to be signed, with pinned keys if given; the verdict goes into the report.
  const trust = opts.trust ?? { ledgerKeys: keys.keys.map((k) => k.public_key_pem), exporterKeys: [] };
  const log = newFindings();
  checkContents(files, trust, log, null);
  const verdict: ReportVerdict = {
    keySource: opts.trust ? 'pinned' : 'database',
    trustedKids: trust.ledgerKeys.map(kidOf),
    findings: log.close(),
  };

  const counts = countRecords(records, excluded, chains.length, checkpoints.length);
  const identity = exporterIdentity(opts.exporterKey);
  const exportedAt = opts.exportedAt.toISOString();
  const selection: PacketSelection = { basis: 'signed-content', scanned };
  const base = {
    v: 1 as const,
    kind: 'proctor-evidence-packet' as const,
    exported_at: exportedAt,
    exported_by: opts.exportedBy,
    exporter: identity,
    query,
    selection,
    counts,
    chains,
  };
  files.set(
    PACKET_FILES.report,
    Buffer.from(
      renderReport({
        manifest: base,
        records: records.map((r) => r.record),
        verdict,
        packetName: opts.packetName ?? 'packet.tar.gz',
      }),
    ),
  );

  const names = [...files.keys()].sort();
  const manifest: PacketManifest = { ...base, files: names.map((n) => fileEntry(n, files.get(n) as Buffer)) };
  const signed = signManifest(manifest, opts.exporterKey);
  const entries = [
    { name: PACKET_FILES.manifest, data: signed.manifest },
    { name: PACKET_FILES.signature, data: signed.signature },
    ...names.map((n) => ({ name: n, data: files.get(n) as Buffer })),
  ];
  return {
    bytes: writeTarGz(entries, Math.floor(opts.exportedAt.getTime() / 1000)),
    manifest,
    verdict,
    missingBundles: opts.bundles ? policies.missing : [],
  };
}

/** The smallest checkpoint whose tree holds leaf `seq` (checkpoints sorted by size; the last one covers it). */
function smallestCovering(sorted: StoredCheckpointRow[], seq: number): StoredCheckpointRow {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as StoredCheckpointRow).size > seq) hi = mid;
    else lo = mid + 1;
  }
  return sorted[lo] as StoredCheckpointRow;
}

/** The keys a stored row's note must open under to be a checkpoint: the pinned ones and the database's registered
 * ones (a note under neither is no checkpoint whatever the packet is checked with). */
async function checkpointKeys(sql: Sql, trust: PacketTrust | undefined): Promise<KeyObject[]> {
  const { rows } = await sql.query<{ public_key_pem: string }>('SELECT public_key_pem FROM audit_keys');
  return [...(trust?.ledgerKeys ?? []), ...rows.map((r) => r.public_key_pem)].map((pem) => createPublicKey(pem));
}

/**
 * The chain's checkpoints: each stored row whose note opens under one of `keys` at the row's own size and root, with
 * the witness cosignatures stored for it (docs/ledger.md, witnesses) while note and lines stay within MAX_NOTE_BYTES,
 * else without them. audit_checkpoints and audit_witness_cosignatures take an INSERT from anyone with the role: a row
 * planted past the head or between two checkpoints, a note over the bound, or lines planted to push a note past it are
 * left out (proctor verify reports the rows), never an anchor nor a reason to refuse the export.
 */
async function loadCheckpoints(sql: Sql, chain: string, keys: readonly KeyObject[]): Promise<StoredCheckpointRow[]> {
  // A note over MAX_NOTE_BYTES (Proctor's stay under 7 KiB) is not fetched: memory stays bounded.
  const { rows } = await sql.query<{
    tree_size: unknown;
    root_hash: unknown;
    note: string | null;
    lines: string[] | null;
  }>(
    `SELECT c.tree_size, c.root_hash,
            CASE WHEN octet_length(c.note) <= $2::int THEN c.note END AS note,
            CASE WHEN octet_length(c.note) + s.bytes <= $2::int THEN s.lines END AS lines
       FROM audit_checkpoints c
       JOIN LATERAL (
         SELECT coalesce(sum(octet_length(w.line) + 1), 0) AS bytes,
                array_remove(array_agg(w.line ORDER BY w.witness), NULL) AS lines
           FROM audit_witness_cosignatures w
          WHERE w.chain = c.chain AND w.tree_size = c.tree_size
       ) s ON true
      WHERE c.chain = $1 ORDER BY c.tree_size`,
    [chain, MAX_NOTE_BYTES],
  );
  const out: StoredCheckpointRow[] = [];
  for (const r of rows) {
    const size = toSafeInteger(r.tree_size);
    const root = hex(toBytes(r.root_hash));
    if (r.note === null || !signedAt(r.note, keys, size, root)) continue;
    const note = r.lines && r.lines.length > 0 && r.note.includes('\n\n') ? withSignatures(r.note, r.lines) : r.note;
    out.push({ size, root, note });
  }
  return out;
}

/** Whether `note` opens under one of `keys` at `size` and `root` (hex). */
function signedAt(note: string, keys: readonly KeyObject[], size: number, root: string): boolean {
  try {
    const opened = openCheckpoint(note, keys);
    return opened.size === size && hex(opened.root) === root;
  } catch {
    return false; // planted, or under a key neither pinned nor registered
  }
}

function policyEntries(records: SelectedRecord[], bundles: Map<string, Uint8Array> | undefined) {
  const seen = new Map<string, { revision: string; decisions: number }>();
  const note = (p: ReturnType<typeof asObject>, decided: boolean) => {
    if (typeof p?.revision !== 'string' || typeof p.sha256 !== 'string') return;
    const e = seen.get(p.sha256) ?? { revision: p.revision, decisions: 0 };
    if (decided) e.decisions++;
    seen.set(p.sha256, e);
  };
  for (const { record } of records) {
    note(asObject(record.policy), record.type === 'decision');
    note(asObject(record.shadow), false);
  }
  const included = new Map<string, Uint8Array>();
  const missing: string[] = [];
  const entries: PolicyEntry[] = [...seen]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([sha256, e]) => {
      const bytes = bundles?.get(sha256);
      if (bytes) included.set(sha256, bytes);
      else missing.push(sha256);
      return { revision: e.revision, sha256, decisions: e.decisions, bundle: bytes ? bundlePath(sha256) : null };
    });
  return { entries, included, missing };
}

/** Public keys registered in the database (informative: a verifier pins its own). Windows open at registration or
 * at the key's first exported record, whichever is earlier; they are not closed here. */
async function keyring(sql: Sql, records: SelectedRecord[]) {
  const { rows } = await sql.query<{ kid: string; public_key_pem: string; created_at: unknown }>(
    'SELECT kid, public_key_pem, created_at FROM audit_keys ORDER BY kid',
  );
  const first = new Map<string, string>();
  for (const { record } of records) {
    const kid = String(record.kid);
    const ts = String(record.ts);
    if (!first.has(kid) || ts < (first.get(kid) as string)) first.set(kid, ts);
  }
  return {
    version: 1 as const,
    keys: rows.map((r) => {
      const created =
        r.created_at instanceof Date ? r.created_at.toISOString() : new Date(String(r.created_at)).toISOString();
      const earliest = first.get(r.kid);
      return {
        kid: r.kid,
        public_key_pem: r.public_key_pem,
        not_before: earliest !== undefined && earliest < created ? earliest : created,
        not_after: null,
      };
    }),
  };
}

function countRecords(records: SelectedRecord[], excluded: number, chains: number, checkpoints: number): PacketCounts {
  const counts: PacketCounts = {
    records: records.length,
    decisions: 0,
    allowed: 0,
    denied: 0,
    redacted: 0,
    outcomes: 0,
    other: 0,
    chains,
    checkpoints,
    excluded_uncheckpointed: excluded,
  };
  for (const { record } of records) {
    if (record.type === 'decision') {
      counts.decisions++;
      if (asObject(record.decision)?.allow === true) {
        counts.allowed++;
        if (isRedacted(record)) counts.redacted++;
      } else counts.denied++;
    } else if (record.type === 'outcome') counts.outcomes++;
    else counts.other++;
  }
  return counts;
}

export function isRedacted(record: Record<string, unknown>): boolean {
  const types = asObject((asObject(record.redaction as never) ?? {}).types);
  return types !== null && Object.values(types).some((n) => typeof n === 'number' && n > 0);
}

function lines(items: Uint8Array[]): Buffer {
  return Buffer.concat(items.flatMap((b) => [Buffer.from(b), Buffer.from('\n')]));
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
