// The built-in recognizers, as data. RE2 syntax: `\b` and `\d` are ASCII-only, which is what these formats use.
// Invariant: every pattern here must compile in RE2 and must not match the empty string (checked at build).
// Full-width digits and zero-width characters are a later NFKC step (see classifier.ts), not pattern tricks.

import type { RecognizerDefinition } from './types.ts';

export const EMAIL: RecognizerDefinition = {
  type: 'EMAIL',
  category: 'PII',
  // Bounded (local part ≤ 64, ≤ 8 labels of ≤ 63), so a match never spans more than a few hundred characters;
  // labels start and end with a letter or digit.
  pattern: String.raw`\b[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,63}\b`,
  normalizer: 'lowercase',
  contextWords: ['email', 'e-mail', 'mail', 'contact'],
  baseScore: 90,
};

/** Dashed or spaced form only: a bare nine-digit run is too often something else. */
export const US_SSN: RecognizerDefinition = {
  type: 'US_SSN',
  category: 'PII',
  pattern: String.raw`\b(?:\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4})\b`,
  validator: 'us_ssn',
  normalizer: 'digits',
  contextWords: ['ssn', 'social security', 'social sec', 'taxpayer', 'tin'],
  baseScore: 60,
  contextScore: 95,
};

/**
 * A run of 13+ digits in groups split by single spaces or dashes; inside it, every window of whole groups with
 * 13–19 digits in a card layout is a candidate (card_groups), and a candidate must pass Luhn and leading-digit checks.
 */
export const CREDIT_CARD: RecognizerDefinition = {
  type: 'CREDIT_CARD',
  category: 'PCI',
  pattern: String.raw`\b\d(?:[ -]?\d){12,}\b`,
  refiner: 'card_groups',
  validator: 'luhn',
  normalizer: 'digits',
  contextWords: ['card', 'credit', 'debit', 'visa', 'mastercard', 'amex', 'cc', 'pan', 'payment'],
  baseScore: 75,
  contextScore: 95,
};

/** Long-term (AKIA) and temporary (ASIA) access key ids. */
export const AWS_ACCESS_KEY: RecognizerDefinition = {
  type: 'AWS_ACCESS_KEY',
  category: 'SECRET',
  pattern: String.raw`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,
  contextWords: ['aws', 'access key', 'access_key', 'key id', 'key_id'],
  baseScore: 90,
  contextScore: 100,
};

/**
 * A 40-character secret only counts when its label is right before it (`aws_secret_access_key = …`,
 * `"SecretAccessKey": "…"`, `AWS secret key is …`): without the label it is indistinguishable from any base64.
 * The finding spans the value only (group 1); the label is context.
 */
export const AWS_SECRET_KEY: RecognizerDefinition = {
  type: 'AWS_SECRET_KEY',
  category: 'SECRET',
  pattern: String.raw`(?i)(?:aws[_ .-]?)?secret[_ .-]?(?:access[_ .-]?)?key["']?\s*(?:[:=]|=>|is)?\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)`,
  group: 1,
  validator: 'aws_secret_key',
  baseScore: 90,
};

export const DEFAULT_RECOGNIZERS: readonly RecognizerDefinition[] = Object.freeze([
  EMAIL, US_SSN, CREDIT_CARD, AWS_ACCESS_KEY, AWS_SECRET_KEY,
]);
