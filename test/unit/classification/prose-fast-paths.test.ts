// The prose speed paths of issue 18 must not change a single result: the main view's plain-ASCII search, the list walk
// that skips to the next bracket once every open list is spoiled, the decoding scans chosen by one set pass on texts of
// any length, and the split sets of recognizers that require context skipped when none of their words occurs. Each is
// checked against the exhaustive reading it replaces, on random text long enough to take the long-text paths.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRecognizers } from '../../../src/classification/compile.ts';
import { createDecodeBudget, decodedRuns } from '../../../src/classification/decode.ts';
import { holdsDigits } from '../../../src/classification/classifier.ts';
import { listRewrites } from '../../../src/classification/digit-lists.ts';
import { normalizeText } from '../../../src/classification/normalize.ts';
import {
  candidatesOf,
  createWordFinder,
  LOWERS_TO_TWO,
  recognizerSet,
} from '../../../src/classification/recognizer-sets.ts';
import RE2 from 're2';
import { DEFAULT_RECOGNIZERS } from '../../../src/classification/recognizers.ts';

const PIECES = [
  'a',
  'Z',
  '0',
  '4111',
  ' ',
  ',',
  ';',
  '"',
  ':',
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  '\n',
  '\t',
  '\u0007',
  '\u007f',
  'é',
  '–',
  '😀',
  '\u200b',
  '１２',
  '[4111, 1111, 1111, 1111]',
  '{"card":[4111,1111],"x":[1111,1111]}',
  '(3782, 822463, 10005)',
  '["4111","1111","1111","1111"]',
  'f(x, [4111, 1111], y)',
  'born on 1984-07-02',
  'date of birth: 02/07/1984',
  'Maria Garcia said',
  'aGVsbG8gd29ybGQgMTIzLTQ1LTY3ODk=',
  '31 32 33 2d 34 35 2d 36 37',
  '49 50 51 45 52 53 45 54 55',
  '%31%32%33%2D%34%35',
  '=31=32=33',
  'function retry(fn, attempts = 3) { for (let i = 0; i < attempts; i++) { return fn(); } } ',
  'The quarterly review covered revenue growth in the northern region. ',
];
const piece = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((parts) => parts.join(''));
/** Past the one-set sizes (2 KB for recognizers, formerly 4 KB for decoding): a piece's parts repeated with prose. */
const longText = fc
  .tuple(fc.array(piece, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 60 }))
  .map(([parts, times]) => {
    let text = '';
    for (let i = 0; i < times; i += 1) text += `${parts[i % parts.length]} The team met on Friday. `;
    return text;
  });
const anyText = fc.oneof(piece, longText);

/** normalizeText before issue 18's search: every character looked at in JavaScript. */
function stableByLoop(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f) continue;
    if (code < 0x20 ? code < 0x09 || code > 0x0d : code < 0xa0 || !isStableCode(code)) return false;
  }
  return true;
}

function isStableCode(code: number): boolean {
  return (
    (code >= 0xc0 && code <= 0xff) || [0x2013, 0x2014, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x20ac].includes(code)
  );
}

