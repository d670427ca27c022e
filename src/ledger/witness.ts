// Submits a chain's checkpoints to its C2SP tlog-witness witnesses, off the append path: each witness gets the newest
// checkpoint with a consistency proof from the size it last cosigned (the newest row of audit_witness_cosignatures),
// answers are verified against the witness's pinned key before they are stored, and the cosigned note is appended to
// the checkpoint sink. A witness that knows a LARGER size than the checkpoint is a rollback: reported, never "fixed";
// so is one that knows a size below what it cosigned (never a reason to rebuild the tree from the records).
// Failures go to onError and are retried at the next checkpoint (or timer tick); appends never wait for a witness.
import type { KeyObject } from 'node:crypto';
import { toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { CompactTree, MAX_FRONTIER_BYTES } from './merkle.ts';
import type { Hash } from './merkle.ts';
import { checkpointBody } from './note.ts';
import { addCheckpoint, WitnessError } from './witness-client.ts';
import type { FetchLike } from './witness-client.ts';
import { checkCosignature, logSignedOnly, parseWitnessKey, splitNote, withSignatures } from './witness-cosignature.ts';
import type { Cosignature, WitnessKey } from './witness-cosignature.ts';
import { fitting, proofBetween } from './witness-frontier.ts';

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

/** A checkpoint to submit; `frontier` (its tree's, when the writer has it) is what the next proof starts from. */
export interface Submitted {
  treeSize: number;
  note: string;
  frontier?: readonly Hash[];
}

export interface Witnessing {
  /** Queues the checkpoint for every witness; supersedes one still queued. Never throws. */
  submit(checkpoint: Submitted): void;
  /** Resolves when nothing is queued or in flight. */
  settled(): Promise<void>;
}

interface Hooks {
  /** The log's key: a frontier stored with a checkpoint is proven from only when its row's note opens under it. */
  logKey?: () => KeyObject;
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
  /** The frontier at `last` when known for sure (this process's checkpoint, or one the stored cosignature verifies). */
  frontier: readonly Hash[] | null;
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
    frontier: null,
  }));
  const quorum = opts.quorum ?? endpoints.length;
  if (!Number.isSafeInteger(quorum) || quorum < 0 || quorum > endpoints.length) {
    throw new WitnessError(
      'ERR_WITNESS_QUORUM_MISSING',
      `a witness quorum of ${quorum} cannot be met by ${endpoints.length} witness(es)`,
    );
  }
  let queued: Submitted | null = null;
  let loop: Promise<void> | null = null;

  const one = async (w: Endpoint, c: Submitted): Promise<Cosignature | null> => {
    const { treeSize: size, note } = c;
    if (w.last === null) {
      const last = await lastCosigned(sql, chain, origin, w.key, (error) => hooks.onError?.(error));
      w.last = last?.size ?? 0;
      w.frontier = last?.frontier ?? null;
    }
    if (w.last >= size) return null;
    let old = w.last;
    const known: { size: number; frontier: readonly Hash[] } | null = w.frontier
      ? { size: old, frontier: w.frontier }
      : null;
    const log = { chain, origin, logKey: hooks.logKey };
    const sent = logSignedOnly(note, origin);
    for (let attempt = 0; attempt < 3; attempt++) {
      const proof = old === 0 ? [] : await proofBetween(sql, log, old, size, known);
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
        w.frontier = c.frontier ?? null;
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
      // Below what it cosigned (the newest row of audit_witness_cosignatures, or the size it named last answer): the
      // witness went back. Reported, never proven from: that would rebuild the tree from the records at each answer.
      if (answer.knownSize < old)
        throw new WitnessError(
          'ERR_WITNESS_ROLLBACK',
          `witness ${w.key.name} says it knows ${answer.knownSize} records of ${origin}, ` +
            `but it cosigned ${old}: the witness lost its state or was rolled back`,
        );
      // It knows a size the database does not say it cosigned (its row lost, or made up): prove from there, the tree
      // at that size grown from the frontier known below it (the cost is the records in between, never the chain).
      old = answer.knownSize;
    }
    throw new WitnessError('ERR_WITNESS_BAD_ANSWER', `witness ${w.key.name} kept answering with another known size`);
  };

  const run = async (c: Submitted): Promise<void> => {
    const results = await Promise.allSettled(endpoints.map((w) => one(w, c)));
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

/** Stored cosignature rows of a witness tried as where its next proof starts, newest first. */
const COSIGNED_CANDIDATES = 8;

/**
 * The newest size this witness cosigned that its stored line proves: the row's line (one INSERT plants one, no key
 * needed) must verify under the pinned witness key over the checkpoint body at its size, whose root is the one the
 * frontier stored with the checkpoint at that size hashes to (at most MAX_FRONTIER_BYTES, else not read). A row that
 * does not is reported and skipped; with none, the witness is sent the checkpoint from 0 (its 409 names what it knows).
 */
async function lastCosigned(
  sql: Sql,
  chain: string,
  origin: string,
  witness: WitnessKey,
  report: (error: unknown) => void,
): Promise<{ size: number; frontier: Hash[] } | null> {
  const { rows } = await sql.query<{ tree_size: unknown; line: unknown; frontier: unknown }>(
    'SELECT w.tree_size, w.line, ' +
      `CASE WHEN octet_length(c.frontier) <= ${MAX_FRONTIER_BYTES} THEN c.frontier END AS frontier ` +
      'FROM audit_witness_cosignatures w LEFT JOIN audit_checkpoints c ON c.chain = w.chain AND c.tree_size = w.tree_size ' +
      'WHERE w.chain = $1 AND w.witness = $2 ORDER BY w.tree_size DESC LIMIT $3',
    [chain, witness.vkey, COSIGNED_CANDIDATES],
  );
  for (const row of rows) {
    const size = toSafeInteger(row.tree_size);
    const frontier = fitting(size, row.frontier);
    if (frontier !== null && typeof row.line === 'string') {
      const body = checkpointBody({ origin, size, root: CompactTree.fromFrontier(size, frontier).root() });
      if (checkCosignature(`${body}\n${row.line}\n`, witness).status === 'valid') return { size, frontier };
    }
    report(
      new WitnessError(
        'ERR_WITNESS_COSIGNATURE_INVALID',
        `stored cosignature of ${size} records of ${chain} by ${witness.name} does not verify over that checkpoint: ` +
          'not taken as what the witness cosigned',
      ),
    );
  }
  return null;
}

/** The hex root of a checkpoint note (for the sink line). */
export function noteRootHex(note: string): string {
  const root = splitNote(note).body.split('\n')[2] ?? '';
  return Buffer.from(root, 'base64').toString('hex');
}
