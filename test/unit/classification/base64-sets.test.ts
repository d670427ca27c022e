// The which-can-match pass on base64 (a data URL image): EMAIL's and PASSWORD's patterns have RE2.Sets of their own
// (in the combined set, each `+` or `/` of base64 multiplied the DFA's states: 1 MB cost ~2 s), and the split sets
// answer exactly what one set of every pattern answers, on any mixture of base64 runs, emails and prose, past the
// one-set view size.
import fc from 'fast-check';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { compileRecognizers } from '../../../src/classification/compile.ts';
import { candidatesOf, recognizerSet, SMALL_VIEW_BYTES } from '../../../src/classification/recognizer-sets.ts';
import { DEFAULT_RECOGNIZERS } from '../../../src/classification/recognizers.ts';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const base64Run = fc
  .array(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 400 })
  .map((values) => values.map((v) => BASE64.charAt(v)).join(''));
const part = fc.oneof(
  base64Run,
  fc.constantFrom(
    'data:image/png;base64,',
    'dana.whitfield@northwind-traders.com',
    'a+b@x.io',
    '@',
    ' ',
    '=',
    'Maria Garcia',
    'call +1 (415) 867-5309',
    'AKIAIOSFODNN7EXAMPLE',
    'password: hunter2hunter2',
    'postgres://app:s3cr3t-P4ss@db:5432/x',
    'The team met on Friday. ',
  ),
);

describe('recognizer sets on base64', () => {
  it('EMAIL and PASSWORD are matched by sets of their own, the anchored ones (EMAIL, a URL password) apart', () => {
    const sets = recognizerSet(compileRecognizers(DEFAULT_RECOGNIZERS, {}));
    for (const [type, count] of [
      ['EMAIL', 1],
      ['PASSWORD', 2],
    ] as const) {
      const own = sets?.candidates.filter((c) => c.members.some((m) => m.recognizer.type === type));
      expect(own?.map((c) => [...new Set(c.members.map((m) => m.recognizer.type))])).toEqual(
        Array.from({ length: count }, () => [type]),
      );
    }
    const anchored = sets?.candidates.filter((c) => c.anchor !== undefined);
    expect(anchored?.map((c) => c.anchor?.literal.toString())).toEqual(['@', '://']);
  });

  it('the split sets find the members one set of every pattern finds', () => {
    const recognizers = compileRecognizers(DEFAULT_RECOGNIZERS, {});
    const sets = recognizerSet(recognizers);
    if (sets === undefined) throw new Error('no recognizers');
    const one = new RE2.Set(recognizers.map((r) => r.regex.source));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 40 }), (parts) => {
        let text = parts.join('');
        while (text.length <= SMALL_VIEW_BYTES) text += ` ${text}`; // past the one-set view: the split sets run
        const bytes = Buffer.from(text, 'utf8');
        const expected = one
          .match(bytes)
          .sort((a, b) => a - b)
          .map((i) => recognizers[i]);
        expect(candidatesOf(sets, bytes)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
