// Verifies an evidence packet offline, against keys pinned out of band (never the keys the packet carries):
// manifest signature and exporter trust, every file's SHA-256, every record's canonical bytes, schema, hash,
// signature and key window, every inclusion proof against a checkpoint signed by a trusted ledger key, consistency
// between consecutive checkpoints of a chain, and the bundles' digests. Key rotations the packet holds are followed
// from a pinned key (packet-trust.ts), as `proctor verify --db` does. Findings use the ledger's stable codes.
// What a packet cannot prove: that the exporter left nothing out (completeness rests on the exporter's signature).
import type { KeyObject } from 'node:crypto';
import {
  kidOf,
  openCheckpoint,
  parseKeyring,
  publicKeyFromPem,
  recomputeHash,
  schemaProblem,
  signatureValid,
  verifyInclusion,
  withinWindow,
} from '../ledger/index.ts';
import type { JsonValue, KeyWindow } from '../ledger/index.ts';
import type { VerifyFinding } from '../verify/index.ts';
import { readTarGz, UstarError } from '../tar/index.ts';
import type { UstarLimits } from '../tar/index.ts';
import { openManifest, PACKET_FILES, sha256Hex } from './packet.ts';
import {
  Findings,
  fromHex,
  isCheckpoint,
  isConsistency,
  isInclusion,
  jsonLines,
  parseRecords,
} from './packet-files.ts';
import type { PacketRecord } from './packet-files.ts';
import { PacketKeyTrust } from './packet-trust.ts';
import { checkBundles, checkConsistency } from './packet-checks.ts';
import type { CheckpointEntry, ConsistencyEntry, InclusionEntry, PacketManifest } from './packet.ts';

export { newFindings, parseRecords } from './packet-files.ts';
export type { Findings, PacketRecord } from './packet-files.ts';

export interface PacketTrust {
  /** SPKI PEM ledger keys (record and checkpoint signers), pinned out of band. */
  ledgerKeys: string[];
  /** Validity windows by kid, from a pinned keyring. */
  keyWindows?: Map<string, KeyWindow>;
  /** Exporter keys (SPKI PEM) whose signature on the manifest is accepted; ledger keys count too. */
  exporterKeys: string[];
  /** Pinned fingerprints (`ed25519:<hex>`): a ledger fingerprint is resolved against the packet's keyring.json (the
   * fingerprint authenticates the key, as with `proctor verify --db`); an exporter fingerprint names the manifest
   * key. */
  ledgerFingerprints?: string[];
  exporterFingerprints?: string[];
}

export interface PacketChainSummary {
  chain: string;
  records: number;
  first_ts: string | null;
  last_ts: string | null;
  checkpoint_size: number | null;
}

export interface PacketReport {
  ok: boolean;
  inconclusive: boolean;
  /** selection: how the exporter says it chose the records (manifest `selection.basis`); null in older packets. */
  exporter: {
    kid: string;
    exported_by: string;
    exported_at: string;
    trusted: boolean;
    selection: 'signed-content' | null;
  } | null;
  records: number;
  chains: PacketChainSummary[];
  findings: VerifyFinding[];
}

/** Packets are bounded: larger archives, files or file counts are refused before they are read. */
export const PACKET_LIMITS: UstarLimits = {
  maxArchiveBytes: 1024 * 1024 * 1024,
  maxFileBytes: 512 * 1024 * 1024,
  maxFiles: 10_000,
};

export function readPacket(gz: Uint8Array): Map<string, Buffer> {
  return readTarGz(gz, PACKET_LIMITS);
}

