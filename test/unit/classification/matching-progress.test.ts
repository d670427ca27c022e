// matching.ts matchesOf: every search starts past the last one. Full-width card digits in the digits view sent a
// refined run's search back to where it began, and the loop pushed the same matches until the heap (4 GiB) ran out on
// a 100-character prompt (redaction.test.ts's property, seed of fb0b443).
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(1) });

describe('matchesOf makes progress', () => {
  it('classifies full-width card digits followed by other values, each value once', () => {
    const text =
      '1 ５５５５ ５５５５ ５５５５ ４４４４ 219-09-9999 10.20.30.40 AKIA2E0A8F3B244C9986 4111 1111 1111 1111';
    const types = classifier.classify([{ path: 'p', text }]).findings.map((f) => f.type);
    expect(types.filter((t) => t === 'CREDIT_CARD')).toHaveLength(2);
    expect(types).toContain('US_SSN');
    expect(types).toContain('AWS_ACCESS_KEY');
  });
});
