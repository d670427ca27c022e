// What GET /v1/checkpoints/<chain>/latest serves (public, no token; witnesses poll it). audit_checkpoints takes an
// INSERT from anyone with the role, key or not, so a stored row is never served for what it says: the writer's own chain
// is served the note its checkpointer signed (held in memory); any other chain, or the own one before a first
// checkpoint, the newest of a few rows whose note opens under this process's key at the row's origin, size and root
// (under an origin several chains share, also over this chain's records: a copy of another chain's row is not).
// A planted row is skipped, never sent; a window of planted rows hides older genuine ones (404), never forges.
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { defaultOrigin } from './checkpointer.ts';
import type { StoredCheckpoint } from './checkpointer.ts';
import { ofThisChain, treeOfRow } from './checkpoint-resume.ts';
import { MAX_FRONTIER_BYTES } from './merkle.ts';
import { MAX_NOTE_BYTES, openCheckpoint } from './note.ts';

/** Rows read, newest first, when the public note comes from the database: each costs one signature check at most. */
export const SERVED_CANDIDATES = 16;

/** The writer whose chain is served from memory (the Ledger's chain and latestCheckpoint). */
export interface OwnCheckpoints {
  readonly chain: string;
  /** Its checkpoints' origin (default `proctor/ledger/<chain>`). */
  readonly checkpointOrigin?: string;
  latestCheckpoint?(): StoredCheckpoint | null;
}

/**
 * The newest checkpoint note of `chain` that `publicKeyPem` signed under `origin` at its row's size and root, or null.
 * Only rows of at most MAX_NOTE_BYTES whose tree_size is not past the chain's records are read (octet_length reads a
 * stored value's size, not the value), the newest SERVED_CANDIDATES of them. Under an origin that does not name the
 * chain (one several chains share), another chain's genuine row copied in opens too: the newest row that opens is
 * served only when its frontier hashes to its root and its last subtree is this chain's records (at most 1,024 read,
 * src/ledger/checkpoint-resume.ts ofThisChain), else nothing is.
 */
export async function latestCheckpoint(
  sql: Sql,
  chain: string,
  publicKeyPem: string,
  origin: string = defaultOrigin(chain),
): Promise<string | null> {
  const { rows } = await sql.query<{ tree_size: unknown; root_hash: unknown; note: unknown; frontier: unknown }>(
    'SELECT tree_size, root_hash, note, ' +
      `CASE WHEN octet_length(frontier) <= ${MAX_FRONTIER_BYTES} THEN frontier END AS frontier ` +
      'FROM audit_checkpoints WHERE chain = $1 AND octet_length(note) <= $2 ' +
      'AND tree_size <= (SELECT coalesce(max(seq) + 1, 0) FROM audit_records WHERE chain = $1) ' +
      'ORDER BY tree_size DESC LIMIT $3',
    [chain, MAX_NOTE_BYTES, SERVED_CANDIDATES],
  );
  const key = createPublicKey(publicKeyPem);
  const row = rows.find((r) => signedRow(r, origin, key));
  if (row === undefined) return null;
  if (origin === defaultOrigin(chain)) return row.note as string;
  const size = toSafeInteger(row.tree_size);
  const tree = treeOfRow(row, size);
  if (typeof tree === 'string' || (await ofThisChain(sql, chain, size, tree)) !== null) return null;
  return row.note as string;
}

/** Whether the row's note opens under `key` for `origin` at the row's own tree_size and root_hash. */
function signedRow(row: { tree_size: unknown; root_hash: unknown; note: unknown }, origin: string, key: KeyObject) {
  if (typeof row.note !== 'string') return false;
  try {
    const opened = openCheckpoint(row.note, [key]);
    return (
      opened.origin === origin &&
      opened.size === toSafeInteger(row.tree_size) &&
      Buffer.compare(opened.root, toBytes(row.root_hash)) === 0
    );
  } catch {
    return false; // planted, or signed by a key rotated away: skipped (proctor verify reports it)
  }
}

/** The route's reader: `own`'s chain from its checkpointer's memory when it has one, else verified rows; every chain
 * under `own`'s checkpoint origin when it is one several chains share (not `proctor/ledger/<its chain>`). */
export function servedCheckpoints(
  sql: Sql,
  publicKeyPem: string,
  own: OwnCheckpoints | null,
): (chain: string) => Promise<string | null> {
  const shared =
    own?.checkpointOrigin !== undefined && own.checkpointOrigin !== defaultOrigin(own.chain)
      ? own.checkpointOrigin
      : undefined;
  return async (chain) => {
    const held = own !== null && chain === own.chain ? own.latestCheckpoint?.() : null;
    return held ? held.note : latestCheckpoint(sql, chain, publicKeyPem, shared ?? defaultOrigin(chain));
  };
}