/** The whole check, from the archive bytes. */
export function verifyPacket(gz: Uint8Array, pinned: PacketTrust): PacketReport {
  let trust = pinned;
  const log = new Findings();
  let files: Map<string, Buffer>;
  try {
    files = readPacket(gz);
  } catch (err) {
    const why = err instanceof UstarError ? err.message : 'not a readable archive';
    log.add('PACKET_MALFORMED', '', null, `the packet is not a readable tar.gz: ${why}`);
    return { ok: false, inconclusive: false, exporter: null, records: 0, chains: [], findings: log.list };
  }
  const manifestBytes = files.get(PACKET_FILES.manifest);
  const signatureBytes = files.get(PACKET_FILES.signature);
  if (manifestBytes === undefined || signatureBytes === undefined) {
    log.add('PACKET_MALFORMED', '', null, 'the packet has no manifest.json or no manifest.sig');
    return { ok: false, inconclusive: false, exporter: null, records: 0, chains: [], findings: log.list };
  }
  const opened = openManifest(manifestBytes, signatureBytes);
  if (!opened.ok) log.add(opened.code, '', null, opened.why);
  const manifest = opened.manifest;
  if (manifest === null)
    return { ok: false, inconclusive: false, exporter: null, records: 0, chains: [], findings: log.list };

  trust = resolveFingerprints(files, trust, log);
  const exporterKids = new Set([...trust.exporterKeys, ...trust.ledgerKeys].map(kidOf));
  for (const kid of trust.exporterFingerprints ?? []) exporterKids.add(kid);
  const exporterTrusted = opened.ok && exporterKids.has(manifest.exporter.kid);
  if (opened.ok && !exporterTrusted) {
    log.add(
      'PACKET_EXPORTER_UNTRUSTED',
      '',
      null,
      `the manifest is signed by ${manifest.exporter.kid}, which is not a trusted exporter key (--trust-exporter)`,
    );
  }
  checkDigests(files, manifest, log);
  const contents = checkContents(files, trust, log, manifest);
  const errors = log.list.some((f) => f.severity === 'error');
  const inconclusive = !exporterTrusted || contents.inconclusive || log.counts.has('TRUST_KEY_NOT_FOUND');
  return {
    ok: !errors && !inconclusive,
    inconclusive,
    exporter: {
      kid: manifest.exporter.kid,
      exported_by: manifest.exported_by,
      exported_at: manifest.exported_at,
      trusted: exporterTrusted,
      selection: manifest.selection?.basis ?? null,
    },
    records: contents.records.length,
    chains: contents.chains,
    findings: log.close(),
  };
}

/** Ledger fingerprints become keys from the packet's keyring.json whose kid they equal; unmatched ones are reported. */
function resolveFingerprints(files: Map<string, Buffer>, trust: PacketTrust, log: Findings): PacketTrust {
  const wanted = trust.ledgerFingerprints ?? [];
  if (wanted.length === 0) return trust;
  const found = new Map<string, string>();
  try {
    const keyring = parseKeyring((files.get(PACKET_FILES.keyring) ?? Buffer.from('')).toString('utf8'));
    for (const k of keyring.keys) found.set(k.kid, k.public_key_pem);
  } catch {
    // reported below: no key found for the fingerprints
  }
  const pems: string[] = [];
  for (const kid of wanted) {
    const pem = found.get(kid);
    if (pem !== undefined) pems.push(pem);
    else
      log.add(
        'TRUST_KEY_NOT_FOUND',
        '',
        null,
        `no public key with the pinned fingerprint ${kid} is in the packet's keyring.json`,
      );
  }
  return { ...trust, ledgerKeys: [...trust.ledgerKeys, ...pems] };
}

function checkDigests(files: Map<string, Buffer>, manifest: PacketManifest, log: Findings): void {
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const data = files.get(f.path);
    if (data === undefined)
      log.add('PACKET_FILE_MISSING', '', null, `${f.path} is listed in the manifest but not in the packet`);
    else if (data.length !== f.bytes || sha256Hex(data) !== f.sha256)
      log.add('PACKET_FILE_DIGEST_MISMATCH', '', null, `${f.path} does not have the SHA-256 the manifest gives`);
  }
  for (const name of files.keys()) {
    if (name === PACKET_FILES.manifest || name === PACKET_FILES.signature || listed.has(name)) continue;
    log.add('PACKET_FILE_UNLISTED', '', null, `${name} is in the packet but not in the signed manifest`);
  }
}

