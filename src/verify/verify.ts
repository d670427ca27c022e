// Verifies a ledger against public keys pinned out of band (never keys read from the source it checks): per record
// canonical bytes, schema, hash, signature, key validity and index columns (spread over worker threads); per chain
// the signed order (gaps, reorders, insertions, duplicates, links), the head, signed checkpoints and the checkpoint
// remembered from an earlier run; across records, decision/outcome pairing. Rows stream in pages; memory stays
// bounded by open decisions. This is the oracle fault tests use; the CLI (src/cli/verify.ts) is a thin shell over it.
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { kidOf, LedgerError, publicKeyFromPem, signatureBackend } from '../ledger/format.ts';
import { FindingLog } from './findings.ts';
import { CheckpointCheck, openNote, parseNote } from './checkpoints.ts';
import { ChainOrder } from './order.ts';
import { ChainTrust } from './trust.ts';
import type { PinnedTrust } from './trust.ts';
import { defaultWorkers, lazyInspectPool } from './pool.ts';
import type { InspectPool } from './pool.ts';
import type { RecordFacts, RecordRow } from './inspect-record.ts';
import { sqlSource } from './source.ts';
import type { LedgerSource } from './source.ts';
import { Pairing } from './pairing.ts';
import {
  emptySummary,
  type ChainSummary,
  type SignatureMode,
  type VerifyOptions,
  type VerifyReport,
} from './report.ts';

/** One in SAMPLE_RATE records (by seeded hash) has its signature checked in sample mode. */
const SAMPLE_RATE = 50;

export async function verifyLedger(opts: VerifyOptions): Promise<VerifyReport> {
  const source = opts.source ?? (opts.sql ? sqlSource(opts.sql) : null);
  if (source === null) throw new TypeError('verifyLedger needs sql or source');
  const trust: PinnedTrust & { pems: Map<string, string> } = {
    pinned: new Set(),
    material: new Map(),
    pems: new Map(),
  };
  for (const pem of opts.trustedKeys) {
    const kid = kidOf(pem);
    trust.pinned.add(kid);
    trust.material.set(kid, publicKeyFromPem(pem));
    trust.pems.set(kid, pem);
  }
  for (const fp of opts.trustedFingerprints ?? []) {
    if (!/^ed25519:[0-9a-f]{64}$/.test(fp))
      throw new LedgerError('ERR_KEY_INVALID', `a key fingerprint is ed25519:<64 hex>, got ${JSON.stringify(fp)}`);
    trust.pinned.add(fp);
  }
  const mode = opts.signatures ?? 'all';
  // Unpredictable unless given: a writer that knew the seed would know which forged signatures go unchecked.
  const seed = mode === 'sample' ? (opts.sampleSeed ?? randomBytes(16).toString('hex')) : null;
  const log = new FindingLog();
  const chains: ChainSummary[] = [];
  let inconclusive = false;
  if (trust.pinned.size === 0) {
    inconclusive = true;
    log.add('VERIFY_NO_TRUSTED_KEY', '', null, 'no trusted public key given: signatures were not checked');
  }
  let pool: InspectPool | null = null;
  try {
    // Fingerprints resolve against keys the source holds; a key counts only if its own fingerprint is the pinned one.
    if ([...trust.pinned].some((kid) => !trust.material.has(kid))) {
      for (const pem of await source.publicKeys()) {
        let kid: string;
        try {
          kid = kidOf(pem);
        } catch {
          continue; // a stored key that is not Ed25519 cannot match a pinned fingerprint; unmatched pins are reported
        }
        if (trust.pinned.has(kid) && !trust.material.has(kid)) {
          trust.material.set(kid, publicKeyFromPem(pem));
          trust.pems.set(kid, pem);
        }
      }
    }
    pool = lazyInspectPool(opts.workers ?? defaultWorkers(), trust.pems);
    const present = new Set(await source.listChains());
    // Chains the auditor's own inputs name MUST be there: a chain deleted whole is not a chain with nothing to check.
    const required = requiredChains(opts, [...trust.material.values()], log);
    const wanted = opts.chains ?? [...new Set([...present, ...required.keys()])].sort();
    for (const chain of wanted) {
      const why = required.get(chain);
      if (why !== undefined && !present.has(chain)) {
        log.add(
          'CHAIN_MISSING',
          chain,
          null,
          `the chain is not in the source, but ${why} names it: it was deleted (records, head and checkpoints)`,
        );
        chains.push(emptySummary(chain));
        continue;
      }
      const result = await verifyChain(source, opts, chain, trust, pool, mode, seed, log);
      log.closeChain(chain);
      chains.push(result.summary);
      if (result.inconclusive) inconclusive = true;
      if (result.summary.records === 0 && why !== undefined) {
        log.add(
          'CHAIN_MISSING',
          chain,
          null,
          `the chain has no records, but ${why} names it: its records were deleted`,
        );
      } else if (result.summary.records === 0) {
        inconclusive = true;
        log.add('VERIFY_NO_RECORDS', chain, null, 'chain has no records');
      }
    }
  } catch (err) {
    if (err instanceof LedgerError) throw err;
    throw new LedgerError('ERR_AUDIT_UNAVAILABLE', 'the ledger could not be read', { cause: err });
  } finally {
    await pool?.close();
  }
  if (chains.length === 0) {
    inconclusive = true;
    log.add('VERIFY_NO_RECORDS', '', null, 'the source holds no audit chains');
  }
  return {
    kind: 'ledger',
    ok: log.errorCount === 0 && !inconclusive,
    inconclusive,
    source: source.describe,
    signatures: mode,
    sample_seed: seed,
    signature_backend: signatureBackend(),
    trusted_kids: [...trust.pinned].sort(),
    chains,
    findings: log.findings,
  };
}