describe('prose fast paths read as the exhaustive reading does', () => {
  it('the main view: plain ASCII found by one search is the identity, as the character loop decides', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const view = normalizeText(text);
        if (stableByLoop(text)) {
          expect(view.simple).toBe(true);
          expect(view.text).toBe(text);
        } else {
          expect(view.simple).toBe(false);
        }
      }),
    );
  });

  it('bracketed lists: skipping to the next bracket once every open list is spoiled', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(listRewrites(text)).toEqual(listRewrites(text, true));
      }),
    );
  });

  it('decoding: the scans one set pass leaves out find nothing, on texts of any length', () => {
    // Each run as data: its span mapping read at its whole decoded text.
    const runs = (text: string, exhaustive: boolean) =>
      decodedRuns(normalizeText(text), createDecodeBudget(), exhaustive).map(({ spanOf, ...run }) => [
        run,
        spanOf?.(0, run.text.length),
      ]);
    fc.assert(
      fc.property(anyText, (text) => {
        expect(runs(text, false)).toEqual(runs(text, true));
      }),
    );
  });

  it("the context words of any text, read on its bytes in any case, are the lower-cased text's", () => {
    const recognizers = compileRecognizers(DEFAULT_RECOGNIZERS, {});
    const words = [...new Set(recognizers.filter((r) => r.requireContext).flatMap((r) => r.contextWords))];
    const wordsOf = createWordFinder(words);
    const word = fc
      .constantFrom(...words)
      .chain((w) => fc.constantFrom(w, w.toUpperCase(), `${w.charAt(0).toUpperCase()}${w.slice(1)}`));
    const glue = fc.constantFrom(
      ...[' ', '', '-', '_', '.', 'x', 'Q', '7', '\n', 'é', 'É', 'K', 'ß', 'ẞ', 'Σ', 'ς', 'Å', '\u212b', '😀', '—'],
      ...[LOWERS_TO_TWO, '\u212a', '\u017f', '\u1c84'],
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(word, glue, fc.constantFrom(...PIECES)), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        const asIs = wordsOf(text, Buffer.from(text, 'utf8'));
        const lowered = wordsOf(text);
        for (const w of lowered) expect(asIs.has(w)).toBe(true); // never fewer
        // More only where RE2's case folding takes a character whose lower case is another (ſ, K, ᲄ).
        if (!/[\u212a\u017f\u1c84]/.test(text)) expect(asIs).toEqual(lowered);
      }),
    );
  });

  it('the words read in any case: RE2 folds each of their characters to every one that lower-cases to it (every code point)', () => {
    const recognizers = compileRecognizers(DEFAULT_RECOGNIZERS, {});
    const words = recognizers.filter((r) => r.requireContext).flatMap((r) => r.contextWords);
    const points: string[] = [];
    for (let c = 0; c < 0x110000; c += 1) if (c < 0xd800 || c > 0xdfff) points.push(String.fromCodePoint(c));
    // Only LOWERS_TO_TWO lower-cases to more than one character.
    expect(points.filter((c) => [...c.toLowerCase()].length > 1)).toEqual([LOWERS_TO_TWO]);
    const cased = points.filter((c) => c.toLowerCase() !== c || c.toUpperCase() !== c);
    const casedText = cased.join('\n');
    for (const char of new Set([...words.join('')])) {
      const folding = new RE2(`^(?i:${char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})$`, 'gm');
      const taken = new Set([...`${casedText}\n${char}`.matchAll(folding)].map((m) => m[0]));
      expect(taken.has(char)).toBe(true);
      for (const c of cased) if (c.toLowerCase() === char) expect(taken.has(c), `${char} takes ${c}`).toBe(true);
    }
  });

  it('the digits view is built past a count of ASCII digits a native search finds as a look at each character does', () => {
    const byLoop = (text: string, count: number) => {
      let seen = 0;
      for (let i = 0; i < text.length; i += 1) {
        const code = text.charCodeAt(i);
        if (code >= 0x30 && code <= 0x39 && ++seen >= count) return true;
      }
      return false;
    };
    const digitsToo = fc.oneof(
      anyText,
      fc.string({ unit: fc.constantFrom('1', '٣', '１', 'a', ' ', '😀'), maxLength: 30 }),
    );
    fc.assert(
      fc.property(digitsToo, fc.integer({ min: 0, max: 12 }), (text, count) => {
        expect(holdsDigits(text, count)).toBe(byLoop(text, count));
      }),
    );
  });

  it('the candidates: a set whose members all require context is skipped only when none of its words occurs', () => {
    const recognizers = compileRecognizers(DEFAULT_RECOGNIZERS, {});
    const sets = recognizerSet(recognizers);
    if (sets === undefined) throw new Error('no recognizers');
    expect(sets.candidates.some((c) => c.contextual)).toBe(true); // dates of birth: the path under test exists
    const wordsOf = createWordFinder(recognizers.filter((r) => r.requireContext).flatMap((r) => r.contextWords));
    fc.assert(
      fc.property(longText, fc.boolean(), (text, known) => {
        const bytes = Buffer.from(text, 'utf8');
        const present = wordsOf(text);
        const mayReport = (r: (typeof recognizers)[number]) =>
          !r.requireContext || r.contextWords.some((w) => present.has(w));
        // Every set matched, as before issue 18: the reference.
        const all = sets.candidates
          .flatMap((c) => c.set.match(bytes).map((i) => c.members[i] as (typeof c.members)[number]))
          .sort((a, b) => a.index - b.index)
          .map((m) => m.recognizer);
        expect(candidatesOf(sets, bytes, mayReport, () => known)).toEqual(all.filter(mayReport));
      }),
      { numRuns: 300 },
    );
  });
});
