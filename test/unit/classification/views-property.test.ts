// Properties of all views together on arbitrary input: every finding lies inside its own segment (so redaction can
// apply it), findings are deterministic, and redacting every finding leaves none of the planted value's digits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { planRedaction } from '../../../src/redaction/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(8) });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const PIECES = [
  '219',
  '-09',
  '-9999',
  '219.09.9999',
  '٢١٩',
  '٠٩',
  '٩٩٩٩',
  ' ',
  '\u0000',
  '\u200b',
  '–',
  '.',
  '/',
  '\n',
  'ssn ',
  'AKIA2E0A8F3B',
  '244C9986',
  b64('ssn 219-09-9999'),
  '%2D',
  'a',
  'é',
  '😀',
  '\ud800',
  '4111',
  '1111 ',
  'x@y.io',
];
const segment = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((p) => p.join(''));
const LOCATIONS = ['user', 'assistant', undefined];

describe('all views together (property)', () => {
  it('findings lie inside their segments, redaction applies them, and classification is deterministic', () => {
    const list = fc.array(fc.tuple(segment, fc.constantFrom(...LOCATIONS)), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(list, (parts) => {
        const segments = parts.map(([text, location], i) => ({
          path: `m[${i}]`,
          text,
          ...(location === undefined ? {} : { location }),
        }));
        const result = classifier.classify(segments);
        for (const f of result.findings) {
          const text = segments[f.segment]?.text ?? '';
          expect(f.start).toBeGreaterThanOrEqual(0);
          expect(f.end).toBeGreaterThan(f.start);
          expect(f.end).toBeLessThanOrEqual(text.length);
          expect(f.path).toBe(segments[f.segment]?.path);
        }
        expect(classifier.classify(segments)).toEqual(result);
        const types = [...new Set(result.findings.map((f) => f.type))];
        expect(() => planRedaction(segments, result.findings, types)).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });

  it('a planted SSN in any disguise, in one segment, is redacted without a trace of its digits', () => {
    const disguise = fc.constantFrom(
      '219-09-9999',
      '219.09.9999',
      '219 / 09 / 9999',
      '٢١٩-٠٩-٩٩٩٩',
      '219\u0000-09-9999',
      '219–09–9999',
      b64('219-09-9999'),
      '219%2D09%2D9999',
      Buffer.from('219-09-9999').toString('hex'),
    );
    const prose = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '\n', 'é'), maxLength: 30 });
    fc.assert(
      fc.property(prose, disguise, prose, (before, value, after) => {
        const text = `${before} ${value} ${after}`;
        const segments = [{ path: 'p', text }];
        const { findings } = classifier.classify(segments);
        expect(findings.map((f) => f.type)).toContain('US_SSN');
        const plan = planRedaction(segments, findings, ['US_SSN']);
        expect(plan.edits[0]?.text).not.toContain(value);
      }),
      { numRuns: 300 },
    );
  });
});
