// join-decode.ts reads a join window's keys (keysAndRows) only when KEY_HINT finds one of the characters its readers
// start from: a text without it MUST hold none of their keys, so skipping it finds the same keys. Held here against
// each reader (notationKeys, bytesLiterals, mayOpenKey) on generated near misses, and on keys written in each form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_KEY_GAP } from '../../../src/classification/decode-der-notations.ts';
import { notationKeys } from '../../../src/classification/decode-der.ts';
import { bytesLiterals } from '../../../src/classification/decode-der-literals.ts';
import { KEY_HINT, keysWhereOpening } from '../../../src/classification/join-decode.ts';
import { mayOpenKey } from '../../../src/classification/key-starts.ts';

/** Pieces of every reader's openings and their near misses: glued, they make the hints and miss them by one. */
const PIECES = [
  '3',
  '0',
  '4',
  '8',
  '6',
  '060',
  '027',
  ' ',
  '\t',
  '\n',
  ' '.repeat(MAX_KEY_GAP),
  'M',
  'm',
  'C',
  'I',
  'b',
  'B',
  "'",
  '"',
  '\\',
  'x',
  'X',
  'u8',
  ',',
  ':',
  '-',
  '2e',
  '82',
  'a',
  '00000010',
  '\u00a0',
];

/** A DER Ed25519 private key (PKCS#8): its seed is 32 bytes of no meaning. */
const DER = Buffer.concat([
  Buffer.from('302e020100300506032b657004220420', 'hex'),
  Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff)),
]);

function keysRead(text: string): number {
  return notationKeys(text).length + [...bytesLiterals(text, true)].length + keysWhereOpening(text).length;
}

describe('the key hint of join windows (join-decode.ts KEY_HINT)', () => {
  it('a text without it holds no key of any reader (generated near misses)', () => {
    const text = fc
      .array(fc.constantFrom(...PIECES), { maxLength: 16 })
      .map((p) => p.join(''))
      .filter((t) => !KEY_HINT.test(t));
    let read = 0;
    fc.assert(
      fc.property(text, (t) => {
        read += 1;
        expect(notationKeys(t)).toEqual([]);
        expect([...bytesLiterals(t, true)]).toEqual([]);
        expect(mayOpenKey(t)).toBe(false);
      }),
      { numRuns: 5_000 },
    );
    expect(read).toBe(5_000);
  });

  it.each([
    ['hex after 0x', `key = 0x${DER.toString('hex')}`],
    ['a Python bytes repr', `key = b'${[...DER].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}'`],
    [
      'a C string of octal escapes',
      `char k[] = "${[...DER].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}";`,
    ],
    ['base64', DER.toString('base64')],
    ['plain hex', DER.toString('hex')],
  ])('a key written as %s is read (control: the hint is there)', (_, text) => {
    expect(KEY_HINT.test(text)).toBe(true);
    expect(keysRead(text)).toBeGreaterThan(0);
  });
});
