// Round 9 of the attacker's review (session 11), an unarmored DER private key in notations decode-der-notations.ts
// does not read (session 10 reads hex, decimal, dump rows, string literal joins, percent-encoding and Python's bytes
// repr). The default output of `hexdump` and `od -x` (16-bit little-endian words: `2e30 0102 …`), `od -b` (octal
// bytes), a C string of octal escapes (`"\060\056\002…"`, what `xxd -i`'s peers and old C code write) and a Rust byte
// array with typed literals (`0x30u8`) each carry the key byte for byte; a model (or `xxd -r`) reads it back. Each
// case is the same Ed25519 PKCS#8 key. Controls: `hexdump -C` rows, `od -An -tu1` decimal, a Go `[]byte{0x30, …}`.
import { describe, expect, it } from 'vitest';
import { CLOSED, ED25519, fates, pieces } from './round9-helpers.ts';

const BYTES = [...ED25519];
const hex2 = (b: number) => b.toString(16).padStart(2, '0');
/** Rows of 16 bytes, each row `offset` then the bytes as `cell` writes each (or a pair as `word`). */
const rows = (offset: (at: number) => string, row: (bytes: number[]) => string) =>
  pieces(BYTES.map((b) => String.fromCharCode(b)).join(''), 16)
    .map((chunk, i) => `${offset(i * 16)} ${row([...chunk].map((c) => c.charCodeAt(0)))}`)
    .join('\n');
const words = (bytes: number[]) =>
  (pieces(bytes.map(hex2).join(''), 4) as string[]).map((w) => `${w.slice(2)}${w.slice(0, 2)}`).join(' ');

describe('a DER private key in dump and literal notations not read', () => {
  // Closed: dump rows of little-endian words or octal bytes (decode-der-notations.ts cellRowsReader) and suffixed hex
  // literals (pastSuffix) from decode-der.ts notationKeys; C strings of octal escapes (decode-der-literals.ts).
  it.each([
    ['hexdump (default: little-endian words)', rows((at) => at.toString(16).padStart(7, '0'), words)],
    ['od -x (octal offsets, little-endian words)', rows((at) => at.toString(8).padStart(7, '0'), words)],
    [
      'od -b (octal bytes)',
      rows(
        (at) => at.toString(8).padStart(7, '0'),
        (b) => b.map((x) => x.toString(8).padStart(3, '0')).join(' '),
      ),
    ],
    [
      'a C string of octal escapes',
      `const char key[] = "${BYTES.map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}";`,
    ],
    ['a Rust array of u8 literals', `let key = [${BYTES.map((b) => `0x${hex2(b)}u8`).join(', ')}];`],
  ])('%s: neither forwarded, relayed nor streamed', async (_name, text) => {
    expect(await fates(text, text.slice(40, 60))).toEqual(CLOSED);
  });
  // (hexdump -C rows leak from streams for about half of all keys: round9-streams.test.ts's dump rows family.)
  it('control: hexdump -C rows, od -An -tu1 decimal rows and a Go byte slice are refused and withheld', async () => {
    for (const text of [
      rows(
        (at) => at.toString(16).padStart(8, '0'),
        (b) => `${b.map(hex2).join(' ')}  |................|`,
      ),
      rows(
        () => '',
        (b) => b.join(' '),
      ),
      `key := []byte{${BYTES.map((b) => `0x${hex2(b)}`).join(', ')}}`,
    ]) {
      const { forwarded, relayed } = await fates(text, text.slice(-20));
      expect({ forwarded, relayed }).toEqual({ forwarded: false, relayed: false });
    }
  });
});
