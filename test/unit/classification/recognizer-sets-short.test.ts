// Short views (at most SMALL_VIEW_BYTES) are matched by a few sets of every member: the members without a long counted
// run in one, those with one dealt into sets of at most 26 (one DFA tracking every long counter at once rebuilt its
// states on every short text of fresh ids: 43-56 µs a call of 695 bytes, against 6.7-8 µs for the sets apart). The
// sets together answer exactly what one set of every pattern answers, in definition order; and the decoders' start
// patterns answer what each pattern answers alone.
import fc from 'fast-check';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { compileRecognizers } from '../../../src/classification/compile.ts';
import { startPatterns, startsIn } from '../../../src/classification/decode-candidates.ts';
import { candidatesOf, recognizerSet, SMALL_VIEW_BYTES } from '../../../src/classification/recognizer-sets.ts';
import { DEFAULT_RECOGNIZERS } from '../../../src/classification/recognizers.ts';

const recognizers = compileRecognizers(DEFAULT_RECOGNIZERS, {});
const sets = recognizerSet(recognizers);
const one = new RE2.Set(recognizers.map((r) => r.regex.source));

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const id = fc
  .array(fc.integer({ min: 0, max: ALPHANUMERIC.length - 1 }), { minLength: 1, maxLength: 140 })
  .map((values) => values.map((v) => ALPHANUMERIC.charAt(v)).join(''));
const part = fc.oneof(
  id,
  fc
    .array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 140 })
    .map((values) => values.map((v) => v.toString(16)).join('')),
  fc.constantFrom(
    ' ',
    '\n',
    '"id":"chatcmpl-',
    '", "object": "chat.completion", ',
    'xprv',
    'sk_live_',
    'ghp_',
    '0x',
    'ssn 219-09-9999',
    'AKIAIOSFODNN7EXAMPLE',
    '4111 1111 1111 1111',
    'dana.whitfield@northwind-traders.com',
    'Maria Garcia',
    'born 1984-03-12',
    '-----BEGIN PRIVATE KEY-----',
    'postgres://app:s3cr3t-P4ss@db:5432/x',
  ),
);

describe('short views: the sets of every member', () => {
  it('hold every member once, the long-run ones at most 26 a set, in more than one set', () => {
    if (sets?.small === undefined) throw new Error('no short-view sets');
    expect(sets.small.length).toBeGreaterThan(1);
    const indices = sets.small.flatMap((c) => c.members.map((m) => m.index)).sort((a, b) => a - b);
    expect(indices).toEqual(recognizers.map((_, i) => i));
    for (const c of sets.small.slice(1)) expect(c.members.length).toBeLessThanOrEqual(26);
  });

  it('find the members one set of every pattern finds, in definition order', () => {
    if (sets === undefined) throw new Error('no recognizers');
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 24 }), (parts) => {
        const bytes = Buffer.from(parts.join('').slice(0, SMALL_VIEW_BYTES), 'utf8').subarray(0, SMALL_VIEW_BYTES);
        const expected = one
          .match(bytes)
          .sort((a, b) => a - b)
          .map((i) => recognizers[i]);
        expect(candidatesOf(sets, bytes)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("the decoders' start patterns: startsIn names each that matches alone (groups: either of its two)", () => {
    const starts = startPatterns();
    const each = [starts.base64, starts.hexPair, starts.codeList, starts.escape, starts.key];
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 24 }), (parts) => {
        const bytes = Buffer.from(parts.join(''), 'utf8');
        const expected = each.flatMap((pattern, i) => (pattern.test(bytes) ? [i] : []));
        if (starts.groups.test(bytes) || starts.groupLines.test(bytes)) expected.push(5);
        expect(startsIn(starts, bytes).sort((a, b) => a - b)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