interface Batch {
  rows: RecordRow[];
  facts: Promise<RecordFacts[]>;
}

async function verifyChain(
  source: LedgerSource,
  opts: VerifyOptions,
  chain: string,
  pins: PinnedTrust,
  pool: InspectPool,
  mode: SignatureMode,
  seed: string | null,
  log: FindingLog,
): Promise<{ summary: ChainSummary; inconclusive: boolean }> {
  const pageSize = opts.pageSize ?? 2048;
  // Read the head first: records appended after this moment are beyond it and left for the next run.
  const head = await source.head(chain);
  const upper = head ? (head.seq ?? -1) : Number.MAX_SAFE_INTEGER;

  const trust = new ChainTrust(pins, opts.keyWindows, chain, log);
  const checkpoints = new CheckpointCheck(
    chain,
    await source.checkpoints(chain),
    opts.checkpoints ?? [],
    opts.remembered?.[chain] ?? null,
    trust.any ? () => trust.keys() : null,
    log,
  );
  const order = new ChainOrder(chain, log);
  const pairing = new Pairing(chain, log, source);
  const retention: { at: number; throughSeq: number; throughHash: string }[] = [];
  let records = 0;
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  let firstTs: string | null = null;
  let lastTs: string | null = null;
  let lastHashes: string[] = [];
  let lastUnchecked: { seq: number; hash: string; kid: string; sig: string } | null = null;

  const consume = async (rows: RecordRow[], factsList: RecordFacts[]) => {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as RecordRow;
      const f = factsList[i] as RecordFacts;
      const seq = row.seq;
      records++;
      if (records === 1 && seq > 0) checkpoints.trimmedAt(seq);
      let signed: boolean | null = null;
      if (f.form === 'not_canonical')
        log.add('RECORD_NOT_CANONICAL', chain, seq, 'the stored bytes are not canonical JSON (RFC 8785)');
      else if (f.form === 'not_object') log.add('RECORD_SCHEMA_INVALID', chain, seq, 'the record is not a JSON object');
      else {
        if (f.schema !== null) log.add('RECORD_SCHEMA_INVALID', chain, seq, f.schema);
        if (f.claimedHash !== f.hash)
          log.add('RECORD_HASH_MISMATCH', chain, seq, 'the recomputed hash differs from the recorded one');
        signed = trust.judge(f, seq);
        if (f.sig === 'unchecked' && signed === null && f.kid !== null && f.sigText !== null)
          lastUnchecked = { seq, hash: f.hash, kid: f.kid, sig: f.sigText };
        else lastUnchecked = null;
        if (f.rotation !== null && f.rotation !== 'invalid') {
          // Resolution only (kid = fingerprint); trust follows from a trusted signer alone (trust.rotate).
          pool.addKey(f.rotation.kid, f.rotation.pem);
          if (!pins.material.has(f.rotation.kid)) pins.material.set(f.rotation.kid, publicKeyFromPem(f.rotation.pem));
        }
        trust.rotate(f, seq, signed);
        if (f.index.length > 0)
          log.add(
            'RECORD_INDEX_MISMATCH',
            chain,
            seq,
            `index column(s) disagree with the record: ${f.index.join(', ')}`,
          );
        if (f.type === 'retention_applied' && signed === true && f.retention !== null)
          retention.push({ at: seq, ...f.retention });
      }
      // The column hash is a candidate too, so one altered record is one finding, not also a broken link after it.
      const hashes = f.hash === row.hash ? [f.hash] : [f.hash, row.hash];
      const good = f.form === 'ok' && f.claimedHash === f.hash && signed !== false;
      const placed = order.place(
        seq,
        f.form === 'ok' ? f.signedSeq : null,
        hashes,
        f.form === 'ok' ? f.prev : undefined,
        good,
      );
      if (!placed.duplicate) {
        checkpoints.leaf(seq, f.hash);
        if (f.form === 'ok') pairing.see(f, seq, placed.signedSeq);
        lastHashes = hashes;
      } else {
        lastHashes = [...lastHashes, ...hashes];
      }
      const ts = f.ts ?? (row.ts === null ? null : new Date(row.ts).toISOString());
      firstSeq ??= seq;
      lastSeq = seq;
      firstTs ??= ts;
      lastTs = ts ?? lastTs;
    }
    opts.onProgress?.({ chain, records });
  };

  let after = -1;
  let exhausted = false;
  let firstRow = true;
  const readPage = async (): Promise<RecordRow[] | null> => {
    while (!exhausted && after < upper) {
      const until = Math.min(after + pageSize, upper);
      const rows = await source.rows(chain, after, until);
      if (rows.length > 0) {
        after = until;
        return rows;
      }
      // A long gap: jump to the next record instead of walking empty ranges.
      const next = await source.nextSeq(chain, until, upper);
      if (next === null) break;
      after = next - 1;
    }
    exhausted = true;
    return null;
  };
  const checks = (rows: RecordRow[]): Uint8Array => {
    const out = new Uint8Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as RecordRow;
      out[i] =
        mode === 'all' || (mode === 'sample' && (firstRow || row.seq === upper || sampled(seed ?? '', chain, row.seq)))
          ? 1
          : 0;
      firstRow = false;
    }
    return out;
  };

  // Pages are read ahead while earlier ones are inspected on the workers; results are consumed in seq order.
  const depth = 6;
  const inflight: Batch[] = [];
  for (;;) {
    while (!exhausted && inflight.length < depth) {
      const rows = await readPage();
      if (rows === null) break;
      for (const row of rows) if (row.type === 'key_rotated') announceRotation(row, pool);
      const facts = pool.inspect(chain, rows, checks(rows));
      facts.catch(() => undefined); // awaited in order below; a failure further ahead must not go unhandled meanwhile
      inflight.push({ rows, facts });
    }
    const batch = inflight.shift();
    if (!batch) break;
    await consume(batch.rows, await batch.facts);
  }

  // Sample mode: the newest record's signature is always checked (the head can be an unsampled forgery).
  const tail = lastUnchecked as { seq: number; hash: string; kid: string; sig: string } | null;
  if (mode === 'sample' && tail !== null) trust.checkLate(tail.seq, tail.hash, tail.kid, tail.sig);
  order.finish();
  checkpoints.finish();
  await pairing.finish();
  trust.finish();
  let trimmedThrough: number | null = null;
  const start = order.first;
  if (start !== null && start.at > 0) {
    const accounted = retention.find((r) => r.throughSeq === start.at - 1 && r.throughHash === start.prev);
    if (accounted) {
      trimmedThrough = start.at - 1;
      log.add(
        'CHAIN_TRIMMED',
        chain,
        start.at,
        `records 0..${start.at - 1} were removed by retention, as the signed retention_applied record at seq ` +
          `${accounted.at} states`,
      );
    } else {
      log.add(
        'CHAIN_SEQ_GAP',
        chain,
        start.at,
        `records 0..${start.at - 1} are missing and no signed retention_applied record accounts for them`,
      );
    }
  }
  if (head !== undefined) {
    if (records > 0 && head === null) {
      log.add('CHAIN_HEAD_MISMATCH', chain, null, 'the chain has records but no head row');
    } else if (head !== null && head.seq !== (records > 0 ? lastSeq : null)) {
      const last = records > 0 ? `seq ${String(lastSeq)}` : 'none';
      log.add(
        'CHAIN_HEAD_MISMATCH',
        chain,
        head.seq,
        `the head names seq ${String(head.seq)} but the last record is ${last}: the tail is missing`,
      );
    } else if (head !== null && head.hash !== null && !lastHashes.includes(head.hash)) {
      log.add('CHAIN_HEAD_MISMATCH', chain, head.seq, 'the head hash differs from the hash of the last record');
    }
  }
  let inconclusive = trust.unresolvedKids > 0;
  if ((opts.requireAnchor || opts.warnUnanchored) && records > 0 && !checkpoints.anchored) {
    if (opts.requireAnchor) inconclusive = true;
    log.add(
      'VERIFY_TAIL_UNANCHORED',
      chain,
      lastSeq,
      'no trusted checkpoint (sink, database or state file) covers this chain: removal of its newest records cannot ' +
        'be excluded',
    );
  }
  return {
    summary: {
      chain,
      records,
      first_seq: firstSeq,
      last_seq: lastSeq,
      first_ts: firstTs,
      last_ts: lastTs,
      head_hash: records > 0 ? (lastHashes[0] ?? null) : null,
      signatures_checked: trust.checked,
      checkpoint: checkpoints.accepted,
      trimmed_through: trimmedThrough,
    },
    inconclusive,
  };
}