/** Everything below the manifest: records, proofs, checkpoints, consistency, bundles. Also run by the exporter. */
export function checkContents(
  files: Map<string, Buffer>,
  trust: PacketTrust,
  log: Findings,
  manifest: PacketManifest | null,
): { records: PacketRecord[]; chains: PacketChainSummary[]; inconclusive: boolean } {
  const pinned = new Map<string, KeyObject>();
  for (const pem of trust.ledgerKeys) pinned.set(kidOf(pem), publicKeyFromPem(pem));
  let inconclusive = false;
  if (pinned.size === 0) {
    inconclusive = true;
    log.add(
      'VERIFY_NO_TRUSTED_KEY',
      '',
      null,
      'no trusted ledger key given (--trust): signatures and checkpoints were not checked',
    );
  }

  const records = parseRecords(files, log);
  // Which key is trusted where: the pinned keys, and those key_rotated records in the packet rotate in from them.
  const keys = new PacketKeyTrust(pinned, records, log);
  const proofs = jsonLines<InclusionEntry>(files, PACKET_FILES.proofs, isInclusion, log);
  const checkpoints = jsonLines<CheckpointEntry>(files, PACKET_FILES.checkpoints, isCheckpoint, log);
  const consistency = jsonLines<ConsistencyEntry>(files, PACKET_FILES.consistency, isConsistency, log);

  // Checkpoints: each MUST be a note, signed by a key trusted for its chain at its tree size, that says what its
  // entry says. A rotated-in key signs only trees that hold its rotation record (tree size > the rotation's seq).
  const roots = new Map<string, Uint8Array>(); // chain \0 size -> root, trusted checkpoints only
  for (const c of checkpoints) {
    if (!keys.any) continue;
    try {
      const cp = openCheckpoint(c.note, keys.forCheckpoint(c.chain, c.tree_size));
      if (cp.size !== c.tree_size || Buffer.from(cp.root).toString('hex') !== c.root) throw new Error('differs');
      roots.set(`${c.chain}\u0000${c.tree_size}`, cp.root);
    } catch {
      // Unsigned, untrusted, malformed or different: each is this finding; the reason matters less than the fact.
      log.add(
        'CHECKPOINT_INVALID',
        c.chain,
        c.tree_size - 1,
        `the checkpoint at tree size ${c.tree_size} is not signed by a trusted key or disagrees with its entry`,
      );
    }
  }
  checkConsistency(checkpoints, consistency, roots, log);

  // Records, then their inclusion proofs.
  const byPosition = new Map<string, InclusionEntry>();
  for (const p of proofs) {
    const key = `${p.chain}\u0000${p.seq}`;
    if (byPosition.has(key)) log.add('PACKET_PROOF_INVALID', p.chain, p.seq, 'two inclusion proofs for one record');
    byPosition.set(key, p);
  }
  const seen = new Set<string>();
  const chains = new Map<string, PacketChainSummary>();
  for (const { record, line } of records) {
    const chain = typeof record.chain === 'string' ? record.chain : '';
    const seq = typeof record.seq === 'number' ? record.seq : null;
    const key = `${chain}\u0000${String(seq)}`;
    if (seen.has(key)) log.add('RECORD_DUPLICATE', chain, seq, `records.jsonl line ${line} repeats a record`);
    seen.add(key);
    const problem = schemaProblem(record);
    if (problem !== null) log.add('RECORD_SCHEMA_INVALID', chain, seq, problem);
    const hash = recomputeHash(record);
    const hashHex = Buffer.from(hash).toString('hex');
    if (record.hash !== hashHex)
      log.add('RECORD_HASH_MISMATCH', chain, seq, 'the recomputed hash differs from the recorded one');
    checkSignature(record, hash, keys, trust.keyWindows, chain, seq, log);
    const proof = byPosition.get(key);
    byPosition.delete(key);
    const root = proof ? roots.get(`${chain}\u0000${proof.tree_size}`) : undefined;
    if (!proof) log.add('PACKET_PROOF_INVALID', chain, seq, 'the record has no inclusion proof');
    else if (!keys.any) {
      // reported once as VERIFY_NO_TRUSTED_KEY
    } else if (root === undefined)
      log.add(
        'PACKET_PROOF_INVALID',
        chain,
        seq,
        `no trusted checkpoint of tree size ${proof.tree_size} anchors the proof`,
      );
    else if (
      proof.hash !== hashHex ||
      seq === null ||
      !verifyInclusion(seq, proof.tree_size, hash, proof.proof.map(fromHex), root)
    ) {
      log.add(
        'PACKET_PROOF_INVALID',
        chain,
        seq,
        `the inclusion proof does not lead from this record to the checkpoint at tree size ${proof.tree_size}`,
      );
    }
    const summary = chains.get(chain) ?? { chain, records: 0, first_ts: null, last_ts: null, checkpoint_size: null };
    summary.records++;
    const ts = typeof record.ts === 'string' ? record.ts : null;
    if (ts !== null && (summary.first_ts === null || ts < summary.first_ts)) summary.first_ts = ts;
    if (ts !== null && (summary.last_ts === null || ts > summary.last_ts)) summary.last_ts = ts;
    chains.set(chain, summary);
  }
  for (const p of byPosition.values())
    log.add('PACKET_RECORD_MISSING', p.chain, p.seq, 'an inclusion proof names a record that is not in records.jsonl');
  for (const c of checkpoints) {
    const s = chains.get(c.chain);
    if (s) s.checkpoint_size = Math.max(s.checkpoint_size ?? 0, c.tree_size);
  }
  if (manifest !== null) {
    if (manifest.counts.records !== records.length) {
      log.add(
        'PACKET_RECORD_MISSING',
        '',
        null,
        `the manifest counts ${manifest.counts.records} records, records.jsonl holds ${records.length}`,
      );
    }
    for (const c of manifest.chains) {
      const held = chains.get(c.chain)?.records ?? 0;
      if (held !== c.records)
        log.add(
          'PACKET_RECORD_MISSING',
          c.chain,
          null,
          `the manifest counts ${c.records} records of this chain, the packet holds ${held}`,
        );
    }
  }
  checkBundles(files, log);
  if (records.length === 0) {
    inconclusive = true;
    log.add('VERIFY_NO_RECORDS', '', null, 'the packet holds no records');
  }
  return { records, chains: [...chains.values()].sort((a, b) => (a.chain < b.chain ? -1 : 1)), inconclusive };
}

