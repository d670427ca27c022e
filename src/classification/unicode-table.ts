// The value of every Unicode decimal digit (General_Category Nd: Arabic-Indic, Devanagari, Thai, full-width,
// mathematical, …), so any script's digits are read as ASCII digits before matching. Invariant: Unicode encodes
// each script's Nd digits as contiguous runs 0..9, so a digit's value is its distance from its run's start, mod 10.
// The table is built on first use (no work at import), from the engine's own Unicode data, over constant input.

/** Nd code points all lie below U+20000 (the last, U+1FBF9, ends Symbols for Legacy Computing). */
const LIMIT = 0x20000;

let table: Int8Array | undefined;

function build(): Int8Array {
  const values = new Int8Array(LIMIT).fill(-1);
  const nd = /^\p{Nd}$/u;
  let runStart = -1;
  for (let code = 0; code < LIMIT; code += 1) {
    if (code >= 0xd800 && code <= 0xdfff) {
      runStart = -1;
      continue;
    }
    if (!nd.test(String.fromCodePoint(code))) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) runStart = code;
    values[code] = (code - runStart) % 10;
  }
  return values;
}

/** The decimal value (0..9) of a code point that is a Unicode decimal digit, else -1. ASCII digits included. */
export function digitValue(code: number): number {
  if (code < 0x80) return code >= 0x30 && code <= 0x39 ? code - 0x30 : -1;
  if (code >= LIMIT) return -1;
  table ??= build();
  return table[code] as number;
}
