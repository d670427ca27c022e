// Windows of a list of single digits that is no number whole (digit-separators.ts spacedRun): one more item beside
// the value (`[2, 1, 9, 0, 9, 9, 9, 9, 9, null]`, `[0, 2, 1, 9, …]`, a tenth digit). Only next to a word of the
// value's type, only the run less at most one digit at each end, and only a window its validator accepts (issuer
// range and Luhn, SSN rules, 11-proef, NHS and ABA checksums), so lists of ratings, bits and small counts stay data.
// Pure functions of the text; a run costs a bounded number of window checks of at most 19 digits each.
import { CREDIT_CARD, NL_BSN, UK_NHS, US_BANK_ROUTING, US_SSN_CONTEXT } from './recognizers-pii.ts';
import { VALIDATORS } from './validators.ts';

/** Characters before a run's first digit where a word of the value's type gates its windows. */
export const WINDOW_WORD_REACH = 64;

/** A window's length, the words that gate it and what its digits must pass; longest first. */
export interface WindowRule {
  length: number;
  words: readonly string[];
  valid: (digits: string) => boolean;
}

const CARD_WORDS = CREDIT_CARD.contextWords ?? [];
const RULES: readonly WindowRule[] = [
  ...[19, 18, 17, 16, 15, 14, 13].map((length) => ({ length, words: CARD_WORDS, valid: VALIDATORS.luhn })),
  { length: 12, words: CARD_WORDS, valid: VALIDATORS.luhn_short },
  { length: 10, words: UK_NHS.contextWords ?? [], valid: VALIDATORS.nhs },
  { length: 9, words: US_SSN_CONTEXT.contextWords ?? [], valid: VALIDATORS.us_ssn_shape },
  { length: 9, words: NL_BSN.contextWords ?? [], valid: VALIDATORS.nl_bsn },
  { length: 9, words: US_BANK_ROUTING.contextWords ?? [], valid: VALIDATORS.aba_routing },
];

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** Whether one of `words` stands in `before` (lower-cased), not glued to an ASCII letter on either side. */
function holdsWord(before: string, words: readonly string[]): boolean {
  for (const word of words) {
    for (let at = before.indexOf(word); at >= 0; at = before.indexOf(word, at + 1)) {
      if (!isAsciiLetter(before.charCodeAt(at - 1)) && !isAsciiLetter(before.charCodeAt(at + word.length))) return true;
    }
  }
  return false;
}

/** The rules whose word stands within WINDOW_WORD_REACH characters before `from` and that fit `count` digits. */
export function windowRules(text: string, from: number, count: number): readonly WindowRule[] {
  const before = text.slice(Math.max(0, from - WINDOW_WORD_REACH), from).toLowerCase();
  return RULES.filter((rule) => rule.length <= count && holdsWord(before, rule.words));
}

/** Digits a window may leave out at each end of its run: the one more item beside a value (a leading `0`, a tenth). */
export const WINDOW_SLACK = 1;

/**
 * The window of a run of single digits (`digits`, the run's digits in order) a model reads as a value, as
 * [first, last) digit indexes, or undefined: for each of `rules` (windowRules: a word of the value's type before the
 * run), longest first, the first from the left that its validator accepts among the windows that leave out at most
 * WINDOW_SLACK digits at each end of the run (`[0, 2, 1, 9, 0, 9, 9, 9, 9, 9]` beside `ssn`: `021909999` and
 * `219099999` both pass the SSN rules, the first is read and covers all but one digit of the other). At most
 * (2·WINDOW_SLACK + 1)² windows checked a run, whatever its length: a value in the middle of a longer run (ratings,
 * bits) is not looked for, so lists of data beside such a word stay data.
 */
export function listedWindow(rules: readonly WindowRule[], digits: string): [number, number] | undefined {
  const n = digits.length;
  for (const rule of rules) {
    for (let start = 0; start <= WINDOW_SLACK; start += 1) {
      const end = start + rule.length;
      if (end > n || end < n - WINDOW_SLACK) continue;
      if (rule.valid(digits.slice(start, end))) return [start, end];
    }
  }
  return undefined;
}
