// The detection-quality scorer (bench/quality-score.ts) on tiny cases: exact against overlap, one credit per span,
// types kept apart, unscored gold labels dropped, micro and macro averages.
import { describe, expect, it } from 'vitest';
import { matchCount, parseSamples, sampleFromMarked, scoreSpans, type Span } from '../../bench/quality-score.ts';

const span = (type: string, start: number, end: number): Span => ({ type, start, end });
const one = (spans: Span[]) => new Map([['s', spans]]);

describe('matchCount', () => {
  it('credits exact matches only on the same start and end, overlap on any shared unit', () => {
    const gold = [span('PHONE', 10, 22)];
    expect(matchCount(gold, [span('PHONE', 10, 22)], 'exact')).toBe(1);
    expect(matchCount(gold, [span('PHONE', 11, 22)], 'exact')).toBe(0);
    expect(matchCount(gold, [span('PHONE', 11, 22)], 'overlap')).toBe(1);
    expect(matchCount(gold, [span('PHONE', 21, 30)], 'overlap')).toBe(1);
    expect(matchCount(gold, [span('PHONE', 22, 30)], 'overlap')).toBe(0); // touching is not overlapping
  });

  it('credits one gold span once however many findings cover it', () => {
    const gold = [span('PHONE', 0, 12)];
    expect(matchCount(gold, [span('PHONE', 0, 5), span('PHONE', 6, 12)], 'overlap')).toBe(1);
    expect(matchCount(gold, [span('PHONE', 0, 12), span('PHONE', 0, 12)], 'exact')).toBe(1);
  });

  it('gives a finding that spans two values to one of them, the one it shares most with', () => {
    const gold = [span('PERSON', 0, 4), span('PERSON', 6, 20)];
    expect(matchCount(gold, [span('PERSON', 2, 20)], 'overlap')).toBe(1);
    expect(matchCount(gold, [span('PERSON', 2, 20), span('PERSON', 0, 3)], 'overlap')).toBe(2);
  });

  it('never credits a finding of another type', () => {
    expect(matchCount([span('PHONE', 0, 12)], [span('UK_NHS', 0, 12)], 'overlap')).toBe(0);
  });
});

describe('scoreSpans', () => {
  const types = new Set(['PHONE', 'EMAIL']);

  it('scores a value reported under two types as a hit and a false alarm', () => {
    const r = scoreSpans(one([span('PHONE', 0, 12)]), one([span('PHONE', 0, 12), span('UK_NHS', 0, 12)]), types);
    expect(r.types.PHONE?.exact).toMatchObject({ gold: 1, predicted: 1, matched: 1, precision: 1, recall: 1, f1: 1 });
    expect(r.types.UK_NHS?.exact).toMatchObject({ gold: 0, predicted: 1, matched: 0, precision: 0 });
    expect(r.micro.exact).toMatchObject({ gold: 1, predicted: 2, matched: 1, precision: 0.5, recall: 1 });
    expect(r.micro.exact.f1).toBeCloseTo(2 / 3, 10);
  });

  it('differs between exact and overlap on a span found one character short', () => {
    const r = scoreSpans(one([span('EMAIL', 3, 20)]), one([span('EMAIL', 4, 20)]), types);
    expect(r.types.EMAIL?.exact).toMatchObject({ matched: 0, precision: 0, recall: 0, f1: 0 });
    expect(r.types.EMAIL?.overlap).toMatchObject({ matched: 1, precision: 1, recall: 1, f1: 1 });
  });

  it('drops gold labels outside the scored types but counts findings on them as false alarms', () => {
    const r = scoreSpans(one([span('ZIP_CODE', 0, 5)]), one([span('PHONE', 0, 5)]), types);
    expect(r.types.ZIP_CODE).toBeUndefined();
    expect(r.types.PHONE?.overlap).toMatchObject({ gold: 0, predicted: 1, matched: 0 });
  });

  it('matches within a sample only, and averages macro over the types with gold spans', () => {
    const gold = new Map([
      ['a', [span('PHONE', 0, 5)]],
      ['b', [span('EMAIL', 0, 5)]],
    ]);
    const predicted = new Map([
      ['a', [span('EMAIL', 0, 5)]],
      ['b', [span('EMAIL', 0, 5), span('UK_NHS', 9, 12)]],
    ]);
    const r = scoreSpans(gold, predicted, types);
    expect(r.types.PHONE?.exact).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(r.types.EMAIL?.exact).toMatchObject({ gold: 1, predicted: 2, matched: 1, precision: 0.5, recall: 1 });
    expect(r.macro.exact.recall).toBe(0.5); // PHONE 0 and EMAIL 1; UK_NHS has no gold span to average
    expect(r.macro.exact.precision).toBe(0.25);
  });
});

describe('sample parsing', () => {
  it('strips ⟦TYPE|value⟧ marks and keeps their spans', () => {
    const s = sampleFromMarked('d', 'Mail ⟦EMAIL|a@b.io⟧ or call ⟦PHONE|+1 415 555 2671⟧.');
    expect(s.text).toBe('Mail a@b.io or call +1 415 555 2671.');
    expect(s.spans).toEqual([span('EMAIL', 5, 11), span('PHONE', 20, 35)]);
  });

  it('reads JSONL and refuses a span outside its text', () => {
    const good = JSON.stringify({ id: 'x', locale: 'en_US', text: 'hi there', spans: [span('PERSON', 3, 8)] });
    expect(parseSamples(`${good}\n\n`)).toHaveLength(1);
    const bad = JSON.stringify({ id: 'x', locale: 'en_US', text: 'hi', spans: [span('PERSON', 1, 8)] });
    expect(() => parseSamples(bad)).toThrow(/line 1/);
  });
});
