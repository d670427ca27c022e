// Built-in recognizers for payment data, as data: cards (PCI), IBANs, US routing numbers (a label's or a cheque's MICR
// line) and cryptocurrency wallet addresses, each gated by its validator (Luhn, mod-97, the ABA checksum, an address's
// encoding). Re-exported by recognizers-pii.ts; RE2 syntax, `\b` and `\d` ASCII-only.
import { DIGIT_SEPARATOR_CLASS } from './digit-separators.ts';
import { prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

/**
 * A run of 13+ digits in groups split by single spaces or dashes; inside it, every window of whole groups with 13–19
 * digits in a card layout is a candidate (card_groups), which must be in an issuer range of that length and Luhn-valid.
 */
export const CREDIT_CARD: RecognizerDefinition = {
  type: 'CREDIT_CARD',
  category: 'PCI',
  // As for SSNs: letters next to it do not rule a card out (`pan4111…`), only more digits do.
  pattern: String.raw`(?:^|[^0-9])(\d(?:[ -]?\d){12,})(?:[^0-9]|$)`,
  group: 1,
  partial: String.raw`[0-9](?:[ -]?[0-9])*[ -]?`,
  refiner: 'card_groups',
  validator: 'luhn',
  normalizer: 'digits',
  contextWords: [
    'card',
    'credit',
    'debit',
    'visa',
    'mastercard',
    'amex',
    'cc',
    'pan',
    'payment',
    'karte',
    'carte',
    'tarjeta',
  ],
  baseScore: 75,
  contextScore: 95,
};

/** A 12-digit Maestro card (one run, or 4-4-4), only next to a card word: 12 digits alone are too often an id. */
export const CREDIT_CARD_SHORT: RecognizerDefinition = {
  type: 'CREDIT_CARD',
  category: 'PCI',
  // Not a part of a longer run of digit groups (`1234 5678 9012 3456`): no group right before or after it.
  pattern: String.raw`(?:^ ?|[^0-9 -]|[^0-9][ -])(\d{12}|\d{4}[ -]\d{4}[ -]\d{4})(?:$|[^0-9 -]|[ -](?:[^0-9]|$))`,
  group: 1,
  partial: String.raw`[0-9][0-9 -]{0,13}`,
  validator: 'luhn_short',
  normalizer: 'digits',
  contextWords: CREDIT_CARD.contextWords as string[],
  requireContext: true,
  baseScore: 85,
};

/**
 * What stands between an IBAN's groups: whitespace, '.', '/', '_', any dash (\p{Pd}: '-', U+2010, the non-breaking
 * hyphen U+2011 word processors put in numbers, the en dash U+2013), and every other separator the digits view reads
 * between a card's groups (digit-separators.ts: minus signs, middle dots and bullets, `|` `+` `~` `*` `#`, lines drawn
 * as dashes).
 */
const IBAN_GAP = `[${DIGIT_SEPARATOR_CLASS.slice(1, -1)}./_\\-\\p{Pd}]`;
/** A character of an IBAN still arriving: a group's letter or digit, or IBAN_GAP. */
const IBAN_RUN = `[A-Za-z0-9${IBAN_GAP.slice(1, -1)}]`;

/**
 * Country code, check digits, then groups of up to 4, glued or apart by up to three of IBAN_GAP in any mix
 * (`DE89-3704-…`, `DE89.3704…`, `DE89  3704`, `DE 89 3704`, `DE89−3704·0044|…`), in any case (`de89 3704 …`: a
 * lower-case country code glued to its check digits only, as prose writes `at 10 am and`); the country's exact length
 * and mod-97 gate every form (ibanWindows, isValidIban).
 */
export const IBAN: RecognizerDefinition = {
  type: 'IBAN',
  category: 'PII',
  pattern: String.raw`\b(?:[A-Z]{2}${IBAN_GAP}{0,3}|[A-Za-z]{2})\d{2}(?:${IBAN_GAP}{0,3}[A-Za-z0-9]{1,4}){3,8}\b`,
  partial: String.raw`\b(?:[A-Za-z](?:[A-Za-z](?:[0-9](?:[0-9]${IBAN_RUN}*)?)?)?|[A-Z]{2}${IBAN_GAP}{1,3}(?:[0-9](?:[0-9]${IBAN_RUN}*)?)?)`,
  refiner: 'iban_length',
  validator: 'iban',
  normalizer: 'alphanumeric_upper',
  contextWords: ['iban', 'account', 'bank', 'konto', 'compte', 'cuenta'],
  baseScore: 90,
  contextScore: 100,
};

const ROUTING_WORDS = [
  'routing',
  'aba',
  'rtn',
  'routing number',
  'routing no',
  'transit',
  'ach',
  'wire',
  'wires',
  'wired',
  'wire transfer',
  'bank',
];

/** Nine digits (or 4-4-1, 3-3-3 dashed) next to a routing word, ABA checksum valid. */
export const US_BANK_ROUTING: RecognizerDefinition = {
  type: 'US_BANK_ROUTING',
  category: 'PII',
  pattern: String.raw`(?:^|[^0-9-])(\d{9}|\d{4}-\d{4}-\d|\d{3}-\d{3}-\d{3})(?:[^0-9-]|-\D|-$|$)`,
  group: 1,
  partial: String.raw`[0-9][0-9-]{0,10}`,
  validator: 'aba_routing',
  normalizer: 'digits',
  contextWords: ROUTING_WORDS,
  requireContext: true,
  baseScore: 90,
};

/** The MICR line of a cheque: the routing number between transit symbols (⑆021000021⑆) needs no label. */
export const US_BANK_ROUTING_MICR: RecognizerDefinition = {
  type: 'US_BANK_ROUTING',
  category: 'PII',
  pattern: String.raw`\x{2446}[ ]?(\d{9})[ ]?\x{2446}`,
  group: 1,
  partial: String.raw`\x{2446}[ ]?[0-9]{0,9}[ ]?`,
  validator: 'aba_routing',
  normalizer: 'digits',
  contextWords: ROUTING_WORDS,
  baseScore: 90,
  contextScore: 100,
};

export const BTC_ADDRESS: RecognizerDefinition = {
  type: 'BTC_ADDRESS',
  category: 'PII',
  pattern: String.raw`\b(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,71}|BC1[02-9AC-HJ-NP-Z]{11,71})\b`,
  partial: String.raw`\b(?:[13][1-9A-HJ-NP-Za-km-z]*|${prefixOf('bc1', '[02-9ac-hj-np-z]*')}|${prefixOf('BC1', '[02-9AC-HJ-NP-Z]*')})`,
  validator: 'btc_address',
  contextWords: ['bitcoin', 'btc', 'wallet'],
  baseScore: 90,
};

export const ETH_ADDRESS: RecognizerDefinition = {
  type: 'ETH_ADDRESS',
  category: 'PII',
  pattern: String.raw`\b0x[0-9a-fA-F]{40}\b`,
  partial: `\\b${prefixOf('0x', '[0-9a-fA-F]*')}`,
  validator: 'eth_address',
  normalizer: 'lowercase',
  contextWords: ['ethereum', 'eth', 'wallet'],
  baseScore: 80,
};
