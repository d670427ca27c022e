// Where a witness's consistency proof starts: the frontier (perfect-subtree roots) of the tree at the size the witness
// cosigned, and PROOF(old, new) from it (witness-proof.ts) with the leaves after. audit_checkpoints takes an INSERT from
// anyone with the role, key or not, so a stored frontier is used only from a row vouched for (its note opens under the
// log's key at its size and the frontier's root; columns over their bounds unread); else the tree is grown from the
// newest frontier known below, by the records in between, never from a row planted at that size.
import type { KeyObject } from 'node:crypto';
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { CompactTree, MAX_FRONTIER_BYTES } from './merkle.ts';
import type { Hash } from './merkle.ts';
import { MAX_NOTE_BYTES, openCheckpoint } from './note.ts';
import { frontierRanges, proofRanges } from './witness-proof.ts';

/** The frontier stored with the checkpoint at `size` when that row is vouched for (columns over their bounds unread). */
export async function storedFrontier(sql: Sql, log: Log, size: number): Promise<Hash[] | null> {
  const { rows } = await sql.query<{ frontier: unknown; note: unknown }>(
    `SELECT CASE WHEN octet_length(frontier) <= ${MAX_FRONTIER_BYTES} THEN frontier END AS frontier, ` +
      `CASE WHEN octet_length(note) <= ${MAX_NOTE_BYTES} THEN note END AS note ` +
      'FROM audit_checkpoints WHERE chain = $1 AND tree_size = $2',
    [log.chain, size],
  );
  return vouched(log, size, rows[0]);
}

/** The row's frontier when it fits `size` and the row's note opens under the log's key at `size` and its root. */
function vouched(log: Log, size: number, row: { frontier: unknown; note: unknown } | undefined): Hash[] | null {
  const frontier = fitting(size, row?.frontier);
  if (frontier === null || log.logKey === undefined || typeof row?.note !== 'string') return null;
  try {
    const opened = openCheckpoint(row.note, [log.logKey()]);
    const root = CompactTree.fromFrontier(size, frontier).root();
    return opened.origin === log.origin && opened.size === size && Buffer.compare(opened.root, root) === 0
      ? frontier
      : null;
  } catch {
    return null; // planted, or signed by a key rotated away: the frontier is rebuilt from the records
  }
}

/** A stored frontier's hashes when they fit `size` (null: none, over MAX_FRONTIER_BYTES, or not one per set bit). */
export function fitting(size: number, stored: unknown): Hash[] | null {
  if (stored === null || stored === undefined) return null;
  const bytes = toBytes(stored);
  const frontier = Array.from({ length: bytes.length / 32 }, (_, i) => bytes.slice(i * 32, i * 32 + 32));
  try {
    CompactTree.fromFrontier(size, frontier);
    return frontier;
  } catch {
    return null;
  }
}

/**
 * PROOF(old, size) from the frontier at `old` and the leaves after. The frontier at `old`: the one known for sure at
 * that size, else the one stored with the checkpoint at `old` when that row is vouched for (at most MAX_FRONTIER_BYTES,
 * else not read; its note opens under the log's key at that size and the frontier's root), else the tree grown to
 * `old` from the newest frontier below it (known, or a vouched row of the newest few) by the records in between.
 */
export async function proofBetween(
  sql: Sql,
  log: Log,
  old: number,
  size: number,
  known: { size: number; frontier: readonly Hash[] } | null,
): Promise<Hash[]> {
  const { chain } = log;
  if (old === size) return [];
  const frontier =
    (known?.size === old ? known.frontier : null) ??
    (await storedFrontier(sql, log, old)) ??
    (await grownTo(sql, log, old, known)).frontier();
  const below = frontierRanges(old, frontier);
  const proof: Hash[] = [];
  for (const [lo, hi] of proofRanges(old, size)) {
    const stored = hi <= old ? below.get(`${lo}:${hi}`) : undefined;
    if (hi <= old && stored === undefined) throw new RangeError(`no frontier subtree for [${lo}, ${hi})`);
    proof.push(stored ?? (await rangeTree(sql, chain, lo, hi)).root());
  }
  return proof;
}

export type Log = { chain: string; origin: string; logKey: (() => KeyObject) | undefined };

/** Stored checkpoint rows below a size tried as the start of the tree grown to it, newest first. */
const BELOW_CANDIDATES = 4;

/** The tree at `size`: from `known` if below it, else the newest vouched row of the few below, else empty; then the
 * records up to `size`, a page at a time. */
async function grownTo(
  sql: Sql,
  log: Log,
  size: number,
  known: { size: number; frontier: readonly Hash[] } | null,
): Promise<CompactTree> {
  let tree: CompactTree | null =
    known && known.size <= size ? CompactTree.fromFrontier(known.size, known.frontier) : null;
  if (tree === null) {
    const { rows } = await sql.query<{ tree_size: unknown; frontier: unknown; note: unknown }>(
      'SELECT tree_size, ' +
        `CASE WHEN octet_length(frontier) <= ${MAX_FRONTIER_BYTES} THEN frontier END AS frontier, ` +
        `CASE WHEN octet_length(note) <= ${MAX_NOTE_BYTES} THEN note END AS note ` +
        'FROM audit_checkpoints WHERE chain = $1 AND tree_size < $2 ORDER BY tree_size DESC LIMIT $3',
      [log.chain, size, BELOW_CANDIDATES],
    );
    for (const row of rows) {
      const at = toSafeInteger(row.tree_size);
      const frontier = vouched(log, at, row);
      if (frontier !== null) {
        tree = CompactTree.fromFrontier(at, frontier);
        break;
      }
    }
  }
  return rangeTree(sql, log.chain, 0, size, tree ?? new CompactTree());
}

/**
 * The tree over the chain's leaves [from, to) (`tree`, when given, already holds the first of them), read a page at a
 * time: memory O(log n), and the event loop is given back at every page, however far behind a witness is.
 */
async function rangeTree(
  sql: Sql,
  chain: string,
  from: number,
  to: number,
  tree = new CompactTree(),
): Promise<CompactTree> {
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