function checkSignature(
  record: Record<string, JsonValue>,
  hash: Uint8Array,
  keys: PacketKeyTrust,
  windows: Map<string, KeyWindow> | undefined,
  chain: string,
  seq: number | null,
  log: Findings,
): void {
  if (!keys.any) return;
  const kid = typeof record.kid === 'string' ? record.kid : '(no kid)';
  const verdict = keys.forRecord(chain, seq, kid);
  if (verdict.kind === 'retired')
    log.add(
      'RECORD_KEY_RETIRED',
      chain,
      seq,
      `signed by ${kid}, which the key_rotated record at seq ${verdict.by} of this chain retired`,
    );
  else if (verdict.kind === 'untrusted') {
    const why =
      verdict.from === null
        ? 'which is not trusted'
        : `which is trusted only after the key_rotated record at seq ${verdict.from} of this chain`;
    log.add('RECORD_KEY_UNTRUSTED', chain, seq, `signed by ${kid}, ${why}`);
  } else if (typeof record.sig !== 'string' || !signatureValid(hash, record.sig, verdict.key))
    log.add('RECORD_SIGNATURE_INVALID', chain, seq, `the signature does not verify under ${kid}`);
  else if (!withinWindow(windows?.get(kid), record.ts))
    log.add('RECORD_KEY_OUTSIDE_WINDOW', chain, seq, `signed by ${kid} outside its keyring validity window`);
}
