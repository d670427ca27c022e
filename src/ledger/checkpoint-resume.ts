// Where a restarted checkpoint writer resumes its chain's Merkle tree: the newest stored audit_checkpoints row it can
// vouch for, then the record hashes after it. The table takes an INSERT from anyone with the role, key or not, so a
// row MUST NOT be used unless its note opens under the writer's own key at the row's size and root, and the rows one
// INSERT can plant MUST NOT make the start cost more than the records since the newest genuine row at a multiple of
// `everyRecords` (the writer checkpoints at each, src/ledger/checkpointer.ts): those are looked up by size, not count.
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import type { Signer } from './keys.ts';
import { CompactTree, MAX_FRONTIER_BYTES, rootOf } from './merkle.ts';
import type { Hash } from './merkle.ts';
import { MAX_NOTE_BYTES, openCheckpoint } from './note.ts';
import type { Checkpoint } from './note.ts';

/** A stored audit_checkpoints row not taken as the tree's start: past the chain's head, or not vouched for. */
export interface RefusedCheckpointRow {
  chain: string;
  treeSize: number;
  reason: string;
}

export interface ResumeOptions {
  chain: string;
  /** The chain's last record (its size less one). */
  headSeq: number;
  signer: Signer;
  origin: string;
  /** The origin may serve other chains too: a row's last subtree is checked against this chain's records. */
  sharedOrigin: boolean;
  /** The writer checkpoints at every multiple of this: past MAX_CANDIDATES rows, only those sizes are read. */
  everyRecords: number;
  refused: (row: RefusedCheckpointRow) => void;
}

export interface ResumedTree {
  tree: CompactTree;
  /** The row the tree starts from; null: rebuilt from the chain's first record. */
  last: { chain: string; treeSize: number; note: string } | null;
  lastFrontier: Hash[] | null;
}

/** Rows checked first as a start for the tree, newest first, whatever their size; then pages of CANDIDATE_PAGE, up to
 * MAX_CANDIDATES in all. */
const CANDIDATE_ROWS = 4;
const CANDIDATE_PAGE = 64;
const MAX_CANDIDATES = 1024;
/** Then rows at multiples of everyRecords only, this many sizes a query (at least RECORD_PAGE records' worth). */
const SIZES_PAGE = 256;
/** Record hashes read a query when the tree is extended from its start to the head. */
const RECORD_PAGE = 10_000;
/** Refused rows at or below the head reported one by one; the rest in one report. */
const REPORTED_REFUSED = 8;
/** The most records read to bind a row to this chain under a shared origin (its frontier's last subtree). */
const MAX_BINDING_LEAVES = 1024;
/** Rows past the chain head reported at start (each is refused; verify lists them all). */
const REPORTED_PAST_HEAD = 8;

type CandidateRow = { tree_size: unknown; root_hash: unknown; frontier: unknown; note: unknown };
/** Oversized columns are not fetched: a note over MAX_NOTE_BYTES or a frontier longer than any is refused unread. */
const CANDIDATE_COLUMNS =
  'SELECT tree_size, root_hash, ' +
  `CASE WHEN octet_length(frontier) <= ${MAX_FRONTIER_BYTES} THEN frontier END AS frontier, ` +
  `CASE WHEN octet_length(note) <= ${MAX_NOTE_BYTES} THEN note END AS note FROM audit_checkpoints `;

/**
 * The chain's tree up to headSeq: from the newest stored checkpoint this writer can vouch for (its note opens under the
 * writer's own key with this origin, at the row's size and root; the size is at most the chain's; the frontier hashes
 * to that root), then the record hashes after it. A row that fails any of these (one INSERT needs no key) is reported
 * and never used. Rows are tried newest first up to MAX_CANDIDATES, then only at multiples of everyRecords, newest
 * first (planted rows past the head keep the writer's own rows at the next sizes out, so the newest rows at or below
 * the head may all be planted, any number of them: looked up by size, each costs at most one of everyRecords records
 * since the row found); with none vouched for, the tree is rebuilt from the records (a page at a time).
 */
