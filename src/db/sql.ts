// The one database seam Proctor uses: parameterised queries and transactions, over PostgreSQL (pg.Pool) or
// PGlite (embedded). Implementations MUST behave the same for the SQL in migrations/ and src/.
// bytea comes back as Buffer from pg and as Uint8Array from PGlite; int8 as string from pg and as number from
// PGlite — callers normalise both.
import { createHash } from 'node:crypto';

export interface Sql {
  /** Runs one statement with $n parameters; without parameters the text MAY hold several statements (simple
   * protocol). */
  query<R = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<{ rows: R[] }>;
  /** Runs fn in one transaction on one connection; commits when fn resolves, rolls back when it throws. Nested calls
   * use a savepoint. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Takes the named exclusive lease (a session-level advisory lock on a dedicated connection; on PGlite, whose one
   * process is the only writer, an in-process lease). Resolves null, at once, when another holder has it. */
  tryLease(name: string): Promise<Lease | null>;
  close(): Promise<void>;
}

export interface QueryOptions {
  /** A statement run often with the same text: it MAY be prepared once per connection under this name and reused (no
   * parse and plan per call). A hint: an implementation may run it unnamed. One name MUST always go with one text. */
  name?: string;
}

/** An exclusive lease. It ends on release(), or when its connection dies (the server then frees the lock). */
export interface Lease {
  /** false once released or once the connection holding it is gone. */
  readonly held: boolean;
  release(): Promise<void>;
}

export type DbErrorCode =
  | 'ERR_MIGRATION_FAILED'
  | 'ERR_MIGRATION_MODIFIED'
  | 'ERR_SCHEMA_BEHIND'
  | 'ERR_DB_MISUSE'
  | 'ERR_DB_VALUE';

export class DbError extends Error {
  readonly code: DbErrorCode;
  constructor(code: DbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DbError';
    this.code = code;
  }
}

/** Runs fn inside a savepoint of an open transaction: released when fn resolves, rolled back to when it throws. */
export async function withSavepoint<T>(tx: Sql, depth: number, fn: () => Promise<T>): Promise<T> {
  const name = `proctor_sp_${depth}`;
  await tx.query(`SAVEPOINT ${name}`);
  try {
    const result = await fn();
    await tx.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (err) {
    await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
    throw err;
  }
}

/** The advisory lock key of a lease name: the first 8 bytes of its SHA-256 as a signed int8, in decimal. */
export function leaseKey(name: string): string {
  return createHash('sha256').update(`proctor-lease:${name}`).digest().readBigInt64BE(0).toString();
}

/** int8 arrives as a string from pg and as a number (or bigint) from PGlite. */
export function toSafeInteger(value: unknown): number {
  const n = typeof value === 'string' || typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new DbError('ERR_DB_VALUE', 'expected a safe integer');
  return n;
}

/** bytea arrives as a Buffer from pg and as a Uint8Array from PGlite; both become a plain Uint8Array view. */
export function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new DbError('ERR_DB_VALUE', 'expected bytea');
}
