// The ledger's canonical JSON as it was at 73b0ccc (before the faster writer), kept verbatim below this header as the
// reference round 5's property test compares the current writer's bytes against. Test-only; not imported by src/.
// RFC 8785 (JCS) canonical JSON for the value set records may hold: strings (well-formed Unicode), safe
// integers, booleans, null, arrays and plain objects. Anything else is rejected with ERR_RECORD_INVALID naming
// its JSON path, so a record's bytes are fully determined by its value. Object keys are sorted by UTF-16 code
// units; for this value set JCS string and number forms are exactly ECMAScript's JSON.stringify.
import { LedgerError } from '../../src/ledger/errors.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The canonical UTF-8 bytes of value. Throws LedgerError ERR_RECORD_INVALID for values outside the set. */
export function canonicalize(value: unknown): Uint8Array {
  return encoder.encode(canonicalString(value));
}

/** The canonical form as a string (the bytes are its UTF-8 encoding). */
export function canonicalString(value: unknown): string {
  return write(value, { steps: [], open: new Set() });
}

/** The canonical members `"key":value` of a plain object, sorted: joined by "," inside braces they are its canonical
 * form, and members of several objects with distinct keys can be merged (sorted again) without serialising twice. */
export function canonicalMembers(value: Record<string, unknown>): [key: string, member: string][] {
  const walk: Walk = { steps: [], open: new Set([value]) };
  checkPlainObject(value, walk);
  return Object.keys(value)
    .sort()
    .map((key) => {
      walk.steps.push(key);
      const member = `${quote(key, walk)}:${write(value[key], walk)}`;
      walk.steps.pop();
      return [key, member];
    });
}

/** Parses bytes that MUST be canonical: valid UTF-8 JSON whose canonical re-serialisation is byte-identical. */
export function parseCanonical(bytes: Uint8Array): JsonValue {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new LedgerError('ERR_RECORD_NOT_CANONICAL', 'not valid UTF-8 JSON', { cause: err });
  }
  let again: Uint8Array;
  try {
    again = canonicalize(value);
  } catch (err) {
    throw new LedgerError('ERR_RECORD_NOT_CANONICAL', 'holds a value outside the canonical set', { cause: err });
  }
  if (!bytesEqual(again, bytes)) {
    throw new LedgerError('ERR_RECORD_NOT_CANONICAL', 'bytes differ from their canonical re-serialisation');
  }
  return value as JsonValue;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Where the writer is: the path (built into a string only for an error message) and the objects being written. */
interface Walk {
  steps: (string | number)[];
  open: Set<object>;
}

function pathOf(walk: Walk): string {
  let path = '$';
  for (const step of walk.steps) {
    path +=
      typeof step === 'number'
        ? `[${step}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(step)
          ? `.${step}`
          : `[${JSON.stringify(step)}]`;
  }
  return path;
}

// Strings are built by concatenation: V8 joins them as ropes, which measured faster here than pushing parts to an
// array and joining once.
function write(value: unknown, walk: Walk): string {
  switch (typeof value) {
    case 'string':
      return quote(value, walk);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) throw invalid(pathOf(walk), `number ${String(value)} is not a safe integer`);
      return value === 0 ? '0' : String(value); // -0 serialises as 0 (RFC 8785 §3.2.2.3)
    case 'object': {
      if (value === null) return 'null';
      if (walk.open.has(value)) throw invalid(pathOf(walk), 'cyclic structure');
      walk.open.add(value);
      const text = Array.isArray(value) ? writeArray(value, walk) : writeObject(value, walk);
      walk.open.delete(value);
      return text;
    }
    default:
      throw invalid(pathOf(walk), `${typeof value} is not a JSON value`);
  }
}

function writeArray(value: unknown[], walk: Walk): string {
  let text = '[';
  for (let i = 0; i < value.length; i++) {
    if (i > 0) text += ',';
    walk.steps.push(i);
    if (!(i in value)) throw invalid(pathOf(walk), 'sparse array');
    text += write(value[i], walk);
    walk.steps.pop();
  }
  return `${text}]`;
}

function checkPlainObject(value: object, walk: Walk): void {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw invalid(pathOf(walk), 'not a plain object');
  if (Object.getOwnPropertySymbols(value).length > 0) throw invalid(pathOf(walk), 'symbol keys');
}

function writeObject(value: object, walk: Walk): string {
  checkPlainObject(value, walk);
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 prescribes.
  const keys = Object.keys(record).sort();
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) text += ',';
    walk.steps.push(key);
    text += `${quote(key, walk)}:${write(record[key], walk)}`;
    walk.steps.pop();
  }
  return `${text}}`;
}

/** In a /u regex a valid surrogate pair is one code point, so \p{Cs} matches lone surrogates only. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Characters JSON.stringify would escape, and surrogates (which need the well-formedness check). */
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(s: string, walk: Walk): string {
  // Fast path: with none of those characters the JCS form is the string between quotes (the hot path: hex digests,
  // identifiers, codes). Otherwise JSON.stringify's escaping is exactly RFC 8785's for well-formed strings.
  if (!NEEDS_CARE.test(s)) return `"${s}"`;
  if (LONE_SURROGATE.test(s)) throw invalid(pathOf(walk), 'string is not well-formed Unicode (lone surrogate)');
  return JSON.stringify(s);
}

function invalid(path: string, why: string): LedgerError {
  return new LedgerError('ERR_RECORD_INVALID', `${path}: ${why}`, { path });
}
