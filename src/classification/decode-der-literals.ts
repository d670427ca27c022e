// A DER private key written as a literal of its bytes rather than as text: percent-encoded (`key=%30%2e%02%01…`, a
// form field or a URL) or as Python's bytes repr (`b'0\x82\x04\xbd\x02\x01…'`: printable bytes as themselves). Such
// a literal is binary, never valid UTF-8, so the escape scans never read it: these readers give its bytes as hex
// digits to the DER reader (decode-der.ts), and a key found covers the whole literal. Each reads its literal once.
import { isHexDigit } from './decode-bytes.ts';
import { MAX_QUOTED_GAP } from './decode-der-gaps.ts';

/** A percent-encoded run's bytes as hex digits: each `%XX` its two digits, each other character its own code. */
export function percentBytesAsHex(run: string): string {
  let hex = '';
  for (let i = 0; i < run.length; i += 1) {
    const code = run.charCodeAt(i);
    if (code === 0x25 && isHexDigit(run.charCodeAt(i + 1)) && isHexDigit(run.charCodeAt(i + 2))) {
      hex += run.slice(i + 1, i + 3);
      i += 2;
    } else hex += code.toString(16).padStart(2, '0');
  }
  return hex;
}

/**
 * A bytes literal of a text (or adjacent ones): from its first quote's prefix to past its last quote, its bytes as hex.
 */
export interface BytesLiteral {
  start: number;
  end: number;
  hex: string;
}

/**
 * The bytes literals of a text that may hold a DER key (its first byte is `0`, 0x30): Python's `b'0…'` / `b"0…"`, and
 * a C (or JavaScript, Java…) string opening with an escape of it (`"\060…"`, `"\60…"`, `"\x30…"`). A literal is read
 * on across the next ones whose quote comes within MAX_QUOTED_GAP after its end, whatever lies between (`b'…'⏎ b'…'`
 * in parentheses, C's `"…"⏎"…"`, `key += "…"`): the quotes mark the pieces. Each parse stops at the next quote and
 * the scan goes on past the last literal read, so the scan is linear. `openAtEnd`: a literal the text's end cuts
 * before its closing quote is read to the end (a join window's text, which may end inside a value: join-decode.ts).
 */
export function* bytesLiterals(text: string, openAtEnd = false): Generator<BytesLiteral> {
  const nextOpening = openings(text);
  for (let i = nextOpening(0); i >= 0; ) {
    const prefixed = (text.charCodeAt(i) | 0x20) === 0x62;
    const quote = text.charCodeAt(prefixed ? i + 1 : i);
    const first = literalAsHex(text, i, openAtEnd);
    if (first === undefined) {
      i = nextOpening(i + 1);
      continue;
    }
    let { hex, end } = first;
    // The next literal of the same kind (a `b` prefix or none, the same quote) within MAX_QUOTED_GAP.
    for (let k = end; k < text.length && k - end < MAX_QUOTED_GAP; k += 1) {
      if (text.charCodeAt(k) !== quote || ((text.charCodeAt(k - 1) | 0x20) === 0x62) !== prefixed) continue;
      const more = literalAsHex(text, k, openAtEnd);
      if (more === undefined) break;
      hex += more.hex;
      [end, k] = [more.end, more.end - 1];
    }
    if (hex.length >= 2 * MIN_KEY_BYTES) yield { start: i, end, hex };
    i = nextOpening(end);
  }
}

/** Fewest bytes a key's literal holds: a PEM line's 48 (an Ed25519 PKCS#8 key's all). */
const MIN_KEY_BYTES = 48;

/** What a literal that may hold a key opens with: a `b` prefix and a quote before `0`, or a quote before an escape. */
const OPENINGS = ["b'0", 'b"0', "B'0", 'B"0', '"\\', "'\\"];

/**
 * Where the next literal that may hold a key opens from `from` (its `b` prefix, else its quote), or -1: `b'0`, `b"0`,
 * or a quote then `\060`, `\60` or `\x30` (the key's first byte, 0x30). Each opening is searched for natively and
 * its next place kept, so a text's scan is linear.
 */
function openings(text: string): (from: number) => number {
  const next = OPENINGS.map(() => -2);
  return (from) => {
    for (;;) {
      let at = -1;
      let which = -1;
      for (let k = 0; k < OPENINGS.length; k += 1) {
        if ((next[k] as number) !== -1 && (next[k] as number) < from)
          next[k] = text.indexOf(OPENINGS[k] as string, from);
        const found = next[k] as number;
        if (found >= 0 && (at < 0 || found < at)) [at, which] = [found, k];
      }
      if (at < 0 || which < 4) return at;
      // A quote and a backslash: `\060`, `\60` or `\x30` after it.
      if (/^\\(?:0?60|x30)/.test(text.slice(at + 1, at + 6))) return at;
      from = at + 1;
    }
  };
}

/** The escapes of one character in a bytes literal or a C string: `\n` `\t` `\r` `\\` `\'` `\"` `\a` `\b` `\f` `\v`. */
export const ESCAPES: Record<string, number> = {
  n: 0x0a,
  t: 0x09,
  r: 0x0d,
  '\\': 0x5c,
  "'": 0x27,
  '"': 0x22,
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  v: 0x0b,
};

function isOctalDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x37;
}

/**
 * A literal's bytes as hex digits, from its opening quote at `at` (a `b` prefix is stepped over) to past its closing
 * one (or to the text's end, `openAtEnd`); else undefined. Printable bytes as themselves, `\xHH`, octal `\o` to
 * `\ooo` (up to 0o377) and ESCAPES.
 */
function literalAsHex(text: string, from: number, openAtEnd: boolean): { hex: string; end: number } | undefined {
  const at = (text.charCodeAt(from) | 0x20) === 0x62 ? from + 1 : from;
  const quote = text[at];
  if (quote !== '"' && quote !== "'") return undefined;
  let hex = '';
  for (let i = at + 1; i < text.length; ) {
    const char = text[i] as string;
    const code = text.charCodeAt(i);
    if (char === quote) return { hex, end: i + 1 };
    if (code < 0x20 || code >= 0x7f) return undefined;
    if (char !== '\\') {
      hex += code.toString(16).padStart(2, '0');
      i += 1;
    } else if (text[i + 1] === 'x' && isHexDigit(text.charCodeAt(i + 2)) && isHexDigit(text.charCodeAt(i + 3))) {
      hex += text.slice(i + 2, i + 4);
      i += 4;
    } else if (isOctalDigit(text.charCodeAt(i + 1))) {
      let [value, k] = [0, i + 1];
      for (; k < i + 4 && isOctalDigit(text.charCodeAt(k)); k += 1) value = value * 8 + text.charCodeAt(k) - 0x30;
      if (value > 0xff) return undefined;
      hex += value.toString(16).padStart(2, '0');
      i = k;
    } else {
      const byte = ESCAPES[text[i + 1] as string];
      if (byte === undefined) return undefined;
      hex += byte.toString(16).padStart(2, '0');
      i += 2;
    }
  }
  return openAtEnd ? { hex, end: text.length } : undefined;
}
