// What a stream scanner must also hold back for a DER private key written without its armor (decode-der.ts: base64,
// hex however laid out, dump rows, decimal bytes, string literals joined by an operator): the classifier finds such a
// key only once DER_PREFIX_BYTES of it are read, so until then no rule of the recognizers holds it, and a stream cut
// before that released it unread. A key still arriving is held from where it opens while its read runs to the end of
// the text and the bytes read so far may still open a key. Invariant: only holds more; offsets are original offsets.
import RE2 from 're2';
import { DER_PREFIX_BYTES, KEY_START, keyReaderAt, MAX_KEY_GAP, OPENER_BYTES, opens } from './decode-der.ts';
import { GAP_CLASS, HEX_GAP_CLASS } from './decode-der-notations.ts';
import type { ScanText } from './stream-hold.ts';

export interface KeyHolds {
  /** Where a key whose opening is not judged yet may start (held as a partial is). */
  partial: number;
  /** Where a key whose opening passed may start (held as a validated match is, however long). */
  from: number;
}

/**
 * Characters after a read's last byte within which it may still go on: a gap (MAX_KEY_GAP, an operator in it) and
 * the start of the next token (`0x`, `\x`, `-`, a prefix letter and its quote).
 */
const OPEN_TAIL = MAX_KEY_GAP + 8;

/** A dump row's line: after its last byte its character column, then a line break, within this many characters. */
const ROW_TAIL = 256;

/**
 * The text's end as the start of a KEY_START match still arriving (`48, `, `0x30, 0x`, `M`): a key's first characters
 * that do not make a candidate yet, so no read holds them.
 */
const PREFIX = [
  `M${GAP_CLASS}{0,${MAX_KEY_GAP}}`,
  String.raw`0[xX]?|\\x?`,
  String.raw`(?:0[xX]|\\x)?3`,
  String.raw`(?:0[xX]|\\x)?30${HEX_GAP_CLASS}{0,${MAX_KEY_GAP}}(?:0[xX]?|\\x?|(?:0[xX]|\\x)?[2-8])?`,
  `48?${GAP_CLASS}{0,${MAX_KEY_GAP}}-?[1-9]?`,
]
  .map((p) => `(?:${p})$`)
  .join('|');

/**
 * A Python bytes literal still open at the text's end (decode-der-literals.ts reads only closed ones): `b'0` or `b"0`
 * (a key's first byte is `0`), then printable ASCII or escapes, no closing quote.
 */
const OPEN_LITERAL = String.raw`b(?:['"]?|'0(?:[ -&(-\[\]-~]|\\[ -~])*\\?|"0(?:[ !#-\[\]-~]|\\[ -~])*\\?)$`;

let search: RE2 | undefined;
let prefix: RE2 | undefined;
let literal: RE2 | undefined;
const scratch = new Uint8Array(DER_PREFIX_BYTES);
const held = new WeakMap<ScanText, KeyHolds>();

/** Python's escapes of one character in a bytes literal (decode-der-literals.ts). */
const ESCAPES: Record<string, number> = { n: 0x0a, t: 0x09, r: 0x0d, '\\': 0x5c, "'": 0x27, '"': 0x22 };

/** Up to OPENER_BYTES bytes of an open Python bytes literal's content from `at` (complete escapes only). */
function literalBytes(text: string, at: number, out: Uint8Array): number {
  let n = 0;
  for (let i = at; n < OPENER_BYTES && i < text.length; n += 1) {
    if (text[i] !== '\\') {
      out[n] = text.charCodeAt(i);
      i += 1;
    } else if (text[i + 1] === 'x' && i + 4 <= text.length) {
      out[n] = Number.parseInt(text.slice(i + 2, i + 4), 16);
      i += 4;
    } else if (i + 2 <= text.length && ESCAPES[text[i + 1] as string] !== undefined) {
      out[n] = ESCAPES[text[i + 1] as string] as number;
      i += 2;
    } else break;
  }
  return n;
}

/** Whether the `n` bytes read so far may open a private key (decode-der.ts `opens`, on what has arrived). */
function mayOpen(bytes: Uint8Array, n: number): boolean {
  if (n >= 1 && bytes[0] !== 0x30) return false;
  const size = bytes[1] as number;
  if (n >= 2 && (size < 0x2e || size === 0x80 || size > 0x83)) return false;
  if (n >= 3 && !opens(bytes, 3)) return false;
  return n < OPENER_BYTES || opens(bytes, OPENER_BYTES);
}

/** Whether a read ending at `end` may go on in more text: the text ends within its tail. */
function readsOn(text: string, at: number, end: number): boolean {
  const rest = text.length - end;
  if (rest <= OPEN_TAIL) return true;
  // Hex may be a dump's row, whose character column comes before the next row.
  const code = text.charCodeAt(at);
  return code !== 0x4d && code !== 0x34 && rest <= ROW_TAIL && !text.includes('\n', end);
}

/** The key holds of a scanned text (its main view), computed once per text. */
export function keyHolds(t: ScanText): KeyHolds {
  let found = held.get(t);
  if (found !== undefined) return found;
  const text = t.normalized.text;
  let partial = text.length;
  let from = text.length;
  search ??= new RE2(KEY_START, 'g');
  search.lastIndex = 0;
  for (let m = search.exec(text); m !== null; m = search.exec(text)) {
    const at = m.index;
    search.lastIndex = at + 1; // a key may open inside another candidate (`30 30 2e…`)
    if (at >= from) break; // a later start holds no more than the key already held
    const read = keyReaderAt(text, at);
    if (read === undefined) continue;
    try {
      const { n, end } = read(DER_PREFIX_BYTES, scratch);
      if (n >= DER_PREFIX_BYTES || !readsOn(text, at, end)) continue;
      // A last token at the text's end may still grow (`48, 12` becomes `48, 129`): only the bytes before it count.
      const judged = end === text.length ? n - 1 : n;
      if (!mayOpen(scratch, judged)) continue;
      if (judged >= OPENER_BYTES) from = at;
      else partial = Math.min(partial, at);
    } finally {
      scratch.fill(0);
    }
  }
  // A key's first characters, and an open literal: held as partials (no bytes of theirs are judged here).
  prefix ??= new RE2(PREFIX);
  literal ??= new RE2(OPEN_LITERAL);
  const started = prefix.search(text);
  if (started >= 0) partial = Math.min(partial, started);
  const open = literal.search(text);
  if (open >= 0) {
    // Its opening judged as a read's is: passed, it holds however long the literal grows (an RSA key's is ~3k).
    const n = literalBytes(text, open + 2, scratch);
    if (n >= OPENER_BYTES && mayOpen(scratch, n)) from = Math.min(from, open);
    else if (mayOpen(scratch, n)) partial = Math.min(partial, open);
    scratch.fill(0);
  }
  const map = (x: number) => (x >= text.length ? t.original.length : t.normalized.startOf(x));
  found = { partial: map(partial), from: map(from) };
  held.set(t, found);
  return found;
}
