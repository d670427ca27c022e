// The per-request cap on kept findings: counts stay exact past it, the first N findings (in output order) are kept
// and equal the uncapped list's first N, `truncated` says when findings were cut, and fallbacks still give way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClassificationError,
  countFindings,
  createClassifier,
  DEFAULT_RECOGNIZERS,
} from '../../../src/classification/index.ts';
import type { TextSegment } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(0xa) });

const ssn = (i: number) => `${String(100 + (i % 600)).padStart(3, '0')}-${String(10 + (i % 89))}-${String(1000 + i)}`;
const VALUES = [
  'ssn 123-45-6789',
  'alice@acme-corp.io',
  'card 4111 1111 1111 1111',
  'AKIA2E0A8F3B244C9986',
  'plain words',
  'x',
];

describe('the finding cap', () => {
  it('keeps the first N findings and counts every one, per type, category, segment and confidence', () => {
    const segments: TextSegment[] = [
      { path: 'a', text: Array.from({ length: 40 }, (_, i) => `ssn ${ssn(i)}`).join(' ') },
      { path: 'b', text: 'mail alice@acme-corp.io and bob@acme-corp.io' },
    ];
    const all = classifier.classify(segments);
    const capped = classifier.classify(segments, { maxFindings: 10 });
    expect(all.truncated).toBe(false);
    expect(all.findings).toHaveLength(42);
    expect(capped.truncated).toBe(true);
    expect(capped.findings).toEqual(all.findings.slice(0, 10));
    expect(capped.counts).toEqual(all.counts);
    expect(capped.counts).toEqual(countFindings(all.findings, 2));
    expect(capped.counts).toMatchObject({
      total: 42,
      types: { US_SSN: 40, EMAIL: 2 },
      categories: { PII: 42 },
      segments: [40, 2],
    });
  });

  it('is not truncated at exactly N findings, and keeps nothing at 0', () => {
    const segments = [{ path: 'a', text: 'ssn 123-45-6789 and ssn 234-56-7890' }];
    expect(classifier.classify(segments, { maxFindings: 2 })).toMatchObject({ truncated: false, counts: { total: 2 } });
    expect(classifier.classify(segments, { maxFindings: 0 })).toMatchObject({
      findings: [],
      truncated: true,
      counts: { total: 2 },
    });
  });

  it('rejects a cap that is not a non-negative integer', () => {
    for (const maxFindings of [-1, 1.5, Number.NaN]) {
      let code: string | undefined;
      try {
        classifier.classify([{ path: 'a', text: 'x' }], { maxFindings });
      } catch (error) {
        code = (error as ClassificationError).code;
      }
      expect(code).toBe('ERR_CLASSIFIER_OPTIONS_INVALID');
    }
  });

  it('property: any cap gives the uncapped list cut at N, with the uncapped counts', () => {
    const segment = fc.array(fc.constantFrom(...VALUES), { maxLength: 12 }).map((parts) => parts.join(' '));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.nat(20), (texts, cap) => {
        const segments = texts.map((text, i) => ({ path: `m[${i}]`, text }));
        const all = classifier.classify(segments);
        const capped = classifier.classify(segments, { maxFindings: cap });
        expect(capped.findings).toEqual(all.findings.slice(0, cap));
        expect(capped.counts).toEqual(countFindings(all.findings, segments.length));
        expect(capped.truncated).toBe(all.findings.length > cap);
      }),
      { numRuns: 150 },
    );
  });

  it('drops fallback findings that overlap a specific one, and keeps those that do not (many of each)', () => {
    const generic = {
      type: 'GENERIC',
      category: 'SECRET' as const,
      pattern: '\\b[a-z]{3}[0-9]{6}\\b',
      baseScore: 40,
      fallback: true,
    };
    const specific = { type: 'SPECIFIC', category: 'SECRET' as const, pattern: '\\bkey[0-9]{6}\\b', baseScore: 90 };
    const c = createClassifier({
      fingerprintKey: new Uint8Array(32).fill(1),
      recognizers: [...DEFAULT_RECOGNIZERS, generic, specific],
    });
    const words = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 0 ? `key${String(i).padStart(6, '0')}` : `abc${String(i).padStart(6, '0')}`,
    );
    const { counts } = c.classify([{ path: 'a', text: words.join(' ') }]);
    expect(counts?.types).toMatchObject({ SPECIFIC: 100, GENERIC: 200 });
  });
});