/**
 * Chains the verifier's trusted inputs name, with what names them: the state file (a chain a clean run accepted) and
 * the checkpoint sink (any checkpoint note in it, signed by a pinned key or not: the message says which).
 * With `chains`, only those.
 */
function requiredChains(opts: VerifyOptions, pinned: KeyObject[], log: FindingLog): Map<string, string> {
  const out = new Map<string, string>();
  const only = opts.chains === undefined ? null : new Set(opts.chains);
  for (const chain of Object.keys(opts.remembered ?? {})) {
    if (only === null || only.has(chain))
      out.set(chain, `the state file (a checkpoint of ${opts.remembered?.[chain]?.size ?? 0} records)`);
  }
  for (const entry of opts.checkpoints ?? []) {
    if ((only !== null && !only.has(entry.chain)) || out.has(entry.chain)) continue;
    const parsed = parseNote(entry.note);
    if (parsed === null) continue; // not a checkpoint: CHECKPOINT_INVALID where the chain is checked
    // The sink is the auditor's own copy; a key rotated in later cannot be followed without the chain's records.
    const signed = pinned.length > 0 && openNote(entry.note, pinned) !== null;
    out.set(
      entry.chain,
      `a checkpoint of ${parsed.size} records in the checkpoint sink${signed ? '' : ' (not signed by a pinned key)'}`,
    );
  }
  return out;
}

function sampled(seed: string, chain: string, seq: number): boolean {
  const h = createHash('sha256').update(`${seed}\u0000${chain}\u0000${seq}`).digest();
  return h.readUInt32BE(0) % SAMPLE_RATE === 0;
}

/** Makes the key a key_rotated row introduces resolvable on the workers before later rows are sent (kid =
 * fingerprint). */
function announceRotation(row: RecordRow, pool: InspectPool): void {
  try {
    const record = JSON.parse(Buffer.from(row.bytes).toString('utf8')) as { new_public_key?: unknown };
    if (typeof record.new_public_key !== 'string') return;
    const pem = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: record.new_public_key }, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    pool.addKey(kidOf(pem), pem);
  } catch {
    // unreadable: its own inspection reports it
  }
}
