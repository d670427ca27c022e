// Review s15 (R3, attacker's review of session 15's changes), hex literals with their prefix (f0d5911,
// decode-code-lists.ts hexLiteralRuns: `0x414B…` / `\x414b…` of 8 bytes or more, not glued to a name, read as bytes).
// Each text is 'aws AKIA…' as C or shell literals one step aside: 8-byte words with a type suffix, literals of 7 bytes
// apart by blanks, and 32-bit words in little-endian order (a memory dump pasted as a C array).
import { describe, expect, it } from 'vitest';
import { isForwarded } from './round9-helpers.ts';

const HEX = Buffer.from('aws AKIAZ3MQWXR5TLPB6Y7N').toString('hex');
/** The hex in words of `bytes` bytes (the last one shorter). */
const words = (bytes: number) => HEX.match(new RegExp(`.{1,${bytes * 2}}`, 'g')) as string[];
/** A word's bytes in the other order, padded to 4 bytes with zeros. */
const littleEndian = (word: string) => (word.padEnd(8, '0').match(/../g) as string[]).reverse().join('');

describe('an AWS key as hex literals one step aside from the runs hexLiteralRuns reads', () => {
  it.each([
    ['one 0x literal', `SELECT 0x${HEX};`],
    [
      '32-bit words in order (uint32_t k[] = {0x61777320, …})',
      `uint32_t k[] = {${words(4)
        .map((w) => `0x${w}`)
        .join(', ')}};`,
    ],
    ["Go's []byte{0x61, 0x77, …}", `k := []byte{${(HEX.match(/../g) as string[]).map((b) => `0x${b}`).join(', ')}}`],
  ])('control: the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // HOLE closed in src/classification/decode-code-lists.ts (hexLiteralRuns): a literal glued to a type suffix (`ULL`)
  // was glued to a name, and each literal had to hold 8 bytes: 64-bit words with C's ULL suffix and 7-byte literals
  // apart by blanks were no run. C's and Rust's integer suffixes are read now, and literals of one width (the last
  // may be shorter) apart by a separator are read as one list.
  it.each([
    [
      '64-bit words with a ULL suffix',
      `uint64_t k[] = {${words(8)
        .map((w) => `0x${w}ULL`)
        .join(', ')}};`,
    ],
    [
      '7-byte literals apart by blanks',
      words(7)
        .map((w) => `0x${w}`)
        .join(' '),
    ],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // HOLE closed in src/classification/decode-code-lists.ts (hexLiteralRuns): 32-bit words were read in their written
  // order only; a memory dump pasted as a C array holds each word's bytes last to first (x86), as xxd -e rows do (read
  // since round 11). A list of 16-, 32- or 64-bit literals is read as little-endian words too.
  it('the key as little-endian 32-bit words (uint32_t k[] = {0x20737761, …}) is refused', async () => {
    expect(
      await isForwarded(
        `uint32_t k[] = {${words(4)
          .map((w) => `0x${littleEndian(w)}`)
          .join(', ')}};`,
      ),
    ).toBe(false);
  });

  const PROSE = Buffer.from('the quick brown fox jumps').toString('hex');
  it.each([
    [
      'prose as 64-bit words with a ULL suffix',
      `{${(PROSE.match(/.{1,16}/g) as string[]).map((w) => `0x${w}ULL`).join(', ')}}`,
    ],
    [
      'prose as little-endian 32-bit words',
      `{${(PROSE.match(/.{1,8}/g) as string[]).map((w) => `0x${littleEndian(w)}`).join(', ')}}`,
    ],
    ['masks and flags of one width', '{0xFFFFFFFF00000000ULL, 0x00000000FFFFFFFFULL, 0x0F0F0F0F0F0F0F0FULL}'],
    [
      'the key as 32-bit words written out of order',
      `{${words(4)
        .reverse()
        .map((w) => `0x${w}`)
        .join(', ')}}`,
    ],
  ])('control: %s is forwarded', async (_name, text) => {
    expect(await isForwarded(text)).toBe(true);
  });
});
