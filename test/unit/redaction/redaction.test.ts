// Redaction: typed placeholders, the same value → the same placeholder within a call, overlapping findings replaced
// as one span, and (property) the redacted text never contains a value the classifier found.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRedaction, RedactionError } from '../../../src/redaction/index.ts';
import { createClassifier } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(9) });

describe('planRedaction', () => {
  it('numbers placeholders per type by first appearance, same value same placeholder across segments', () => {
    const segments = [
      { path: 'a', text: 'x@acme-corp.io and y@acme-corp.io' },
      { path: 'b', text: 'again X@ACME-CORP.IO, SSN 219-09-9999' },
    ];
    const { findings } = classifier.classify(segments);
    const plan = planRedaction(segments, findings, ['EMAIL', 'US_SSN']);
    expect(plan.edits).toEqual([
      { segment: 0, path: 'a', text: '[EMAIL_1] and [EMAIL_2]' },
      { segment: 1, path: 'b', text: 'again [EMAIL_1], SSN [US_SSN_1]' },
    ]);
    expect(plan.types).toEqual({ EMAIL: 3, US_SSN: 1 });
  });

  it('leaves types not asked for, and segments without findings, alone', () => {
    const segments = [
      { path: 'a', text: 'x@acme-corp.io 219-09-9999' },
      { path: 'b', text: 'nothing' },
    ];
    const plan = planRedaction(segments, classifier.classify(segments).findings, ['US_SSN']);
    expect(plan.edits).toEqual([{ segment: 0, path: 'a', text: 'x@acme-corp.io [US_SSN_1]' }]);
  });

  it('replaces overlapping findings as one span', () => {
    const segments = [{ path: 'a', text: 'abcdefgh' }];
    const findings = [
      { type: 'A', segment: 0, start: 1, end: 4, fingerprint: 'f1' },
      { type: 'B', segment: 0, start: 3, end: 6, fingerprint: 'f2' },
    ];
    expect(planRedaction(segments, findings, ['A', 'B']).edits[0]?.text).toBe('a[A_1]gh');
  });

  it('rejects a finding outside its segment (ERR_REDACTION_FINDING_INVALID)', () => {
    const bad = () =>
      planRedaction(
        [{ path: 'a', text: 'abc' }],
        [{ type: 'A', segment: 0, start: 1, end: 9, fingerprint: 'f' }],
        ['A'],
      );
    expect(bad).toThrow(RedactionError);
    try {
      bad();
    } catch (error) {
      expect((error as RedactionError).code).toBe('ERR_REDACTION_FINDING_INVALID');
    }
  });

  it('never leaves a found value in the redacted text (property)', () => {
    const values = [
      'bob@contoso-mail.com',
      '219-09-9999',
      '4111 1111 1111 1111',
      'AKIA2E0A8F3B244C9986',
      'DE89 3704 0044 0532 0130 00',
      '+44 20 7946 0958',
      '10.20.30.40',
      'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789',
      '５５５５ ５５５５ ５５５５ ４４４４',
      'x@con\u200btoso-mail.com',
    ];
    const filler = fc.string({
      unit: fc.constantFrom('a', ' ', '-', '.', '@', '1', 'é', '😀', '\u200b', ',', '\n'),
      maxLength: 20,
    });
    const text = fc
      .array(fc.oneof(filler, fc.constantFrom(...values)), { minLength: 1, maxLength: 8 })
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 3 }), (texts) => {
        const segments = texts.map((t, i) => ({ path: `s${i}`, text: t }));
        const { findings } = classifier.classify(segments);
        const types = [...new Set(findings.map((f) => f.type))];
        const plan = planRedaction(segments, findings, types);
        const after = segments.map((s, i) => plan.edits.find((e) => e.segment === i)?.text ?? s.text);
        for (const f of findings) {
          const value = (segments[f.segment] as { text: string }).text.slice(f.start, f.end);
          expect(after[f.segment]).not.toContain(value);
        }
        // and the redacted text has no findings of the redacted types left
        const again = classifier.classify(after.map((t, i) => ({ path: `s${i}`, text: t }))).findings;
        expect(again.filter((f) => types.includes(f.type))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('redacts a phone followed by an SSN (fast-check seed 332860409)', () => {
    const segments = ['+44 20 7946 0958 219-09-9999 ', '+44 20 7946 0958 '].map((text, i) => ({ path: `s${i}`, text }));
    const { findings } = classifier.classify(segments);
    expect(findings.map((f) => [f.segment, f.type])).toEqual([
      [0, 'PHONE'],
      [0, 'US_SSN'],
      [1, 'PHONE'],
    ]);
    const plan = planRedaction(segments, findings, ['PHONE', 'US_SSN']);
    for (const edit of plan.edits) expect(edit.text).not.toMatch(/7946|9999/);
    expect(plan.edits).toHaveLength(2);
  });
});
