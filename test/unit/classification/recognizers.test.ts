// Each built-in recognizer: what it must find, exactly where, and what it must leave alone.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import type { Finding } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(1) });

function found(text: string, type: string): string[] {
  return classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === type)
    .map((f) => text.slice(f.start, f.end));
}

function only(text: string): Finding {
  const { findings } = classifier.classify([{ path: 'p', text }]);
  expect(findings).toHaveLength(1);
  return findings[0] as Finding;
}

/** Appends the Luhn check digit. */
function withLuhn(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return body + String((10 - (sum % 10)) % 10);
}

describe('EMAIL (PII)', () => {
  it.each(['alice@acme-corp.io', 'first.last+tag@mail.contoso.co.uk', 'A_B-9@sub-domain.contoso.org'])(
    'finds %s',
    (value) => {
      expect(found(`write to ${value}, please`, 'EMAIL')).toEqual([value]);
    },
  );
  it.each(['alice@localhost', '@example.com', 'alice@-bad.example.com', 'alice at example dot com', 'alice@example.c'])(
    'leaves %s alone',
    (text) => {
      expect(found(text, 'EMAIL')).toEqual([]);
    },
  );
  it('is PII', () => {
    expect(only('alice@acme-corp.io').category).toBe('PII');
  });
});

describe('US_SSN (PII)', () => {
  it.each(['123-45-6789', '123 45 6789', '078-05-1121', '899-99-9999'])('finds %s', (value) => {
    expect(found(`id ${value}.`, 'US_SSN')).toEqual([value]);
  });
  it.each([
    ['area 000', '000-12-3456'],
    ['area 666', '666-12-3456'],
    ['area 9xx', '900-12-3456'],
    ['area 9xx (ITIN range)', '987-65-4321'],
    ['group 00', '123-00-4567'],
    ['serial 0000', '123-45-0000'],
    ['a bare nine-digit run', '123456789'],
    // Two separator kinds are one SSN (`123-45 6789`, mixed-separators.ts) but beside a dotted or dashed group.
    ['mixed separators beside a dotted group', '1.123-45 6789'],
    ['a longer number', '123-45-67890'],
  ])('rejects %s', (_name, text) => {
    expect(found(text, 'US_SSN')).toEqual([]);
  });
  it('finds one glued to letters: only a digit next to it rules it out (a model reads `x123-45-6789` as the value)', () => {
    expect(found('x123-45-6789', 'US_SSN')).toHaveLength(1);
    expect(found('ssn_123-45-6789b', 'US_SSN')).toHaveLength(1);
  });
  it('scores higher with context', () => {
    expect(only('ref 123-45-6789').confidence).toBe(60);
    expect(only('SSN: 123-45-6789').confidence).toBe(95);
    expect(only('123-45-6789 (social security)').confidence).toBe(95);
  });
});

describe('CREDIT_CARD (PCI)', () => {
  const nineteen = withLuhn('622126000000000000');
  it.each([
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '4111111111111111',
    '5555555555554444',
    '3782 822463 10005',
    '4222222222222',
    '6011000990139424',
    nineteen,
  ])('finds %s', (value) => {
    expect(found(`pay with ${value} now`, 'CREDIT_CARD')).toEqual([value]);
  });
  it.each([
    ['a Luhn failure', '4111 1111 1111 1112'],
    ['all zeros (Luhn-valid)', '0000 0000 0000 0000'],
    ['a non-card leading digit (ms timestamp)', withLuhn('170000000000')],
    ['12 digits', withLuhn('41111111111')],
    ['20 digits', withLuhn('4111111111111111111')],
    // Two separator kinds are one card (`4111 1111-1111 1111`, mixed-separators.ts) when Luhn and the issuer pass.
    ['mixed separators and a Luhn failure', '4111 1111-1111 1112'],
    ['an odd grouping', '41 1111 1111 1111 11'],
  ])('rejects %s', (_name, text) => {
    expect(found(text, 'CREDIT_CARD')).toEqual([]);
  });
  it.each([
    ['an expiry after it', 'card 4111 1111 1111 1111 exp 12 25', ['4111 1111 1111 1111']],
    ['an expiry glued by a space', '4111 1111 1111 1111 12/25', ['4111 1111 1111 1111']],
    ['an SSN before it', 'ssn 123-45-6789 4111-1111-1111-1111', ['4111-1111-1111-1111']],
    [
      'another card after it',
      '4111 1111 1111 1111 5555 5555 5555 4444',
      ['4111 1111 1111 1111', '5555 5555 5555 4444'],
    ],
    ['digits glued on the left', '12 4111111111111111', ['4111111111111111']],
  ])('finds the card in a longer digit run: %s', (_name, text, cards) => {
    expect(found(text, 'CREDIT_CARD')).toEqual(cards);
  });
  it('reads a long run of digit groups (200 kB) and finds no card in it', () => {
    // No wall-clock bound (a busy CI box stretches it): a quadratic reading of this run would not end within the test
    // timeout; the classifier's cost is measured in bench/.
    expect(found('1 2 3 4 '.repeat(25_000), 'CREDIT_CARD')).toEqual([]);
  });
  it('is PCI and scores higher with context, not with "cc" inside a word', () => {
    expect(only('4111111111111111')).toMatchObject({ category: 'PCI', confidence: 75 });
    expect(only('card: 4111111111111111').confidence).toBe(95);
    expect(only('account 4111111111111111').confidence).toBe(75);
  });
});

