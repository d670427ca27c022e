// Characters drawn as a dash, a bar or a line that are letters, modifier symbols or box drawing (digit-separators.ts
// DASH_LIKE) separate a card's and an SSN's groups as a dash does; letters at large do not, and katakana words and
// Arabic text justified with tatweel read as before.
import { describe, expect, it } from 'vitest';
import { isDigitSeparator } from '../../../src/classification/digit-separators.ts';
import { createClassifier } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const find = (text: string) =>
  classifier.classify([{ path: 'p', text }]).findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end) }));

const DASH_LIKE = [
  0x30fc, 0xff70, 0x640, 0x2c9, 0x2cd, 0x2d7, 0xa789, 0x1c0, 0x2500, 0x2501, 0x2504, 0x2505, 0x2508, 0x2509, 0x254c,
  0x254d, 0x2574, 0x2576, 0x2578, 0x257a, 0x257c, 0x257e, 0x23af, 0x23ba, 0x23bb, 0x23bc, 0x23bd,
];
const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

describe('a dash-like letter or symbol between digit groups', () => {
  it.each(DASH_LIKE.map((code) => [hex(code), String.fromCodePoint(code)]))(
    '%s: a card and an SSN after its word are found whole',
    (_name, sep) => {
      const [card, ssn] = [['4111', '1111', '1111', '1111'].join(sep), ['219', '09', '9999'].join(sep)];
      expect(find(`card ${card} and ssn ${ssn}`)).toEqual([
        { type: 'CREDIT_CARD', value: card },
        { type: 'US_SSN', value: ssn },
      ]);
    },
  );

  it('already dashes (Pd, minus signs, U+FE58): U+2015, U+2E3A, U+2E3B, U+FE58, U+FE63, U+FF0D', () => {
    for (const code of [0x2015, 0x2e3a, 0x2e3b, 0xfe58, 0xfe63, 0xff0d]) expect(isDigitSeparator(code)).toBe(true);
  });

  it('control: other letters and modifier letters are no separator', () => {
    // Katakana A, hiragana, the iteration marks, modifier apostrophe and prime, Arabic alef, a box's vertical line.
    for (const code of [0x30a2, 0x3042, 0x30fd, 0x309d, 0x2bc, 0x2b9, 0x2c8, 0x627, 0x2502, 0x61, 0x41]) {
      expect([hex(code), isDigitSeparator(code)]).toEqual([hex(code), false]);
    }
    expect(find('card 4111\u30a21111\u30a21111\u30a21111 and ssn 219\u302709\u30279999')).toEqual([]);
  });

  it('control: katakana words, Arabic text with tatweel and box-drawn tables with numbers read as nothing', () => {
    const texts = [
      'メモリー16GB、バッテリー4000mAh、コーヒー2杯とケーキ3個。サーバー2台、ルーター1台、データー2024年12月7日',
      'ルーター192ー168ー1ー1 の設定、パスワードは12ー34、バージョン3ー2ー1',
      'مـــرحبـــا بكم في عـــام 2024، الصفحـــة 12 من 45، الساعـــة 10ـ30',
      '┌────┬────┐\n│ 12 │ 34 │\n├────┼────┤\n│ 56 │ 78 │\n└────┴────┘ page 3─4, total 1200─1300',
    ];
    for (const text of texts) expect([text, find(text)]).toEqual([text, []]);
  });
});
