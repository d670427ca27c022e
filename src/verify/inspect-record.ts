// What the verifier learns from one stored record on its own, independent of every other record (so it can run on
// any worker, in any order): canonical form, schema, recomputed hash, the signature under the key its kid names,
// index columns against the bytes, and the few fields the sequential checks need. It MUST NOT decide trust: a kid
// is resolved to a key only because the kid is that key's fingerprint; whether the key is trusted at that point of
// the chain is decided by the caller (src/verify/verify.ts).
import type { KeyObject } from 'node:crypto';
import {
  canonicalMembers,
  columnsDiffer,
  leafHash,
  queryColumns,
  rotatedKey,
  schemaProblem,
  signaturesValid,
  signatureValid,
} from '../ledger/format.ts';
import type { JsonValue, QueryColumns, SignatureCheck } from '../ledger/format.ts';

/** A stored row: the canonical bytes and the index columns beside them (hashes in hex, ts in ms). The query columns
 * and kid are undefined when the source keeps none (records held in memory, packets). */
export interface RecordRow {
  seq: number;
  bytes: Uint8Array;
  hash: string;
  prev: string | null;
  type: string | null;
  request_id: string | null;
  ts: number | null;
  kid?: string | null;
  subject?: string | null;
  decision?: string | null;
  policy_version?: string | null;
}

export type SignatureState = 'valid' | 'invalid' | 'unresolved' | 'unchecked';

