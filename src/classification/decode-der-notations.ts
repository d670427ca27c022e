// How the bytes of a DER private key are written (decode-der.ts reads them): base64 and hex however laid out (lines
// of any width, indents, quotes, list marks, groups, `0x`/`\x` prefixes, leading zeros dropped), hex dump rows with
// their offset and character columns (decode-der-rows.ts), and lists of decimal bytes, signed or not (Python's
// `list(key)`, Node's Buffer JSON, Java's `Arrays.toString`). Each reader reads a bounded number of bytes from one
// place and touches each character it passes once: gaps (decode-der-gaps.ts) are at most MAX_KEY_GAP characters.
import { isBase64Char } from './decode-bytes.ts';
import {
  evenPieces,
  GAP,
  HEX_GAP,
  isDigit,
  NONE,
  pastBase64Gap,
  pastGap,
  type Reader,
  VALUES,
} from './decode-der-gaps.ts';
import { readHex } from './decode-der-hex.ts';
import { cellRowsReader } from './decode-der-rows.ts';

/** The gap classes key-starts.ts builds its tables from. */
export { GAP_CLASS, HEX_GAP_CLASS, MAX_KEY_GAP } from './decode-der-gaps.ts';

/**
 * Base64 from `at`, across gaps; a partial quad at the end gives its whole bytes. Stops at padding, a character of
 * neither kind, or a longer gap. `end` takes the padding after the key's last quad (`=`, `==`, a gap before it too).
 */
export function base64Reader(text: string, at: number): Reader {
  return (want, out) => {
    let [n, end, quad, values, piece] = [0, at, 0, 0, at];
    const fits = evenPieces();
    for (let i = at; n < want && i < text.length; ) {
      const value = VALUES[text.charCodeAt(i)] ?? NONE;
      if (value === NONE) {
        if (!fits(i - piece)) break;
        i = pastBase64Gap(text, i, piece);
        if (i < 0) break;
        piece = i;
        continue;
      }
      quad = (quad << 6) | value;
      values += 1;
      i += 1;
      if (values === 1) continue;
      // Each value after a quad's first completes one byte (the 2nd, 3rd and 4th hold its bits' ends).
      const byte = values === 2 ? quad >>> 4 : values === 3 ? quad >>> 2 : quad;
      if (out !== undefined) out[n] = byte & 0xff;
      n += 1;
      end = i;
      if (values === 4) [quad, values] = [0, 0];
      else quad &= values === 2 ? 0x0f : 0x03;
      if (n === want && values > 0) {
        for (let pad = 0; pad < 4 - values; pad += 1) {
          const at = pastGap(text, end, GAP, (k) => text.charCodeAt(k) === 0x3d);
          if (at < 0) break;
          end = at + 1;
        }
      }
    }
    return { n, end };
  };
}

/**
 * Hex from `at`: a dump's rows when `at` starts the hex of a row with an offset column and the next row's offset
 * says how many bytes a row holds; else digits running on over gaps, or bytes a token when a one-digit token is
 * among the first `probe` bytes (the version's `0x2, 0x1, 0x0` in Python's notation).
 */
export function hexReader(text: string, at: number, probe: number): Reader {
  const rows = cellRowsReader(text, at, 'bytes');
  if (rows !== undefined) return rows;
  const perToken = readHex(text, at, probe, false, HEX_GAP).single;
  return (want, out) => readHex(text, at, want, perToken, HEX_GAP, out);
}

/** A decimal byte at `at`: 1–3 digits, `-` before a signed one (−128…255), not part of a longer number or a word. */
function decimalAt(text: string, at: number): { value: number; end: number } | undefined {
  let i = text.charCodeAt(at) === 0x2d ? at + 1 : at;
  const digits = i;
  let value = 0;
  for (; i - digits <= 3 && isDigit(text.charCodeAt(i)); i += 1) value = value * 10 + text.charCodeAt(i) - 0x30;
  const after = text.charCodeAt(i);
  if (i === digits || i - digits > 3 || after === 0x2e || (after < 128 && isBase64Char(after))) return undefined;
  if (digits > at) value = -value;
  return value < -128 || value > 255 ? undefined : { value: value & 0xff, end: i };
}

/** Decimal bytes from `at`, split by gaps (at least one character each: `48, 130, 4`, `[48,-126,4,…]`). */
export function decimalReader(text: string, at: number): Reader {
  return (want, out) => {
    let [n, end] = [0, at];
    for (let i = at; n < want; ) {
      const byte = decimalAt(text, i);
      if (byte === undefined) break;
      if (out !== undefined) out[n] = byte.value;
      n += 1;
      end = byte.end;
      i = pastGap(text, byte.end, GAP, (k) => k > byte.end && decimalAt(text, k) !== undefined);
      if (i < 0) break;
    }
    return { n, end };
  };
}
