// Submits a chain's checkpoints to its C2SP tlog-witness witnesses, off the append path: each witness gets the newest
// checkpoint with a consistency proof from the size it last cosigned (the newest row of audit_witness_cosignatures),
// answers are verified against the witness's pinned key before they are stored, and the cosigned note is appended to
// the checkpoint sink. A witness that knows a LARGER size than the checkpoint is a rollback: reported, never "fixed".
// Failures go to onError and are retried at the next checkpoint (or timer tick); appends never wait for a witness.
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { CompactTree } from './merkle.ts';
import type { Hash } from './merkle.ts';
import { addCheckpoint, WitnessError } from './witness-client.ts';
import type { FetchLike } from './witness-client.ts';
import { checkCosignature, logSignedOnly, parseWitnessKey, splitNote, withSignatures } from './witness-cosignature.ts';
import type { Cosignature, WitnessKey } from './witness-cosignature.ts';
import { frontierRanges, proofRanges } from './witness-proof.ts';

export interface WitnessEndpoint {
  /** Base URL; the request goes to <url>/add-checkpoint. */
  url: string;
  /** The witness's verifier key (`name+hash+base64(0x04 ‖ key)`), pinned: answers under any other key are refused. */
  key: string;
  timeoutMs: number;
}

export interface WitnessOptions {
  witnesses: readonly WitnessEndpoint[];
  /** Fewer cosignatures than this for a checkpoint is reported (ERR_WITNESS_QUORUM_MISSING); default: all. */
  quorum?: number;
  fetch?: FetchLike;
}

export interface CosignedCheckpoint {
  chain: string;
  treeSize: number;
  /** The checkpoint note with every cosignature obtained for it appended. */
  note: string;
  cosignatures: Cosignature[];
}

export interface Witnessing {
  /** Queues the checkpoint for every witness; supersedes one still queued. Never throws. */
  submit(checkpoint: { treeSize: number; note: string }): void;
  /** Resolves when nothing is queued or in flight. */
  settled(): Promise<void>;
}

interface Hooks {
  onError?: (error: unknown) => void;
  /** Told about each checkpoint with at least one new cosignature (the checkpointer writes it to the sink). */
  onCosigned?: (c: CosignedCheckpoint) => Promise<void>;
}

interface Endpoint {
  url: string;
  key: WitnessKey;
  timeoutMs: number;
  /** The newest size this witness cosigned (null: not read yet). */
  last: number | null;
}

export function startWitnessing(
  sql: Sql,
  chain: string,
  origin: string,
  opts: WitnessOptions,
  hooks: Hooks,
): Witnessing {
  const endpoints: Endpoint[] = opts.witnesses.map((w) => ({
    url: w.url,
    key: parseWitnessKey(w.key),
    timeoutMs: w.timeoutMs,
    last: null,
  }));
  const quorum = opts.quorum ?? endpoints.length;
  if (!Number.isSafeInteger(quorum) || quorum < 0 || quorum > endpoints.length) {
    throw new WitnessError(
      'ERR_WITNESS_QUORUM_MISSING',
      `a witness quorum of ${quorum} cannot be met by ${endpoints.length} witness(es)`,
    );
  }
  let queued: { treeSize: number; note: string } | null = null;
  let loop: Promise<void> | null = null;

  const one = async (w: Endpoint, size: number, note: string): Promise<Cosignature | null> => {
    if (w.last === null) w.last = await lastCosigned(sql, chain, w.key.vkey);
    if (w.last >= size) return null;
    let old = w.last;
    const sent = logSignedOnly(note, origin);
    for (let attempt = 0; attempt < 3; attempt++) {
      const proof = old === 0 ? [] : await proofBetween(sql, chain, old, size);
      const answer = await addCheckpoint(w.url, old, proof, sent, w.timeoutMs, opts.fetch);
      if (answer.kind === 'cosigned') {
        const check = checkCosignature(withSignatures(note, answer.lines), w.key);
        if (check.status !== 'valid')
          throw new WitnessError(
            'ERR_WITNESS_COSIGNATURE_INVALID',
            `witness ${w.key.name} answered without a valid cosignature under its pinned key`,
          );
        await sql.query(
          'INSERT INTO audit_witness_cosignatures (chain, tree_size, witness, line, cosigned_at) ' +
            'VALUES ($1, $2, $3, $4, to_timestamp($5)) ON CONFLICT DO NOTHING',
          [chain, size, w.key.vkey, check.cosignature.line, check.cosignature.time],
        );
        w.last = size;
        return check.cosignature;
      }
      if (answer.kind === 'refused')
        throw new WitnessError(
          'ERR_WITNESS_REFUSED',
          `witness ${w.key.name} refused the checkpoint of ${size} records (HTTP ${answer.status}: ${answer.reason})`,
        );
      if (answer.knownSize > size) {
        throw new WitnessError(
          'ERR_WITNESS_ROLLBACK',
          `witness ${w.key.name} has cosigned ${answer.knownSize} records of ${origin}, ` +
            `but the newest checkpoint covers ${size}: the chain was rolled back or forked`,
        );
      }
      if (answer.knownSize === old)
        throw new WitnessError(
          'ERR_WITNESS_BAD_ANSWER',
          `witness ${w.key.name} answered 409 with the size it was sent (${old})`,
        );
      old = answer.knownSize; // it knows a size the database does not say it cosigned: prove from there
    }
    throw new WitnessError('ERR_WITNESS_BAD_ANSWER', `witness ${w.key.name} kept answering with another known size`);
  };

  const run = async (c: { treeSize: number; note: string }): Promise<void> => {
    const results = await Promise.allSettled(endpoints.map((w) => one(w, c.treeSize, c.note)));
    const fresh: Cosignature[] = [];
    let have = 0;
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') {
        hooks.onError?.(r.reason);
        continue;
      }
      if (r.value !== null) fresh.push(r.value);
      if ((endpoints[i]?.last ?? 0) >= c.treeSize) have++;
    }
    if (have < quorum) {
      hooks.onError?.(
        new WitnessError(
          'ERR_WITNESS_QUORUM_MISSING',
          `checkpoint of ${c.treeSize} records of ${chain}: ${have} of ${quorum} required cosignatures ` +
            '(retried at the next checkpoint)',
        ),
      );
    }
    if (fresh.length > 0) {
      await hooks.onCosigned?.({
        chain,
        treeSize: c.treeSize,
        note: withSignatures(
          c.note,
          fresh.map((s) => s.line),
        ),
        cosignatures: fresh,
      });
    }
  };

  const drain = async (): Promise<void> => {
    while (queued !== null) {
      const c = queued;
      queued = null;
      await run(c).catch((err: unknown) => hooks.onError?.(err));
    }
    loop = null;
  };

  return {
    submit(checkpoint) {
      if (endpoints.length === 0) return;
      queued = checkpoint;
      loop ??= drain();
    },
    settled: () => loop ?? Promise.resolve(),
  };
}