export interface RecordFacts {
  form: 'ok' | 'not_canonical' | 'not_object';
  schema: string | null;
  /** Recomputed leaf hash (hex); the column hash when the bytes could not be read. */
  hash: string;
  claimedHash: string | null;
  /** The seq inside the signed bytes. */
  signedSeq: number | null;
  kid: string | null;
  sig: SignatureState;
  /** The signature text, kept when it was not checked here (sampled out, or its key unknown to this worker). */
  sigText: string | null;
  type: string | null;
  ts: string | null;
  prev: string | null;
  chain: string | null;
  /** Index columns that disagree with the bytes (seq is judged by the ordering checks; an outcome's query columns
   * by the pairing, against its decision). */
  index: string[];
  /** A decision: the query columns its bytes imply. An outcome: the query columns stored beside it. Else null. */
  columns: QueryColumns | null;
  /** decision.allow of a decision record, else null. */
  allow: boolean | null;
  decisionHash: string | null;
  /** A key_rotated record: the key it introduces if its counter-signature holds, else 'invalid'. */
  rotation: { kid: string; pem: string } | 'invalid' | null;
  retention: { throughSeq: number; throughHash: string } | null;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
const SEAL = new Set(['hash', 'kid', 'sig']);

/**
 * Inspects one row. `keys` resolves a kid to its public key (fingerprint-addressed, never a trust decision);
 * `checkSignature` false leaves the signature unchecked (sampling), except for key_rotated and retention_applied
 * records, whose signatures the sequential checks always need. With `deferred`, a signature whose key resolves is
 * queued there (facts.sig stays 'unchecked') for settleSignatures to check in one batch. `schema` false skips the
 * schema check (export's column scan: the packet check and verify judge the schema).
 */
export function inspectRecord(
  row: RecordRow,
  chain: string,
  keys: ReadonlyMap<string, KeyObject>,
  checkSignature: boolean,
  deferred?: DeferredSignature[],
  schema = true,
): RecordFacts {
  const facts: RecordFacts = {
    form: 'ok',
    schema: null,
    hash: row.hash,
    claimedHash: null,
    signedSeq: null,
    kid: null,
    sig: 'unchecked',
    sigText: null,
    type: null,
    ts: null,
    prev: null,
    chain: null,
    index: [],
    columns: null,
    allow: null,
    decisionHash: null,
    rotation: null,
    retention: null,
  };
  let text: string;
  let value: unknown;
  try {
    text = decoder.decode(row.bytes);
    value = JSON.parse(text);
  } catch {
    // Bytes that are not UTF-8 JSON are the finding itself (RECORD_NOT_CANONICAL); the parser's message adds nothing.
    facts.form = 'not_canonical';
    return facts;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    facts.form = canonicalOf(value) === text ? 'not_object' : 'not_canonical';
    return facts;
  }
  const record = value as Record<string, JsonValue>;
  let members: [string, string][];
  try {
    members = canonicalMembers(record);
  } catch {
    // A value RFC 8785 cannot serialise is the finding itself (RECORD_NOT_CANONICAL).
    facts.form = 'not_canonical';
    return facts;
  }
  // One serialisation serves both checks: all members are the stored form, all but the seal are what was hashed.
  if (`{${members.map(([, m]) => m).join(',')}}` !== text) {
    facts.form = 'not_canonical';
    return facts;
  }
  const hash = leafHash(
    encoder.encode(
      `{${members
        .filter(([k]) => !SEAL.has(k))
        .map(([, m]) => m)
        .join(',')}}`,
    ),
  );
  facts.hash = Buffer.from(hash).toString('hex');
  facts.schema = schema ? schemaProblem(record) : null;
  facts.claimedHash = typeof record.hash === 'string' ? record.hash : null;
  facts.signedSeq = typeof record.seq === 'number' && Number.isSafeInteger(record.seq) ? record.seq : null;
  facts.kid = typeof record.kid === 'string' ? record.kid : null;
  facts.type = typeof record.type === 'string' ? record.type : null;
  facts.ts = typeof record.ts === 'string' ? record.ts : null;
  facts.prev = typeof record.prev === 'string' ? record.prev : null;
  facts.chain = typeof record.chain === 'string' ? record.chain : null;
  facts.index = indexDiffers(record, row, chain);
  // Query columns are judged against intact bytes only: altered bytes are already RECORD_HASH_MISMATCH.
  const derived = facts.claimedHash === facts.hash ? queryColumns(record) : null;
  if (derived !== null) facts.index.push(...columnsDiffer(derived, row));
  if (record.type === 'decision') facts.columns = derived;
  else if (record.type === 'outcome' && row.subject !== undefined && facts.claimedHash === facts.hash) {
    facts.columns = {
      subject: row.subject ?? null,
      decision: row.decision ?? null,
      policy_version: row.policy_version ?? null,
    };
  }
  if (record.type === 'decision')
    facts.allow =
      isObject(record.decision) && typeof record.decision.allow === 'boolean' ? record.decision.allow : null;
  if (record.type === 'outcome')
    facts.decisionHash = typeof record.decision_hash === 'string' ? record.decision_hash : null;
  if (record.type === 'key_rotated') {
    const rotated = rotatedKey(record);
    facts.rotation = rotated === null ? 'invalid' : { kid: rotated.kid, pem: rotated.pem };
  }
  if (
    record.type === 'retention_applied' &&
    typeof record.dropped_through_seq === 'number' &&
    typeof record.dropped_through_hash === 'string'
  ) {
    facts.retention = { throughSeq: record.dropped_through_seq, throughHash: record.dropped_through_hash };
  }
  const sigText = typeof record.sig === 'string' ? record.sig : null;
  const always = record.type === 'key_rotated' || record.type === 'retention_applied';
  if (!checkSignature && !always) {
    facts.sigText = sigText;
    return facts;
  }
  const key = facts.kid === null ? undefined : keys.get(facts.kid);
  if (sigText === null) facts.sig = 'invalid';
  else if (key === undefined) {
    facts.sig = 'unresolved';
    facts.sigText = sigText;
  } else if (deferred !== undefined) deferred.push({ facts, check: { hash, sig: sigText, key } });
  else facts.sig = signatureValid(hash, sigText, key) ? 'valid' : 'invalid';
  return facts;
}

/** A signature inspectRecord resolved to a key but left for settleSignatures to check with the others. */
export interface DeferredSignature {
  facts: RecordFacts;
  check: SignatureCheck;
}

/** Checks the deferred signatures in one call (the native verifier when built, node:crypto otherwise; same
 * verdicts). */
export function settleSignatures(deferred: readonly DeferredSignature[]): void {
  const verdicts = signaturesValid(deferred.map((d) => d.check));
  deferred.forEach((d, i) => {
    d.facts.sig = verdicts[i] ? 'valid' : 'invalid';
  });
}

/**
 * Inspects rows in order and checks their signatures together at the end. A key_rotated row's key is handed to
 * `addKey` (which must make it resolvable in `keys`) before the next row is inspected, as with one-by-one inspection.
 */
export function inspectRecords(
  rows: readonly RecordRow[],
  chain: string,
  keys: ReadonlyMap<string, KeyObject>,
  check: Uint8Array,
  addKey: (kid: string, pem: string) => void,
): RecordFacts[] {
  const deferred: DeferredSignature[] = [];
  const facts = rows.map((row, i) => {
    const f = inspectRecord(row, chain, keys, check[i] === 1, deferred);
    if (f.rotation !== null && f.rotation !== 'invalid') addKey(f.rotation.kid, f.rotation.pem);
    return f;
  });
  settleSignatures(deferred);
  return facts;
}

function canonicalOf(value: unknown): string | null {
  try {
    return JSON.stringify(value);
  } catch {
    return null; // not serialisable, so not canonical: the caller's comparison fails as it should
  }
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function indexDiffers(record: Record<string, JsonValue>, row: RecordRow, chain: string): string[] {
  const differs: string[] = [];
  if (record.chain !== chain) differs.push('chain');
  if (record.hash !== row.hash) differs.push('hash');
  if (record.prev !== row.prev) differs.push('prev');
  if (record.type !== row.type) differs.push('type');
  if (record.request_id !== row.request_id) differs.push('request_id');
  if (typeof record.ts !== 'string' || row.ts === null || Date.parse(record.ts) !== row.ts) differs.push('ts');
  if (row.kid !== undefined && record.kid !== row.kid) differs.push('kid');
  return differs;
}