export async function loadTree(sql: Sql, o: ResumeOptions): Promise<ResumedTree> {
  const { chain, headSeq } = o;
  const chainSize = headSeq + 1;
  const past = await sql.query<{ tree_size: unknown }>(
    'SELECT tree_size FROM audit_checkpoints WHERE chain = $1 AND tree_size > $2 ORDER BY tree_size LIMIT $3',
    [chain, chainSize, REPORTED_PAST_HEAD],
  );
  for (const r of past.rows)
    o.refused({ chain, treeSize: toSafeInteger(r.tree_size), reason: `past the chain's ${chainSize} records` });
  const key = createPublicKey(o.signer.publicKeyPem);
  let found: ResumedTree | null = null;
  let below = chainSize + 1; // the lowest size examined
  let examined = 0;
  let unreported = 0;
  /** The first row of `rows` (newest first) vouched for; every other one examined is refused. */
  const take = async (rows: readonly CandidateRow[]): Promise<ResumedTree | null> => {
    for (const row of rows) {
      const size = toSafeInteger(row.tree_size);
      below = size;
      examined += 1;
      let why = unvouched(row, size, o.origin, key);
      if (typeof why !== 'string' && o.sharedOrigin) why = (await ofThisChain(sql, chain, size, why)) ?? why;
      if (typeof why !== 'string')
        return { tree: why, last: { chain, treeSize: size, note: row.note as string }, lastFrontier: why.frontier() };
      if (examined <= REPORTED_REFUSED) o.refused({ chain, treeSize: size, reason: why });
      else unreported += 1;
    }
    return null;
  };
  let exhausted = false;
  while (found === null && !exhausted && examined < MAX_CANDIDATES) {
    const { rows } = await sql.query<CandidateRow>(
      `${CANDIDATE_COLUMNS}WHERE chain = $1 AND tree_size < $2 ORDER BY tree_size DESC LIMIT $3`,
      [chain, below, examined === 0 ? CANDIDATE_ROWS : Math.min(CANDIDATE_PAGE, MAX_CANDIDATES - examined)],
    );
    exhausted = rows.length === 0;
    found = await take(rows);
  }
  // Each page names its sizes (an index lookup each): rows planted between them are never read.
  const every = o.everyRecords;
  const perPage = Math.max(SIZES_PAGE, Math.ceil(RECORD_PAGE / every));
  for (let top = Math.floor((below - 1) / every) * every; found === null && !exhausted && top > 0; ) {
    const sizes: number[] = [];
    for (; top > 0 && sizes.length < perPage; top -= every) sizes.push(top);
    const { rows } = await sql.query<CandidateRow>(
      `${CANDIDATE_COLUMNS}WHERE chain = $1 AND tree_size = ANY($2::bigint[]) ORDER BY tree_size DESC`,
      [chain, `{${sizes.join(',')}}`],
    );
    found = await take(rows);
  }
  if (unreported > 0)
    o.refused({
      chain,
      treeSize: below,
      reason: `and ${unreported} more rows from here up, each refused (verify lists them)`,
    });
  const { tree, last, lastFrontier } = found ?? { tree: new CompactTree(), last: null, lastFrontier: null };
  while (tree.size <= headSeq) {
    const page = await sql.query<{ seq: unknown; hash: unknown }>(
      'SELECT seq, hash FROM audit_records WHERE chain = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq',
      [chain, tree.size, Math.min(tree.size + RECORD_PAGE - 1, headSeq)],
    );
    if (page.rows.length === 0) throw new Error(`chain ${chain} has no record at seq ${tree.size}`);
    for (const r of page.rows) {
      if (toSafeInteger(r.seq) !== tree.size) throw new Error(`chain ${chain} has no record at seq ${tree.size}`);
      tree.append(toBytes(r.hash));
    }
  }
  return { tree, last, lastFrontier };
}

/** The row's tree when this writer vouches for it, else why not. */
function unvouched(row: CandidateRow, size: number, origin: string, key: KeyObject): CompactTree | string {
  if (typeof row.note !== 'string') return `its note is over ${MAX_NOTE_BYTES} bytes`;
  if (row.frontier === null) return `its frontier is over ${MAX_FRONTIER_BYTES} bytes`;
  let opened: Checkpoint;
  try {
    opened = openCheckpoint(row.note, [key]);
  } catch {
    return "its note does not open under the writer's key (planted, or signed by a key rotated away)";
  }
  if (opened.origin !== origin || opened.size !== size || Buffer.compare(opened.root, toBytes(row.root_hash)) !== 0)
    return 'its note is signed for another origin, size or root';
  return treeOfRow(row, size);
}

/** The tree a row's frontier makes when it hashes to the row's root_hash, else why not. */
export function treeOfRow(row: { root_hash: unknown; frontier: unknown }, size: number): CompactTree | string {
  if (row.frontier === null) return `its frontier is over ${MAX_FRONTIER_BYTES} bytes`;
  const root = toBytes(row.root_hash);
  const bytes = toBytes(row.frontier);
  const frontier = Array.from({ length: bytes.length / 32 }, (_, i) => bytes.slice(i * 32, i * 32 + 32));
  let tree: CompactTree;
  try {
    tree = CompactTree.fromFrontier(size, frontier);
  } catch {
    return 'its frontier does not fit its size';
  }
  if (Buffer.compare(tree.root(), root) !== 0) return 'its frontier does not hash to its root';
  return tree;
}

/**
 * Null when the tree's last subtree is this chain's records, else why not. Under an origin shared by several chains, a
 * genuine row of another chain vouches for itself; the last record it covers is hash-chained to every record before it
 * in its chain, so the subtree ending there (its frontier's last hash) binds the row to this chain. Read: at most
 * MAX_BINDING_LEAVES hashes (a row whose last subtree is larger is refused: an older one is taken, or the records).
 */
export async function ofThisChain(sql: Sql, chain: string, size: number, tree: CompactTree): Promise<string | null> {
  let low = 1;
  while (size % (low * 2) === 0) low *= 2;
  if (low > MAX_BINDING_LEAVES) return `its last subtree of ${low} records is over ${MAX_BINDING_LEAVES} to check`;
  const { rows } = await sql.query<{ hash: unknown }>(
    'SELECT hash FROM audit_records WHERE chain = $1 AND seq >= $2 AND seq < $3 ORDER BY seq',
    [chain, size - low, size],
  );
  const last = tree.frontier().at(-1);
  if (rows.length !== low || last === undefined) return `this chain has not the ${low} records its last subtree covers`;
  const root = rootOf(rows.map((r) => toBytes(r.hash)));
  return Buffer.compare(root, last) === 0
    ? null
    : "its frontier is not over this chain's records (another chain's row)";
}
