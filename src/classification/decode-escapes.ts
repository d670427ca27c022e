// Character escapes as a view to decode: `\uXXXX`, `\u{X…}` and `\xXX` (JavaScript, JSON, Python, C) and HTML numeric
// references `&#DDD;` and `&#xHH;`, each read as the character it names; other characters stay as they are.
// Invariant: every decoded UTF-16 unit records the run-local span of the characters it came from, so a finding maps
// back to exactly its own escapes (decode.ts), and each character of the run is read once.

/** Decoded text with, for each UTF-16 unit, the run-local span [starts[u], ends[u]) it came from. */
export interface MappedText {
  text: string;
  starts: Int32Array;
  ends: Int32Array;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** The number of `digits` (hex or decimal) at `at`, at most `most`, and their value. */
function numberAt(run: string, at: number, most: number, base: 16 | 10): { length: number; value: number } {
  let value = 0;
  let length = 0;
  while (length < most) {
    const code = run.charCodeAt(at + length);
    const digit = base === 16 ? hexValue(code) : code >= 0x30 && code <= 0x39 ? code - 0x30 : -1;
    if (digit < 0) break;
    value = value * base + digit;
    length += 1;
  }
  return { length, value };
}

/** The escape at `at`: the code point it names and its length, or undefined when there is none. */
function escapeAt(run: string, at: number): { code: number; length: number } | undefined {
  const c1 = run[at + 1];
  if (run[at] === '\\') {
    if (c1 === 'x') {
      const n = numberAt(run, at + 2, 2, 16);
      return n.length === 2 ? { code: n.value, length: 4 } : undefined;
    }
    if (c1 !== 'u') return undefined;
    if (run[at + 2] === '{') {
      const n = numberAt(run, at + 3, 6, 16);
      const ok = n.length > 0 && run[at + 3 + n.length] === '}' && n.value <= 0x10ffff;
      return ok ? { code: n.value, length: n.length + 4 } : undefined;
    }
    const n = numberAt(run, at + 2, 4, 16);
    return n.length === 4 ? { code: n.value, length: 6 } : undefined;
  }
  if (run[at] !== '&' || c1 !== '#') return undefined;
  const hex = run[at + 2] === 'x' || run[at + 2] === 'X';
  const from = at + (hex ? 3 : 2);
  const n = numberAt(run, from, 7, hex ? 16 : 10);
  const ok = n.length > 0 && run[from + n.length] === ';' && n.value <= 0x10ffff;
  return ok ? { code: n.value, length: from + n.length + 1 - at } : undefined;
}

/** A run with every escape decoded, or undefined when it holds none. */
export function decodeEscapes(run: string): MappedText | undefined {
  const units: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let escapes = 0;
  for (let i = 0; i < run.length; ) {
    const found = run[i] === '\\' || run[i] === '&' ? escapeAt(run, i) : undefined;
    // A \u escape names one UTF-16 unit (two of them make a pair); a larger code point is two units of one escape.
    const chars =
      found === undefined
        ? (run[i] as string)
        : found.code > 0xffff
          ? String.fromCodePoint(found.code)
          : String.fromCharCode(found.code);
    const length = found === undefined ? 1 : found.length;
    for (let k = 0; k < chars.length; k += 1) {
      units.push(chars[k] as string);
      starts.push(i);
      ends.push(i + length);
    }
    if (found !== undefined) escapes += 1;
    i += length;
  }
  if (escapes === 0) return undefined;
  return { text: units.join(''), starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
}
