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
  const parts: string[] = [];
  write(value, '$', parts, new Set());
  return parts.join('');
}

/** The canonical members `"key":value` of a plain object, sorted: joined by "," inside braces they are its canonical
 * form, and members of several objects with distinct keys can be merged (sorted again) without serialising twice. */
export function canonicalMembers(value: Record<string, unknown>): [key: string, member: string][] {
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) throw invalid('$', 'not a plain object');
  if (Object.getOwnPropertySymbols(value).length > 0) throw invalid('$', 'symbol keys');
  return Object.keys(value)
    .sort()
    .map((key) => {
      const path = `$${/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;
      const parts: string[] = [quote(key, path), ':'];
      write(value[key], path, parts, new Set([value]));
      return [key, parts.join('')];
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

function write(value: unknown, path: string, out: string[], open: Set<object>): void {
  switch (typeof value) {
    case 'string':
      out.push(quote(value, path));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isSafeInteger(value)) throw invalid(path, `number ${String(value)} is not a safe integer`);
      out.push(value === 0 ? '0' : String(value)); // -0 serialises as 0 (RFC 8785 §3.2.2.3)
      return;
    case 'object':
      if (value === null) {
        out.push('null');
        return;
      }
      if (open.has(value)) throw invalid(path, 'cyclic structure');
      open.add(value);
      if (Array.isArray(value)) writeArray(value, path, out, open);
      else writeObject(value, path, out, open);
      open.delete(value);
      return;
    default:
      throw invalid(path, `${typeof value} is not a JSON value`);
  }
}

function writeArray(value: unknown[], path: string, out: string[], open: Set<object>): void {
  out.push('[');
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out.push(',');
    if (!(i in value)) throw invalid(`${path}[${i}]`, 'sparse array');
    write(value[i], `${path}[${i}]`, out, open);
  }
  out.push(']');
}

function writeObject(value: object, path: string, out: string[], open: Set<object>): void {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw invalid(path, 'not a plain object');
  if (Object.getOwnPropertySymbols(value).length > 0) throw invalid(path, 'symbol keys');
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 prescribes.
  const keys = Object.keys(record).sort();
  out.push('{');
  keys.forEach((key, i) => {
    const childPath = `${path}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;
    if (i > 0) out.push(',');
    out.push(quote(key, childPath), ':');
    write(record[key], childPath, out, open);
  });
  out.push('}');
}

/** In a /u regex a valid surrogate pair is one code point, so \p{Cs} matches lone surrogates only. */
const LONE_SURROGATE = /\p{Cs}/u;

function quote(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) throw invalid(path, 'string is not well-formed Unicode (lone surrogate)');
  return JSON.stringify(s);
}

function invalid(path: string, why: string): LedgerError {
  return new LedgerError('ERR_RECORD_INVALID', `${path}: ${why}`, { path });
}
