// The built-in recognizer set, in one list. Invariant: every pattern here compiles in RE2 and does not match the
// empty string (checked when a classifier is built, and by the tests); full-width digits and zero-width characters
// are handled by normalisation before matching, not by pattern tricks.
import type { RecognizerDefinition } from './types.ts';
import {
  BTC_ADDRESS, CREDIT_CARD, DATE_OF_BIRTH, EMAIL, ETH_ADDRESS, IBAN, IP_ADDRESS_V4, IP_ADDRESS_V6, MEDICAL_RECORD_NUMBER,
  PHONE_INTERNATIONAL, PHONE_NANP, PHONE_NATIONAL, UK_NHS, US_BANK_ROUTING, US_PASSPORT, US_SSN, US_SSN_LABELLED,
} from './recognizers-pii.ts';
import {
  ANTHROPIC_API_KEY, AWS_ACCESS_KEY, AWS_SECRET_KEY, GENERIC_API_KEY, GITHUB_TOKEN, GITLAB_TOKEN, GOOGLE_API_KEY, JWT,
  NPM_TOKEN, OPENAI_API_KEY, PRIVATE_KEY, SENDGRID_API_KEY, SLACK_TOKEN, SLACK_WEBHOOK, STRIPE_SECRET_KEY,
} from './recognizers-secrets.ts';

export * from './recognizers-pii.ts';
export * from './recognizers-secrets.ts';

export const DEFAULT_RECOGNIZERS: readonly RecognizerDefinition[] = Object.freeze([
  EMAIL, PHONE_INTERNATIONAL, PHONE_NANP, PHONE_NATIONAL, US_SSN, US_SSN_LABELLED, CREDIT_CARD, IBAN, IP_ADDRESS_V4,
  IP_ADDRESS_V6, US_PASSPORT, DATE_OF_BIRTH, MEDICAL_RECORD_NUMBER, US_BANK_ROUTING, UK_NHS, BTC_ADDRESS, ETH_ADDRESS,
  AWS_ACCESS_KEY, AWS_SECRET_KEY, GITHUB_TOKEN, GITLAB_TOKEN, SLACK_TOKEN, SLACK_WEBHOOK, STRIPE_SECRET_KEY,
  OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_API_KEY, NPM_TOKEN, SENDGRID_API_KEY, PRIVATE_KEY, JWT, GENERIC_API_KEY,
]);
