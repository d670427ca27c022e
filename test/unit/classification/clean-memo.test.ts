// The clean memo: only clean results are remembered, frozen, per owner and kind, the oldest out first past its bound.
import { describe, expect, it } from 'vitest';
import { cleanMemo, isCleanResult } from '../../../src/classification/clean-memo.ts';
import type { Classification, FindingCounts } from '../../../src/classification/types.ts';

const counts = (total: number): FindingCounts => ({
  total,
  types: total > 0 ? { EMAIL: total } : {},
  categories: total > 0 ? { PII: total } : {},
  segments: [total],
  touched: [total],
  maxConfidence: total > 0 ? 90 : 0,
});
const clean = (): Classification => ({ findings: [], counts: counts(0) });
const email = { type: 'EMAIL', category: 'PII', segment: 0, path: 'p', start: 0, end: 1, confidence: 90 } as const;
const found: Classification = { findings: [{ ...email, fingerprint: 'f' }], counts: counts(1) };

describe('cleanMemo', () => {
  it('tells clean results from results with a finding, a count or a cap', () => {
    expect(isCleanResult(clean())).toBe(true);
    expect(isCleanResult(found)).toBe(false);
    expect(isCleanResult({ findings: [], counts: counts(2) })).toBe(false);
    expect(isCleanResult({ findings: [], truncated: true })).toBe(false);
  });

  it('remembers clean results only, frozen', () => {
    const memo = cleanMemo({}, 'k', 4);
    memo.remember('a', clean());
    memo.remember('b', found);
    expect(memo.get('a')).toEqual(clean());
    expect(Object.isFrozen(memo.get('a'))).toBe(true);
    expect(Object.isFrozen(memo.get('a')?.findings)).toBe(true);
    expect(memo.get('b')).toBeUndefined();
  });

  it('keeps one memo per owner and kind, shared by every caller of the same pair', () => {
    const owner = {};
    cleanMemo(owner, 'keys', 4).remember('a', clean());
    expect(cleanMemo(owner, 'keys', 4).get('a')).toBeDefined();
    expect(cleanMemo(owner, 'other', 4).get('a')).toBeUndefined();
    expect(cleanMemo({}, 'keys', 4).get('a')).toBeUndefined();
  });

  it('drops the oldest past its bound', () => {
    const memo = cleanMemo({}, 'k', 2);
    for (const key of ['a', 'b', 'c']) memo.remember(key, clean());
    expect(memo.get('a')).toBeUndefined();
    expect(memo.get('b')).toBeDefined();
    expect(memo.get('c')).toBeDefined();
  });
});
