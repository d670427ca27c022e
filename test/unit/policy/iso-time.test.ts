// The policy input's ISO time (src/policy/iso-time.ts) is toISOString's text for every instant: within one second and
// across seconds, before 1970, at Date's limits, for fractions, and it throws where Date throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTimeOf } from '../../../src/policy/iso-time.ts';

const LIMIT = 8.64e15; // Date's range: ±100,000,000 days around 1970

describe('isoTimeOf', () => {
  it("gives toISOString's text for any instant in Date's range, in any order", () => {
    const instant = fc.oneof(
      fc.integer({ min: -LIMIT, max: LIMIT }),
      fc.integer({ min: 1_700_000_000_000, max: 1_700_000_003_000 }), // many in the same few seconds
      fc.integer({ min: -3000, max: 3000 }), // around 1970, negatives included
    );
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (instants) => {
        for (const ms of instants) expect(isoTimeOf(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 500 },
    );
  });

  it('follows Date for its limits, fractions and what it cannot format', () => {
    for (const ms of [LIMIT, -LIMIT, 0, -1, 999, 1000, 1.5, -1.5, 1_700_000_000_123.9]) {
      expect(isoTimeOf(ms)).toBe(new Date(ms).toISOString());
    }
    for (const ms of [LIMIT + 1, -LIMIT - 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => isoTimeOf(ms)).toThrow(RangeError);
    }
  });
});
