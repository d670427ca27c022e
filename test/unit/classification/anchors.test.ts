// Anchored recognizers (anchors.ts): their matches and their sets' answers are the same with the anchor as without,
// on texts where the literal occurs anywhere, near and far from what matches, and with parts of every length around it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRecognizers } from '../../../src/classification/compile.ts';
import { matchesOf } from '../../../src/classification/matching.ts';
import { candidatesOf, recognizerSet } from '../../../src/classification/recognizer-sets.ts';
import { DEFAULT_RECOGNIZERS } from '../../../src/classification/recognizers.ts';

const recognizers = compileRecognizers(DEFAULT_RECOGNIZERS, {});
const anchored = recognizers.filter((r) => r.anchor !== undefined);

const part = fc.oneof(
  fc.constantFrom(
    '@',
    '://',
    ':',
    '/',
    ' ',
    '.',
    '-',
    'é',
    '日本',
    'jo@ab.io',
    'dana.whitfield@northwind-traders.com',
    'postgres://app:s3cr3t-P4ss@db:5432/x',
    'redis://:s3cr3t@cache:6379',
    'https://example.org/a?b=c',
    'see the docs, ',
  ),
  // Local parts, schemes and labels up to and past the patterns' bounds (64, 21, 63 characters).
  fc.integer({ min: 1, max: 80 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 1, max: 70 }).map((n) => `${'b'.repeat(n)}.`),
  // Users and passwords of multi-byte characters: the reach is in bytes, RE2 counts code points (review s10).
  fc.integer({ min: 1, max: 130 }).map((n) => '管'.repeat(n)),
  fc.integer({ min: 1, max: 70 }).map((n) => 'п'.repeat(n)),
  fc.string({ maxLength: 8 }),
);
const texts = fc.array(part, { minLength: 1, maxLength: 40 }).map((parts) => parts.join(''));

describe('anchored recognizers', () => {
  it('are EMAIL and the password in a URL, anchored at @ and ://', () => {
    expect(anchored.map((r) => [r.type, r.anchor?.literal.toString()])).toEqual([
      ['EMAIL', '@'],
      ['PASSWORD', '://'],
    ]);
  });

  it('find the same matches with their anchor as without it', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const bytes = Buffer.from(text, 'utf8');
        const spans = (found: ReturnType<typeof matchesOf>) => found.map((m) => [m.startByte, m.endByte, m.value]);
        for (const r of anchored) {
          expect(spans(matchesOf(r, bytes))).toEqual(spans(matchesOf({ ...r, anchor: undefined }, bytes)));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("their sets, reading only the bytes around the literal, answer what a set of the text's every byte answers", () => {
    const sets = recognizerSet(recognizers);
    const plain = recognizerSet(recognizers.map((r) => ({ ...r, anchor: undefined })));
    if (sets === undefined || plain === undefined) throw new Error('no recognizers');
    fc.assert(
      fc.property(fc.array(texts, { minLength: 1, maxLength: 8 }), (parts) => {
        let text = parts.join(' ');
        while (text.length <= 2048) text += ` ${'x'.repeat(700)} ${text}`; // past the one-set view, literals far apart
        const bytes = Buffer.from(text, 'utf8');
        const types = (found: readonly { type: string; anchor?: unknown }[]) => found.map((r) => r.type);
        expect(types(candidatesOf(sets, bytes))).toEqual(types(candidatesOf(plain, bytes)));
      }),
      { numRuns: 200 },
    );
  });
});
