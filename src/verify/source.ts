// Where verify reads a ledger from. A source hands over rows exactly as stored (bytes and index columns) and is
// never trusted: everything it says is checked against the bytes, the chain and pinned keys. `sqlSource` reads
// the database (PostgreSQL or PGlite); `memorySource` holds sealed records (benchmarks, packets, tests).
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { kidOf, MAX_NOTE_BYTES } from '../ledger/format.ts';
import type { SealedRecord } from '../ledger/format.ts';
import type { RecordRow } from './inspect-record.ts';

export interface SourceCheckpoint {
  size: number;
  root: string;
  /** The signed note; '' when it is over MAX_NOTE_BYTES (`oversized`), which a source MUST NOT read. */
  note: string;
  /** The note's size in bytes when it is over MAX_NOTE_BYTES: reported, never read (memory stays bounded). */
  oversized?: number;
  /** The compact-tree frontier at `size` (hex hashes), if the source keeps it: lets a trimmed chain resume its tree. */
  frontier: string[] | null;
}

export interface LedgerSource {
  /** A short description for the report (no credentials). */
  readonly describe: string;
  listChains(): Promise<string[]>;
  /** The chain's head row; undefined when the source keeps no head rows; null when this chain has none. */
  head(chain: string): Promise<{ seq: number | null; hash: string | null } | null | undefined>;
  /** Rows with seq in (after, until], ordered by seq (rows sharing a seq adjacent); MUST return every such row. */
  rows(chain: string, after: number, until: number): Promise<RecordRow[]>;
  /** The smallest seq above `after` (and at most `until`), or null: lets the reader jump over long gaps. */
  nextSeq(chain: string, after: number, until: number): Promise<number | null>;
  checkpoints(chain: string): Promise<SourceCheckpoint[]>;
  /** Type and seq of the record with this hash in the chain, if any. */
  findRecord(chain: string, hash: string): Promise<{ seq: number; type: string } | null>;
  /** Public keys the source holds (never trusted: only used to resolve pinned fingerprints). */
  publicKeys(): Promise<string[]>;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** A genuine frontier holds one 32-byte hash a set bit of its tree size: at most 53 for a safe integer. */
export const MAX_FRONTIER_BYTES = 53 * 32;

interface DbRow {
  seq: unknown;
  ts: unknown;
  type: unknown;
  request_id: unknown;
  subject: unknown;
  decision: unknown;
  policy_version: unknown;
  kid: unknown;
  prev: unknown;
  hash: unknown;
  record: unknown;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The ledger's tables do not exist (SQLSTATE 42P01): the source holds no chains, which is not the same as
 * unreadable. */
function tableMissing(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '42P01';
}

export function sqlSource(sql: Sql, describe = 'database'): LedgerSource {
  return {
    describe,
    async listChains() {
      // Distinct chains by a loose index scan (a plain DISTINCT reads every row), plus chains with only a head row.
      // Chains left with stored checkpoints only (records and head deleted) are listed too: their checkpoints accuse.
      try {
        const { rows } = await sql.query<{ chain: string }>(`
          WITH RECURSIVE c AS (
            (SELECT chain FROM audit_records ORDER BY chain LIMIT 1)
            UNION ALL
            SELECT (SELECT r.chain FROM audit_records r WHERE r.chain > c.chain ORDER BY r.chain LIMIT 1)
              FROM c WHERE c.chain IS NOT NULL
          )
          SELECT chain FROM c WHERE chain IS NOT NULL UNION SELECT chain FROM audit_chains
          UNION SELECT DISTINCT chain FROM audit_checkpoints ORDER BY 1`);
        return rows.map((r) => r.chain);
      } catch (err) {
        if (tableMissing(err)) return [];
        throw err;
      }
    },
    async head(chain) {
      const { rows } = await sql.query<{ head_seq: unknown; head_hash: unknown }>(
        'SELECT head_seq, head_hash FROM audit_chains WHERE chain = $1',
        [chain],
      );
      const row = rows[0];
      if (!row) return null;
      return {
        seq: row.head_seq === null ? null : toSafeInteger(row.head_seq),
        hash: row.head_hash === null ? null : hex(toBytes(row.head_hash)),
      };
    },
    async rows(chain, after, until) {
      const { rows } = await sql.query<DbRow>(
        `SELECT seq, ts, type, request_id, subject, decision, policy_version, kid, prev, hash, record FROM audit_records
         WHERE chain = $1 AND seq > $2 AND seq <= $3 ORDER BY seq, hash`,
        [chain, after, until],
      );
      return rows.map((r) => ({
        seq: toSafeInteger(r.seq),
        bytes: toBytes(r.record),
        hash: hex(toBytes(r.hash)),
        prev: r.prev === null ? null : hex(toBytes(r.prev)),
        type: typeof r.type === 'string' ? r.type : null,
        request_id: typeof r.request_id === 'string' ? r.request_id : null,
        ts: r.ts instanceof Date ? r.ts.getTime() : null,
        kid: text(r.kid),
        subject: text(r.subject),
        decision: text(r.decision),
        policy_version: text(r.policy_version),
      }));
    },
    async nextSeq(chain, after, until) {
      const { rows } = await sql.query<{ seq: unknown }>(
        'SELECT min(seq) AS seq FROM audit_records WHERE chain = $1 AND seq > $2 AND seq <= $3',
        [chain, after, until],
      );
      const seq = rows[0]?.seq;
      return seq === null || seq === undefined ? null : toSafeInteger(seq);
    },
    async checkpoints(chain) {
      // A note over MAX_NOTE_BYTES is never fetched: only its size, which the check reports. Nor a frontier longer than
      // any genuine one (MAX_FRONTIER_BYTES): it is read as none, so no tree resumes from it.
      const { rows } = await sql.query<{
        tree_size: unknown;
        root_hash: unknown;
        note: string | null;
        note_bytes: unknown;
        frontier: unknown;
      }>(
        'SELECT tree_size, root_hash, octet_length(note) AS note_bytes, ' +
          'CASE WHEN octet_length(frontier) <= $3 THEN frontier END AS frontier, ' +
          'CASE WHEN octet_length(note) <= $2 THEN note END AS note ' +
          'FROM audit_checkpoints WHERE chain = $1 ORDER BY tree_size',
        [chain, MAX_NOTE_BYTES, MAX_FRONTIER_BYTES],
      );
      return rows.map((row) => {
        const f = row.frontier === null ? null : toBytes(row.frontier);
        return {
          size: toSafeInteger(row.tree_size),
          root: hex(toBytes(row.root_hash)),
          note: row.note ?? '',
          ...(row.note === null ? { oversized: toSafeInteger(row.note_bytes) } : {}),
          frontier:
            f === null ? null : Array.from({ length: f.length / 32 }, (_, i) => hex(f.subarray(i * 32, i * 32 + 32))),
        };
      });
    },
    async findRecord(chain, hash) {
      const { rows } = await sql.query<{ seq: unknown; type: unknown }>(
        'SELECT seq, type FROM audit_records WHERE chain = $1 AND hash = $2',
        [chain, Buffer.from(hash, 'hex')],
      );
      const row = rows[0];
      return row ? { seq: toSafeInteger(row.seq), type: String(row.type) } : null;
    },
    async publicKeys() {
      try {
        const { rows } = await sql.query<{ public_key_pem: string }>('SELECT public_key_pem FROM audit_keys');
        return rows.map((r) => r.public_key_pem);
      } catch (err) {
        if (tableMissing(err)) return [];
        throw err;
      }
    },
  };
}

/** Sealed records of one or more chains, held in memory, with optional checkpoints. */
export function memorySource(records: readonly SealedRecord[], opts: MemoryOptions = {}): LedgerSource {
  const byChain = new Map<string, RecordRow[]>();
  for (const s of records) {
    const r = s.record;
    const rows = byChain.get(r.chain) ?? [];
    rows.push({
      seq: r.seq,
      bytes: s.bytes,
      hash: r.hash,
      prev: r.prev,
      type: r.type,
      request_id: r.request_id,
      ts: Date.parse(r.ts),
    });
    byChain.set(r.chain, rows);
  }
  return rowSource(byChain, opts);
}

export interface MemoryOptions {
  checkpoints?: Map<string, SourceCheckpoint[]>;
  publicKeys?: string[];
  describe?: string;
}

/** Stored rows by chain, held in memory (benchmarks, packets). Rows are sorted by seq here. */
export function rowSource(byChain: Map<string, RecordRow[]>, opts: MemoryOptions = {}): LedgerSource {
  for (const rows of byChain.values()) rows.sort((a, b) => a.seq - b.seq);
  let byHash: Map<string, { seq: number; type: string }> | null = null;
  const lowerBound = (rows: RecordRow[], after: number) => {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((rows[mid] as RecordRow).seq <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    describe: opts.describe ?? 'memory',
    async listChains() {
      return [...byChain.keys()].sort();
    },
    async head() {
      return undefined;
    },
    async rows(chain, after, until) {
      const rows = byChain.get(chain) ?? [];
      const out: RecordRow[] = [];
      for (let i = lowerBound(rows, after); i < rows.length && (rows[i] as RecordRow).seq <= until; i++)
        out.push(rows[i] as RecordRow);
      return out;
    },
    async nextSeq(chain, after, until) {
      const rows = byChain.get(chain) ?? [];
      const row = rows[lowerBound(rows, after)];
      return row !== undefined && row.seq <= until ? row.seq : null;
    },
    async checkpoints(chain) {
      return opts.checkpoints?.get(chain) ?? [];
    },
    async findRecord(chain, hash) {
      if (byHash === null) {
        // Built on first use: only outcomes of decisions no longer in the verifier's memory need it.
        byHash = new Map();
        for (const [c, rows] of byChain)
          for (const r of rows) byHash.set(`${c}\u0000${r.hash}`, { seq: r.seq, type: r.type ?? '' });
      }
      return byHash.get(`${chain}\u0000${hash}`) ?? null;
    },
    async publicKeys() {
      return (opts.publicKeys ?? []).filter((pem) => {
        try {
          kidOf(pem);
          return true;
        } catch {
          return false; // not an Ed25519 key: it can match no pinned fingerprint, so it is not offered
        }
      });
    },
  };
}
