// Letters past the BMP in the main view (normalize.ts, look-alikes.ts): confusables.txt's look-alikes there (Carian
// `𐊠`) and regional indicators (`🇦`) read as Latin inside a word with a Latin letter or digit, negative circled and
// squared letters (`🅐`, `🅰`) read as their capitals everywhere. Each Latin letter maps back to its one code point,
// both UTF-16 units of it: no span starts or ends inside a surrogate pair.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier, normalizeText } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const types = (text: string) => classifier.classify([{ path: 'p', text }]).findings.map((f) => f.type);

describe('look-alikes and enclosed letters past the BMP', () => {
  it('reads Carian, Old Italic and Lycian A beside Latin letters, each mapped to its two units', () => {
    const n = normalizeText('x \u{102A0}KIA \u{10300}B1 \u{10280}C2');
    expect(n.text).toBe('x AKIA AB1 AC2');
    expect([n.startOf(2), n.endOf(3), n.startOf(3)]).toEqual([2, 4, 4]);
  });

  it('keeps a word of one astral script as written (no Latin letter or digit in it)', () => {
    for (const text of ['\u{102A0}\u{102A1}\u{102A2} on a stone', '\u{10300}\u{10301}\u{10302}']) {
      expect(normalizeText(text).text).toBe(text);
    }
  });

  it('reads negative circled and squared letters as capitals anywhere, two units to one letter', () => {
    const n = normalizeText('id \u{1F170}\u{1F17A} \u{1F150}\u{1F15A}');
    expect(n.text).toBe('id AK AK');
    expect([n.startOf(3), n.endOf(4), n.startOf(4), n.endOf(5)]).toEqual([3, 5, 5, 7]);
  });

  it('reads regional indicators beside a Latin letter or digit, and leaves flags in prose as written', () => {
    expect(normalizeText('x \u{1F1E6}\u{1F1F0}IA9').text).toBe('x AKIA9');
    const prose = 'Flights 🇺🇸→🇬🇧 for the 🇩🇪 🇫🇷 teams, and 🇯🇵🇰🇷 next year';
    expect(normalizeText(prose).text).toBe(prose);
  });

  it.each([
    ['flag emoji in prose', 'Flights 🇺🇸→🇬🇧 for the 🇩🇪 🇫🇷 teams, and 🇯🇵🇰🇷 next year'],
    ['a run of flags', '🇺🇸🇬🇧🇩🇪🇫🇷🇮🇹🇪🇸🇳🇱🇧🇪🇨🇭🇦🇹🇸🇪🇳🇴🇩🇰🇫🇮🇵🇱'],
    ['blood types alone', '🅰🅱'],
    ['blood types with their variation selectors', 'Donors 🅰️ 🅱️ 🅾️ and 🆎 welcome, 🅿️ at the back'],
  ])('control: %s is no finding', (_name, text) => {
    expect(types(text)).toEqual([]);
  });

  it('keeps the invariant: each code point of the view maps back to whole code points, a Latin letter to one', () => {
    const pieces = ['\u{102A0}', '\u{10300}', '\u{1F170}', '\u{1F150}', '\u{1F1E6}', '\u{1F1FA}', '\u{1D6A8}', 'Ѕ'];
    const others = ['K', 'a', '7', ' ', '-', '\u200b', '\uFE0F', '\u0301', '😀', 'é'];
    const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces, ...others), { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        const n = normalizeText(text);
        for (let i = 0, width = 1; i < n.text.length; i += width) {
          width = (n.text.codePointAt(i) as number) > 0xffff ? 2 : 1;
          const from = n.startOf(i);
          const to = n.endOf(i + width);
          expect(from).toBeLessThan(to);
          expect(isHigh(text.charCodeAt(from - 1)) && from > 0).toBe(false);
          expect(isHigh(text.charCodeAt(to - 1))).toBe(false);
          // Less what the view drops inside the span: a zero-width space, a variation selector, a mark on a letter.
          const source = text.slice(from, to).replace(/\u200b|\ufe0f|\u0301/g, '');
          if (/[A-Za-z0-9]/.test(n.text.charAt(i))) expect([...source].length).toBe(1);
        }
      }),
    );
  });
});
