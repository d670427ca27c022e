// The audit record (schemas/audit-record.v1.json): how it is built, hashed, signed and checked.
// hash = SHA-256(0x00 ‖ canonical bytes of the record without hash/kid/sig) — the RFC 6962 leaf hash, hex.
// sig = Ed25519 over UTF-8("proctor/audit-record/v1\n") ‖ the 32 hash bytes, base64url without padding.
// The stored bytes are the canonical form of the whole record, hash/kid/sig included.
import { createHash, hash as digest, verify as verifySignature } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import recordSchema from '../../schemas/audit-record.v1.json' with { type: 'json' };
import { canonicalize, canonicalMembers } from './canonical.ts';
import type { JsonValue, MemberNotes } from './canonical.ts';
import { LedgerError } from './errors.ts';

/** chain_opened (seq 0, by openLedger), decision and outcome (per request), policy_activated (a policy bundle went
 * live), key_rotated (by Ledger.rotateKey only: signed by the old key, counter-signed by the new), retention_applied
 * (by retention only, before it drops old partitions: what the chain lost; docs/ledger.md). */
export type RecordType =
  | 'chain_opened'
  | 'decision'
  | 'outcome'
  | 'policy_activated'
  | 'key_rotated'
  | 'retention_applied';

export interface RecordEnvelope {
  v: 1;
  type: RecordType;
  chain: string;
  seq: number;
  ts: string;
  prev: string | null;
  request_id: string | null;
}

export type UnsignedRecord = RecordEnvelope & { [field: string]: JsonValue };

export type AuditRecord = UnsignedRecord & { hash: string; kid: string; sig: string };

export interface SealedRecord {
  record: AuditRecord;
  /** Canonical bytes of the whole record: what is stored. */
  bytes: Uint8Array;
  /** The leaf hash, raw. */
  hash: Uint8Array;
}

/** Fields a body may not set: the envelope and the seal. */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set([
  'v',
  'type',
  'chain',
  'seq',
  'ts',
  'prev',
  'request_id',
  'hash',
  'kid',
  'sig',
]);

const SIGNATURE_DOMAIN = new TextEncoder().encode('proctor/audit-record/v1\n');

const LEAF_PREFIX = new Uint8Array([0x00]); // the RFC 6962 leaf prefix

export function leafHash(unsignedBytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(LEAF_PREFIX).update(unsignedBytes).digest());
}

/** leafHash of a text's UTF-8 bytes, without making them (the text MUST be well-formed: canonical text is). U+0000 is
 * the one byte 0x00 in UTF-8: the leaf prefix. */
export function leafHashOfText(unsignedText: string): Uint8Array {
  return new Uint8Array(digest('sha256', `\u0000${unsignedText}`, 'buffer'));
}

export function signingMessage(hash: Uint8Array): Uint8Array {
  const message = new Uint8Array(SIGNATURE_DOMAIN.length + hash.length);
  message.set(SIGNATURE_DOMAIN, 0);
  message.set(hash, SIGNATURE_DOMAIN.length);
  return message;
}

/** What sealing needs of a Signer (keys.ts): its kid and one signature. Named here, not imported, because keys.ts sits
 * above this file (its native signer, ed25519-batch.ts, builds on signingMessage and signatureValid here). */
