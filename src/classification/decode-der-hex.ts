// Hex tokens of a DER private key's notations: a `0x` or `\x` prefix, a type suffix (`0x30u8`), digits running on over
// gaps or a byte a token (Python's `0x4`). readHex reads a bounded number of bytes and passes each character once.
import { isHexDigit } from './decode-bytes.ts';
import { evenPieces, isAlnum, pastGap, type Read } from './decode-der-gaps.ts';

/** Where a hex token's digits start at `at` (after a `0x` or `\x` prefix), or -1 when no token starts there. */
export function hexTokenAt(text: string, at: number): number {
  const [a, b] = [text.charCodeAt(at), text.charCodeAt(at + 1)];
  if ((a === 0x30 && (b === 0x78 || b === 0x58)) || (a === 0x5c && b === 0x78)) {
    return isHexDigit(text.charCodeAt(at + 2)) ? at + 2 : -1;
  }
  return isHexDigit(a) ? at : -1;
}

/**
 * Hex from `at`, token after token across gaps (within a row of a dump only: `row`). `perToken`: a token of one
 * digit is a byte with its leading zero dropped (Python's `hex(4)` is `0x4`) and an odd token of more ends the read;
 * otherwise the digits run on over gaps (hex wrapped at any width). `single` tells whether a one-digit token was read.
 */
export function readHex(
  text: string,
  at: number,
  want: number,
  perToken: boolean,
  gap: Uint8Array,
  out?: Uint8Array,
  base = 0,
): Read & { single: boolean } {
  let [n, end, high, single] = [0, at, -1, false];
  const fits = evenPieces();
  const emit = (byte: number, after: number) => {
    if (out !== undefined) out[base + n] = byte;
    n += 1;
    end = after;
  };
  for (let i = at; n < want; ) {
    const digits = hexTokenAt(text, i);
    if (digits < 0) break;
    // The token's digits as far as the bytes wanted only (a megabyte of hex is one token).
    let stop = digits;
    for (; n < want && stop < text.length && isHexDigit(text.charCodeAt(stop)); stop += 1) {
      const value = hexValue(text.charCodeAt(stop));
      if (high < 0) high = value;
      else {
        emit((high << 4) | value, stop + 1);
        high = -1;
      }
    }
    if (n >= want) break;
    const length = stop - digits;
    if (length === 1) single = true;
    if (perToken && high >= 0) {
      if (length !== 1) break; // an odd token of more than one digit
      emit(high, stop);
      high = -1;
    }
    if (stop >= text.length || (!perToken && !fits(length))) break;
    if (digits > i) stop = pastSuffix(text, stop);
    i = hexTokenAt(text, stop) >= 0 ? stop : pastGap(text, stop, gap, (k) => hexTokenAt(text, k) >= 0, digits);
    if (i < 0) break;
  }
  return { n, end, single };
}

/**
 * Past a prefixed hex literal's type suffix at `at` (Rust's `0x30u8`, `0x30_u8`, `0x30i8`; C's `0x30U`) when one ends
 * there (no letter or digit after it); else `at`.
 */
export function pastSuffix(text: string, at: number): number {
  let k = text.charCodeAt(at) === 0x5f ? at + 1 : at;
  const letter = text.charCodeAt(k) | 0x20;
  if (letter !== 0x75 && letter !== 0x69) return at;
  k += text.charCodeAt(k + 1) === 0x38 ? 2 : 1;
  return isAlnum(text.charCodeAt(k)) || (k === at + 1 && letter === 0x69) ? at : k;
}

function hexValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57;
}
