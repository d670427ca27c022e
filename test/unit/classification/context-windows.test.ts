// A context-gated token recognizer (PERSON_NAME_SINGLE, anchors.ts BUILT_IN_TOKEN_MATCHES) is searched only around its
// context words (matching.ts contextWindows). Spec: every match the whole-text search finds that hasContext keeps is
// found near its words too, with the same span and value; and where the whole search re-searched after every rejected
// match (fewer than its cap), the near search finds exactly those kept matches and no other match with context.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRecognizers } from '../../../src/classification/compile.ts';
import { hasContext } from '../../../src/classification/match-context.ts';
import { matchesOf } from '../../../src/classification/matching.ts';
import { PERSON_NAME_SINGLE } from '../../../src/classification/person-names.ts';
import { DEFAULT_RECOGNIZERS } from '../../../src/classification/recognizers.ts';

const recognizers = compileRecognizers(DEFAULT_RECOGNIZERS, {});
const gated = recognizers.filter((r) => r.tokenMatches);
const single = recognizers[DEFAULT_RECOGNIZERS.indexOf(PERSON_NAME_SINGLE)];

/** The matches hasContext keeps, as [start, end, value] at byte offsets. */
function kept(r: (typeof recognizers)[number], text: string, reach: 'near' | 'whole'): [number, number, string][] {
  const bytes = Buffer.from(text, 'utf8');
  const unit = (byte: number) => bytes.toString('utf8', 0, byte).length;
  return matchesOf(r, bytes, undefined, reach)
    .filter((m) => hasContext(text, undefined, unit(m.startByte), unit(m.endByte), r))
    .map((m) => [m.startByte, m.endByte, m.value]);
}

const part = fc.oneof(
  fc.constantFrom(
    ' ',
    ', ',
    '. ',
    '\n',
    "'s ",
    '’s ',
    '-',
    '42',
    'é',
    '\u212A', // the Kelvin sign: lower-cases to k
    'İ',
    'he',
    'He',
    'HIS',
    ' his ',
    ' said ',
    'she',
    'sboss',
    ' told ',
    'the',
    'The ',
    'Kameta',
    'Rousselet',
    'Danielle',
    "O'Brien",
    'McDonald',
    'Hélène',
    'Dujmović',
    'Anna-Lena',
    'Proctor ',
    'Merkle',
    'Italy',
  ),
  // Filler of every length around the windows' reach (62 and 48 units, 1,024-byte strides), ASCII and multi-byte.
  fc.integer({ min: 1, max: 1400 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 500 }).map((n) => 'ab '.repeat(n)),
  fc.integer({ min: 1, max: 200 }).map((n) => 'пé '.repeat(n)),
  // Three bytes a character: the most a UTF-16 unit of the reach takes.
  fc.integer({ min: 1, max: 70 }).map((n) => '—'.repeat(n)),
  fc.integer({ min: 1, max: 40 }).map((n) => `Kameta${'—'.repeat(n)} he`),
  fc.integer({ min: 1, max: 40 }).map((n) => `he ${'日'.repeat(n)}Kameta`),
  fc.integer({ min: 1, max: 32 }).map((n) => `Kameta${' 日'.repeat(n)} he ${' 日'.repeat(n)} Rousselet`),
  fc.integer({ min: 1, max: 90 }).map((n) => `Kameta${'a'.repeat(n)}`),
  fc.string({ maxLength: 6 }),
);
const texts = fc.array(part, { minLength: 1, maxLength: 60 }).map((parts) => parts.join(''));

describe('context windows', () => {
  it('gate PERSON_NAME_SINGLE only', () => {
    expect(gated).toEqual([single]);
  });

  it('find every match with context that the whole-text search finds, and no other one', () => {
    fc.assert(
      fc.property(texts, (text) => {
        for (const r of gated) expect(kept(r, text, 'near')).toEqual(kept(r, text, 'whole'));
      }),
      { numRuns: 600 },
    );
  });

  it('find a name glued to its word, after its possessive and far from other words', () => {
    const far = `${'x '.repeat(3000)}Kameta`;
    for (const text of [
      'heKameta was late.',
      'Kameta, sheRousselet',
      "Ask Kameta'she knows.",
      "Kameta'sboss called.",
      `Kameta${'—'.repeat(47)}he`,
      `he${'—'.repeat(61)}Kameta`,
      `Kameta${' 日'.repeat(23)} he`,
      `he${' 日'.repeat(30)} Kameta`,
      `${far} said nothing.`,
      `He left. ${far}`,
      `\u212Aid Kameta`,
    ]) {
      for (const r of gated) expect(kept(r, text, 'near')).toEqual(kept(r, text, 'whole'));
    }
    expect(kept(single as (typeof recognizers)[number], `${far} said nothing.`, 'near').map((m) => m[2])).toEqual([
      'Kameta',
    ]);
  });

  it('past the whole search re-search cap, still find every kept match', () => {
    // Thousands of rejected capitalised words before and between names in reach of a word.
    const decoys = 'The Italy Proctor '.repeat(800);
    const text = `${decoys}he met O'Brien and Rousselet. ${decoys}Kameta said so. ${decoys}`;
    const whole = kept(single as (typeof recognizers)[number], text, 'whole');
    const near = kept(single as (typeof recognizers)[number], text, 'near');
    expect(near.map((m) => m[2])).toEqual(expect.arrayContaining(["O'Brien", 'Rousselet', 'Kameta']));
    for (const m of whole) expect(near).toContainEqual(m);
  });
});