async function lastCosigned(sql: Sql, chain: string, witness: string): Promise<number> {
  const { rows } = await sql.query<{ size: unknown }>(
    'SELECT max(tree_size) AS size FROM audit_witness_cosignatures WHERE chain = $1 AND witness = $2',
    [chain, witness],
  );
  const size = rows[0]?.size;
  return size === null || size === undefined ? 0 : toSafeInteger(size);
}

/** PROOF(old, size) from the frontier stored with the checkpoint at `old` (or rebuilt from records) and the leaves
 * after. */
async function proofBetween(sql: Sql, chain: string, old: number, size: number): Promise<Hash[]> {
  if (old === size) return [];
  const { rows } = await sql.query<{ frontier: unknown }>(
    'SELECT frontier FROM audit_checkpoints WHERE chain = $1 AND tree_size = $2',
    [chain, old],
  );
  let frontier: Hash[];
  if (rows[0]) {
    const bytes = toBytes(rows[0].frontier);
    frontier = Array.from({ length: bytes.length / 32 }, (_, i) => bytes.slice(i * 32, i * 32 + 32));
  } else {
    frontier = (await rangeTree(sql, chain, 0, old)).frontier(); // no checkpoint stored at that size: rebuilt
  }
  const below = frontierRanges(old, frontier);
  const proof: Hash[] = [];
  for (const [lo, hi] of proofRanges(old, size)) {
    const stored = hi <= old ? below.get(`${lo}:${hi}`) : undefined;
    if (hi <= old && stored === undefined) throw new RangeError(`no frontier subtree for [${lo}, ${hi})`);
    proof.push(stored ?? (await rangeTree(sql, chain, lo, hi)).root());
  }
  return proof;
}

/**
 * The tree over the chain's leaves [from, to), read a page at a time: memory O(log n), and the event loop is given
 * back at every page, however far behind a witness is.
 */
async function rangeTree(sql: Sql, chain: string, from: number, to: number): Promise<CompactTree> {
  const tree = new CompactTree();
  while (from + tree.size < to) {
    const start = from + tree.size;
    const page = await sql.query<{ seq: unknown; hash: unknown }>(
      'SELECT seq, hash FROM audit_records WHERE chain = $1 AND seq >= $2 AND seq < $3 ORDER BY seq',
      [chain, start, Math.min(start + 10000, to)],
    );
    if (page.rows.length === 0) throw new Error(`chain ${chain} has no record at seq ${start}`);
    for (const r of page.rows) {
      if (toSafeInteger(r.seq) !== from + tree.size)
        throw new Error(`chain ${chain} has no record at seq ${from + tree.size}`);
      tree.append(toBytes(r.hash));
    }
  }
  return tree;
}

/** The hex root of a checkpoint note (for the sink line). */
export function noteRootHex(note: string): string {
  const root = splitNote(note).body.split('\n')[2] ?? '';
  return Buffer.from(root, 'base64').toString('hex');
}
