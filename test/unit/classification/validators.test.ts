import { describe, expect, it } from 'vitest';
import {
  cardWindows,
  isLikelyAwsSecretKey,
  isValidCardNumber,
  isValidSsn,
} from '../../../src/classification/validators.ts';

describe('validators', () => {
  it('isValidCardNumber: Luhn, 13–19 digits, leading digit 2–6, not one repeated digit', () => {
    expect(isValidCardNumber('4111-1111-1111-1111')).toBe(true);
    expect(isValidCardNumber('4111111111111112')).toBe(false);
    expect(isValidCardNumber('7111111111111110')).toBe(false);
    expect(isValidCardNumber('5555555555555555555')).toBe(false);
    expect(isValidCardNumber('411111111111')).toBe(false);
  });

  it('isValidSsn: area, group and serial ranges', () => {
    expect(isValidSsn('123-45-6789')).toBe(true);
    for (const bad of ['000-45-6789', '666-45-6789', '999-45-6789', '123-00-6789', '123-45-0000', '12-345-678']) {
      expect(isValidSsn(bad)).toBe(false);
    }
  });

  it('isLikelyAwsSecretKey: 40 mixed-case characters with variety', () => {
    expect(isLikelyAwsSecretKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYZq8Lm3VtR2')).toBe(true);
    expect(isLikelyAwsSecretKey('a'.repeat(40))).toBe(false);
    expect(isLikelyAwsSecretKey('abcdefghijklmnopqrstuvwxyzabcdefghijklmn')).toBe(false);
    expect(isLikelyAwsSecretKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYZq8Lm3VtR')).toBe(false);
  });

  it('cardWindows: whole groups, 13–19 digits, card layouts, one separator kind', () => {
    const run = '12 4111 1111 1111 1111 99';
    expect(cardWindows(run).map(([s, e]) => run.slice(s, e))).toEqual([
      '4111 1111 1111 1111',
      '4111 1111 1111 1111 99',
      '1111 1111 1111 99',
    ]);
    expect(cardWindows('4111111111111111')).toEqual([[0, 16]]);
    expect(cardWindows('3782-822463-10005')).toEqual([[0, 17]]);
    expect(cardWindows('4111 1111-1111 1111')).toEqual([]);
    expect(cardWindows('1 2 3 4 5 6 7 8 9 1 2 3 4')).toEqual([]);
  });
});