export interface RecordSigner {
  readonly kid: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Hashes, signs and schema-checks a record. Throws ERR_RECORD_INVALID for anything a record may not hold. */
export async function sealRecord(unsigned: UnsignedRecord, signer: RecordSigner): Promise<SealedRecord> {
  // Serialised once: the stored bytes are the unsigned members merged with the three seal members (keys sorted).
  const members = canonicalMembers(unsigned);
  if (members.some(([key]) => key === 'hash' || key === 'kid' || key === 'sig')) {
    throw new LedgerError('ERR_RECORD_INVALID', 'an unsigned record may not hold hash, kid or sig', { path: '$' });
  }
  const hash = leafHash(encoder.encode(`{${members.map(([, m]) => m).join(',')}}`));
  const sig = await signer.sign(signingMessage(hash));
  const record: AuditRecord = {
    ...unsigned,
    hash: Buffer.from(hash).toString('hex'),
    kid: signer.kid,
    sig: Buffer.from(sig).toString('base64url'),
  };
  const problem = schemaProblem(record);
  if (problem !== null) throw new LedgerError('ERR_RECORD_INVALID', `record fails the schema: ${problem}`);
  const seal = canonicalMembers({ hash: record.hash, kid: record.kid, sig: record.sig });
  const all = [...members, ...seal].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { record, bytes: encoder.encode(`{${all.map(([, m]) => m).join(',')}}`), hash };
}

const encoder = new TextEncoder();

/** The leaf hash a parsed record should carry: recomputed from everything but hash/kid/sig. */
export function recomputeHash(record: Record<string, JsonValue>): Uint8Array {
  const { hash: _hash, kid: _kid, sig: _sig, ...unsigned } = record;
  return leafHash(canonicalize(unsigned));
}

export function signatureValid(hash: Uint8Array, sigBase64url: string, key: KeyObject): boolean {
  const sig = Buffer.from(sigBase64url, 'base64url');
  if (sig.length !== 64) return false;
  return verifySignature(null, signingMessage(hash), key, sig);
}

/** Longest query column value, in UTF-8 bytes: far below what a btree index entry holds (about 2.7 kB), so a long
 * value is refused with its record instead of failing the statement that writes its whole batch. */
export const MAX_COLUMN_BYTES = 1024;

/** A canonical member text holds an escaped NUL: `\u0000` after an even run of backslashes (not itself escaped). */
const LONE_SURROGATE = /\p{Cs}/u; // with /u a valid pair is one code point: this matches lone surrogates only
const ESCAPED_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/**
 * The last line of defence before a record joins a batch: what PostgreSQL would refuse or silently change fails this
 * record alone (ERR_RECORD_INVALID naming the field), never the statement that carries its batch. Query columns are
 * text: no NUL (PostgreSQL refuses 0x00), well-formed Unicode (a lone surrogate would be stored as U+FFFD, a column
 * that no longer matches the signed bytes), at most MAX_COLUMN_BYTES. Body strings travel inside the bytea record
 * (lone surrogates are refused by the canonical writer); a NUL is refused there too, so the record's JSON stays
 * loadable as PostgreSQL jsonb by an auditor's tools.
 */
export function storableProblem(
  columns: Readonly<Record<string, string | null | undefined>>,
  members: readonly [string, string][],
  notes?: MemberNotes,
): LedgerError | null {
  for (const [name, value] of Object.entries(columns)) {
    if (value === null || value === undefined) continue;
    const refuse = (why: string) => new LedgerError('ERR_RECORD_INVALID', `column ${name} ${why}`, { path: name });
    if (typeof value !== 'string') return refuse('must be a string');
    if (value.includes('\u0000')) return refuse('holds a NUL character');
    if (LONE_SURROGATE.test(value)) return refuse('is not well-formed Unicode');
    if (Buffer.byteLength(value, 'utf8') > MAX_COLUMN_BYTES) return refuse(`is longer than ${MAX_COLUMN_BYTES} bytes`);
  }
  // canonicalMembers' notes say it from the strings as given; without them each member's text is scanned (a rope the
  // scan flattens: ≈ 6 µs of a decision record's 20 µs check).
  const nulKey = notes
    ? notes.nulKey
    : (members.find(([, member]) => member.includes('\\u0000') && ESCAPED_NUL.test(member))?.[0] ?? null);
  if (nulKey !== null) {
    return new LedgerError('ERR_RECORD_INVALID', `a string under ${nulKey} holds a NUL character`, {
      path: `$.${nulKey}`,
    });
  }
  return null;
}

let validator: ValidateFunction | undefined;

/** null when value satisfies audit-record.v1, else the first problem as "<instance path> <message>". */
export function schemaProblem(value: unknown): string | null {
  validator ??= new Ajv2020({ strict: true, allowUnionTypes: true }).compile(recordSchema);
  if (validator(value)) return null;
  const first = validator.errors?.[0];
  return first ? `${first.instancePath || '/'} ${first.message ?? 'is invalid'}` : 'is invalid';
}
