// key-starts.ts says where a DER private key may open exactly as decode-der.ts's KEY_START does (the native test it
// stands in for, in join-decode.ts): on generated texts of openings, gaps, prefixes and near-misses, both agree; its
// gap tables, built from the RE2 classes, refuse every character past ASCII as the classes do. Its answer only skips
// a read that would find nothing: where the native test would match, it MUST say so.
import fc from 'fast-check';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { GAP_CLASS, HEX_GAP_CLASS, MAX_KEY_GAP } from '../../../src/classification/decode-der-notations.ts';
import { KEY_START } from '../../../src/classification/decode-der.ts';
import { mayOpenKey } from '../../../src/classification/key-starts.ts';

const native = new RE2(KEY_START);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const PIECES = [
  'M',
  'MI',
  'MC',
  'MJ',
  'MB',
  'I',
  'C',
  'H',
  '30',
  '3',
  '0',
  '48',
  '4',
  '8',
  '82',
  '2e',
  '9f',
  '1',
  '5',
  '0x',
  '0X',
  '\\x',
  '-',
  '.',
  ' ',
  '\t',
  '\n',
  '"',
  "'",
  '`',
  '(',
  ')',
  ',',
  ':',
  ';',
  '>',
  '#',
  '*',
  '|',
  '[',
  ']',
  '{',
  '}',
  ' '.repeat(MAX_KEY_GAP - 1),
  ' '.repeat(MAX_KEY_GAP),
  'a',
  'g',
  'Z',
  '+',
  '/',
  '=',
  '\u00a0',
  'é',
  '😀',
  '\ud800',
];

describe('where a key may open (key-starts.ts)', () => {
  it('agrees with KEY_START on generated texts (says yes wherever it matches)', () => {
    const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((p) => p.join(''));
    fc.assert(
      fc.property(text, (t) => {
        // RE2 given a JS string with a lone surrogate loses the text's last characters (`\ud800MC`: no match), so
        // there it may only say yes where the native test says no (privateKeysIn still runs that test).
        if (native.test(t)) expect(mayOpenKey(t)).toBe(true);
        if (!LONE_SURROGATE.test(t)) expect(mayOpenKey(t)).toBe(native.test(t));
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees at the gap bounds and on each form', () => {
    const gap = (n: number) => ' '.repeat(n);
    const cases = [
      `M${gap(MAX_KEY_GAP)}I`,
      `M${gap(MAX_KEY_GAP + 1)}I`,
      `30${gap(MAX_KEY_GAP)}82`,
      `30${gap(MAX_KEY_GAP + 1)}82`,
      `30${gap(3)}0x82`,
      '30\\x2e',
      '30-.-2E',
      '3091',
      '48213',
      '48,-130',
      `48${gap(MAX_KEY_GAP)}130`,
      `48${gap(MAX_KEY_GAP + 1)}130`,
      '48, 0',
      'MIIEvQ',
      'Summarise the quarterly report',
      'chatcmpl-0f8e2a4c7d1b',
    ];
    for (const t of cases) expect(mayOpenKey(t), t).toBe(native.test(t));
  });

  it('the gap classes hold ASCII characters only', () => {
    let others = '';
    for (let code = 0x80; code < 0x10000; code += 1)
      if (code < 0xd800 || code > 0xdfff) others += String.fromCharCode(code);
    for (const source of [GAP_CLASS, HEX_GAP_CLASS]) {
      const [re, js] = [new RE2(`^${source}$`), new RegExp(`^${source}$`)];
      for (let code = 0; code < 0x80; code += 1)
        expect(js.test(String.fromCharCode(code))).toBe(re.test(String.fromCharCode(code)));
      expect(new RE2(source).test(others)).toBe(false);
      expect(new RegExp(source).test(others)).toBe(false);
    }
  });
});
