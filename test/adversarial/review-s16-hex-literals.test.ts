// Review s16 (R4, attacker's review of session 16's changes), hex literal lists (c875375, decode-code-lists.ts
// hexLiteralRuns: C's and Rust's type suffixes, literals of one width apart by `,`/`;` or blanks read as one list, and
// 2-, 4- and 8-byte words read little-endian too). Each text is 'aws AKIA…' as hex literals one step further aside:
// Rust's and Java's digit separators, a comment after each literal, and the answer and stream of a closed form.
import { describe, expect, it } from 'vitest';
import { isForwarded, isRelayed, isStreamed } from './round9-helpers.ts';

const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
const HEX = Buffer.from(`aws ${KEY}`).toString('hex');
/** The hex in words of `bytes` bytes (the last one shorter). */
const words = (bytes: number) => HEX.match(new RegExp(`.{1,${bytes * 2}}`, 'g')) as string[];
/** A word's bytes in the other order, padded to 4 bytes with zeros. */
const littleEndian = (word: string) => (word.padEnd(8, '0').match(/../g) as string[]).reverse().join('');
const list = (ws: string[], literal: (w: string, i: number) => string, join = ', ') => ws.map(literal).join(join);

describe('an AWS key as hex literal lists one step aside from the lists hexLiteralRuns reads', () => {
  it.each([
    [
      '64-bit words, one a line, indented',
      `uint64_t k[] = {\n    ${list(words(8), (w) => `0x${w}ULL`, ',\n    ')}\n};`,
    ],
    ['64-bit words with no blank after the comma', `{${list(words(8), (w) => `0x${w}ULL`, ',')}}`],
    ["Java's long[] (L suffix)", `long[] k = {${list(words(8), (w) => `0x${w}L`)}};`],
    ["C#'s ulong[] (UL suffix)", `new ulong[] {${list(words(8), (w) => `0x${w}UL`)}}`],
    ["Go's []uint64 (no suffix)", `[]uint64{${list(words(8), (w) => `0x${w}`)}}`],
    ["Rust's u32 words, little-endian", `[${list(words(4), (w) => `0x${littleEndian(w)}u32`)}]`],
    ['32-bit words apart by tabs', list(words(4), (w) => `0x${w}`, '\t')],
    ["NASM's dd, little-endian", `dd ${list(words(4), (w) => `0x${littleEndian(w).toUpperCase()}`)}`],
  ])('control: the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  const ULL = `uint64_t k[] = {${list(words(8), (w) => `0x${w}ULL`)}};`;
  it('control: the key as 64-bit ULL words in an answer and in a stream of small deltas is withheld', async () => {
    expect(await isRelayed(ULL, words(8)[1] as string)).toBe(false);
    expect(await isStreamed(ULL, words(8)[1] as string)).toBe(false);
  });

  // HOLE closed in src/classification/decode-code-lists.ts HEX_LITERAL: Rust, Java, C# and Python allow `_` between a
  // literal's digits (`0x6177_7320_414b_4941_u64`), C++14 a `'`: the digits stopped at the first `_`. HEX_LITERAL's
  // digits now hold one separator between two digits (and Python's `0x_`), and each byte maps to its own two digits.
  it.each([
    [
      "Rust's u64 words with _ every 4 digits",
      `[${list(words(8), (w) => `0x${w.replace(/(.{4})(?=.)/g, '$1_')}_u64`)}]`,
    ],
    ["Java's long words with _ every 2 digits", `{${list(words(8), (w) => `0x${w.replace(/(..)(?=.)/g, '$1_')}L`)}}`],
    ["C++14's ' every 4 digits", `{${list(words(8), (w) => `0x${w.replace(/(.{4})(?=.)/g, "$1'")}ULL`)}}`],
    ["Python's 0x_ and _ between nibbles", `[${list(words(8), (w) => `0x_${w.replace(/(...)(?=.)/g, '$1_')}`)}]`],
    [
      "Rust's u32 words, little-endian, _ every 2 digits",
      `[${list(words(4), (w) => `0x${littleEndian(w).replace(/(..)(?=.)/g, '$1_')}u32`)}]`,
    ],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // HOLE closed in src/classification/decode-code-lists.ts isGap: a list's gap was separator characters only, so a
  // comment after each literal ended the list at each literal. The gap now holds up to two comments (a line comment up
  // to its line break, a block comment; commentEnd's reach) besides its separators.
  it.each([
    ['32-bit words, a line comment after each', `{\n${list(words(4), (w, i) => `  0x${w}, // word ${i}`, '\n')}\n}`],
    ['32-bit words, a block comment after each', `{${list(words(4), (w, i) => `0x${w} /* ${i} */`)}}`],
    ['32-bit words, a # comment after each', `[\n${list(words(4), (w, i) => `  0x${w},  # word ${i}`, '\n')}\n]`],
    ['32-bit words, a block comment before each', `{${list(words(4), (w, i) => `/* ${i} */ 0x${w}`)}}`],
    ['64-bit words, a comment each side of the comma', `{${list(words(8), (w) => `0x${w}ULL /* a */`, ', /* b */ ')}}`],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  it.each([
    [
      'version constants with digit separators',
      'const V: [u64; 3] = [0x0001_0002_0003_0004, 0x0001_0002_0003_0005, 0];',
    ],
    [
      'a table of CRC words with a comment after each',
      '{\n  0x00000000, // 0\n  0x77073096, // 1\n  0xEE0E612C, // 2\n  0x990951BA, // 3\n  0x076DC419, // 4\n}',
    ],
    ['numbers with thousand separators', 'const SIZES = [1_000_000, 2_500_000, 10_000_000, 0x7fff_ffff, 0xffff_0000];'],
    [
      'a table of masks with _ and a comment after each',
      '[\n  0x0000_00ff, // byte 0\n  0x0000_ff00, // byte 1\n  0x00ff_0000, // byte 2\n  0xff00_0000, // byte 3\n]',
    ],
  ])('control: %s is forwarded', async (_name, text) => {
    expect(await isForwarded(text)).toBe(true);
  });
});
