// RFC 8785 (JCS) canonical JSON for the value set records may hold: strings (well-formed Unicode), safe
// integers, booleans, null, arrays and plain objects. Anything else is rejected with ERR_RECORD_INVALID naming
// its JSON path, so a record's bytes are fully determined by its value. Object keys are sorted by UTF-16 code
// units; for this value set JCS string and number forms are exactly ECMAScript's JSON.stringify.
import { LedgerError } from './errors.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The canonical UTF-8 bytes of value. Throws LedgerError ERR_RECORD_INVALID for values outside the set. */
export function canonicalize(value: unknown): Uint8Array {
  return encoder.encode(canonicalString(value));
}

/** The canonical form as a string (the bytes are its UTF-8 encoding). */
export function canonicalString(value: unknown): string {
  return write(value, { steps: [], open: [], nul: null }, 0);
}

/** What canonicalMembers saw while writing: the first member (its key) whose text escapes a U+0000, in a key or a
 * string at any depth, else null. Read from the strings as given, so the members' texts need no scan. */
export interface MemberNotes {
  nulKey: string | null;
}

/** The canonical members `"key":value` of a plain object, sorted: joined by "," inside braces they are its canonical
 * form, and members of several objects with distinct keys can be merged (sorted again) without serialising twice.
 * `notes`, when given, is told what was seen (MemberNotes). */
export function canonicalMembers(value: Record<string, unknown>, notes?: MemberNotes): [key: string, member: string][] {
  const walk: Walk = { steps: [], open: [value], nul: null };
  checkPlainObject(value, walk, 0);
  const keys = sortedKeys(value);
  const members = new Array<[string, string]>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    walk.steps[0] = key;
    members[i] = [key, quoteKey(key, walk, 1) + write(value[key], walk, 1)];
  }
  if (notes) notes.nulKey = walk.nul;
  return members;
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

/** Where the writer is: at depth d, steps[0..d-1] is the path (built into a string only for an error message) and
 * open[0..d-1] the objects being written (a cycle is one of them met again). Indexed by depth, not pushed and
 * popped. */
interface Walk {
  steps: (string | number)[];
  open: object[];
  /** The first top-level key under which a string (or key) held U+0000 (written as \u0000), else null. */
  nul: string | null;
}

function pathOf(walk: Walk, depth: number): string {
  let path = '$';
  for (let i = 0; i < depth; i++) {
    const step = walk.steps[i] as string | number;
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
// array and joining once. `value` is at depth `depth` (its path is walk.steps[0..depth-1]).
function write(value: unknown, walk: Walk, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value, walk, depth);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw invalid(pathOf(walk, depth), `number ${String(value)} is not a safe integer`);
      }
      return value === 0 ? '0' : String(value); // -0 serialises as 0 (RFC 8785 §3.2.2.3)
    case 'object': {
      if (value === null) return 'null';
      for (let i = 0; i < depth; i++)
        if (walk.open[i] === value) throw invalid(pathOf(walk, depth), 'cyclic structure');
      walk.open[depth] = value;
      return Array.isArray(value) ? writeArray(value, walk, depth) : writeObject(value, walk, depth);
    }
    default:
      throw invalid(pathOf(walk, depth), `${typeof value} is not a JSON value`);
  }
}

function writeArray(value: unknown[], walk: Walk, depth: number): string {
  let text = '[';
  for (let i = 0; i < value.length; i++) {
    if (i > 0) text += ',';
    walk.steps[depth] = i;
    if (!(i in value)) throw invalid(pathOf(walk, depth + 1), 'sparse array');
    text += write(value[i], walk, depth + 1);
  }
  return `${text}]`;
}

function checkPlainObject(value: object, walk: Walk, depth: number): void {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw invalid(pathOf(walk, depth), 'not a plain object');
  if (Object.getOwnPropertySymbols(value).length > 0) throw invalid(pathOf(walk, depth), 'symbol keys');
}

function writeObject(value: object, walk: Walk, depth: number): string {
  checkPlainObject(value, walk, depth);
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) text += ',';
    walk.steps[depth] = key;
    text += quoteKey(key, walk, depth + 1) + write(record[key], walk, depth + 1);
  }
  return `${text}}`;
}

/** Up to this many keys an insertion sort (no comparator calls) sorts them; more go to Array.prototype.sort. */
const INSERTION_SORT_MAX = 24;

/** The own enumerable keys sorted by UTF-16 code units (RFC 8785 §3.2.3): `<` on strings and the default sort both
 * compare code units. Records' objects are small; already sorted keys cost one comparison each. */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    if ((keys[j] as string) < key) continue;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** In a /u regex a valid surrogate pair is one code point, so \p{Cs} matches lone surrogates only. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Characters JSON.stringify would escape, and surrogates (which need the well-formedness check). */
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Strings up to this length are checked for NEEDS_CARE characters by a loop (cheaper than the regex there). */
const SHORT_STRING = 64;

function plain(s: string): boolean {
  if (s.length > SHORT_STRING) return !NEEDS_CARE.test(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c & 0xf800) === 0xd800) return false;
  }
  return true;
}

/** `value` is at depth `depth`; for a key, depth is one past its object's (the key is the last step). */
function quote(s: string, walk: Walk, depth: number): string {
  // Fast path: with none of those characters the JCS form is the string between quotes (the hot path: hex digests,
  // identifiers, codes). Otherwise JSON.stringify's escaping is exactly RFC 8785's for well-formed strings.
  if (plain(s)) return `"${s}"`;
  if (LONE_SURROGATE.test(s)) {
    throw invalid(pathOf(walk, depth), 'string is not well-formed Unicode (lone surrogate)');
  }
  if (walk.nul === null && depth > 0 && s.includes('\u0000')) walk.nul = String(walk.steps[0]);
  return JSON.stringify(s);
}

/** Quoted keys with their colon, remembered: records repeat a small set of keys. Bounded, so a body with many distinct
 * keys costs no memory past the bound (those keys are quoted each time). Only plain keys are kept: one that needs
 * escaping goes through quote every time, which notes a U+0000 in it (Walk.nul). */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 2048;

/** A key of an object being written, quoted, with its colon; `depth` is one past its object's (the key is the last
 * step of the path an error names). */
function quoteKey(key: string, walk: Walk, depth: number): string {
  let text = quotedKeys.get(key);
  if (text === undefined) {
    text = `${quote(key, walk, depth)}:`;
    if (quotedKeys.size < QUOTED_KEYS_MAX && plain(key)) quotedKeys.set(key, text);
  }
  return text;
}

function invalid(path: string, why: string): LedgerError {
  return new LedgerError('ERR_RECORD_INVALID', `${path}: ${why}`, { path });
}