describe('AWS_ACCESS_KEY (SECRET)', () => {
  it.each(['AKIA2E0A8F3B244C9986', 'ASIAY34FZKBOKMUTVV7A'])('finds %s', (value) => {
    expect(found(`key=${value};`, 'AWS_ACCESS_KEY')).toEqual([value]);
  });
  it.each([
    ['15 characters after the prefix', 'AKIAIOSFODNN7EXAMP'],
    ['17 characters after the prefix', 'AKIA2E0A8F3B244C9986X'],
    ['another prefix', 'AKIB2E0A8F3B244C9986'],
    ['two separators', 'AKIA2E0A8F 3B244 C9986'],
    ['a separator and 17 characters', 'AKIA2E0A8F 3B244C99861'],
  ])('rejects %s', (_name, text) => {
    expect(found(text, 'AWS_ACCESS_KEY')).toEqual([]);
  });
  it.each([
    ['after capitals', 'KEYAKIA2E0A8F3B244C9986'],
    ['after a digit', '1AKIA2E0A8F3B244C9986'],
    ['with one space at any place', 'AKIA2E0A8F3 B244C9986'],
    ['with one dash right after the prefix', 'AKIA-2E0A8F3B244C9986'],
  ])('finds the key %s', (_name, text) => {
    expect(found(text, 'AWS_ACCESS_KEY').map((v) => v.replace(/[ -]/g, ''))).toEqual(['AKIA2E0A8F3B244C9986']);
  });
  it('finds a lower-case key, fingerprinted as the upper-case one', () => {
    const lower = classifier.classify([{ path: 'p', text: 'id akia2e0a8f3b244c9986.' }]).findings;
    const upper = classifier.classify([{ path: 'p', text: 'id AKIA2E0A8F3B244C9986.' }]).findings;
    expect(lower.map((f) => f.type)).toEqual(['AWS_ACCESS_KEY']);
    expect(lower[0]?.fingerprint).toBe(upper[0]?.fingerprint);
  });
  it('is SECRET', () => {
    expect(only('AKIA2E0A8F3B244C9986').category).toBe('SECRET');
  });
});

describe('AWS_SECRET_KEY (SECRET, needs its label)', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYZq8Lm3VtR2';
  it.each([
    `aws_secret_access_key = ${secret}`,
    `AWS_SECRET_ACCESS_KEY=${secret}\n`,
    `{"SecretAccessKey": "${secret}"}`,
    `my AWS secret key is ${secret}.`,
    `secret_key: '${secret}'`,
  ])('finds the value only, in %s', (text) => {
    expect(found(text, 'AWS_SECRET_KEY')).toEqual([secret]);
  });
  it.each([
    ['the bare value', `here: ${secret}`],
    ['41 characters', `aws_secret_access_key = ${secret}A`],
    ['a placeholder', `aws_secret_access_key = ${'A'.repeat(40)}`],
    ['a git commit id', 'commit 3f786850e387550fdab836ed7e6dc881de23001b'],
    ['a label far away', `aws_secret_access_key is set below\n\n\n${secret}`],
  ])('leaves %s alone', (_name, text) => {
    expect(found(text, 'AWS_SECRET_KEY')).toEqual([]);
  });
});
