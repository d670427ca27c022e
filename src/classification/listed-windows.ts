// Windows of a list of single digits that is no number whole (digit-runs.ts spacedRun): one more item beside
// the value (`[2, 1, 9, 0, 9, 9, 9, 9, 9, null]`, `[0, 2, 1, 9, …]`, a tenth digit). Only next to a word of the
// value's type, only the run less at most one digit at each end, and only a window its validator accepts (issuer
// range and Luhn, SSN rules, 11-proef, NHS and ABA checksums), so lists of ratings, bits and small counts stay data.
// Pure functions of the text; a run costs a bounded number of window checks of at most 19 digits each.
import { CREDIT_CARD, NL_BSN, UK_NHS, US_BANK_ROUTING, US_SSN_CONTEXT } from './recognizers-pii.ts';
import type { RecognizerDefinition } from './types.ts';
import { VALIDATORS } from './validators.ts';

/** Characters before a run's first digit where a word of the value's type gates its windows. */
export const WINDOW_WORD_REACH = 64;

/** A recognizer's context reach after its value when it sets none (compile.ts: `contextWindow.after`, default 24). */
const DEFAULT_CONTEXT_AFTER = 24;

/**
 * A window's length, the words that gate it, their reach after the run, and what its digits must pass; longest first.
 */
export interface WindowRule {
  length: number;
  words: readonly string[];
  after: number;
  valid: (digits: string) => boolean;
}

/** The words of `def` and its reach after a value (the same as its recognizer's: `… is my ssn`). */
function gate(def: RecognizerDefinition): { words: readonly string[]; after: number } {
  return { words: def.contextWords ?? [], after: def.contextWindow?.after ?? DEFAULT_CONTEXT_AFTER };
}

const CARD = gate(CREDIT_CARD);
const RULES: readonly WindowRule[] = [
  ...[19, 18, 17, 16, 15, 14, 13].map((length) => ({ length, ...CARD, valid: VALIDATORS.luhn })),
  { length: 12, ...CARD, valid: VALIDATORS.luhn_short },
  { length: 10, ...gate(UK_NHS), valid: VALIDATORS.nhs },
  { length: 9, ...gate(US_SSN_CONTEXT), valid: VALIDATORS.us_ssn_shape },
  { length: 9, ...gate(NL_BSN), valid: VALIDATORS.nl_bsn },
  { length: 9, ...gate(US_BANK_ROUTING), valid: VALIDATORS.aba_routing },
];
const AFTER_REACH = Math.max(...RULES.map((rule) => rule.after));

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

/**
 * The rules that fit `count` digits and whose word stands within WINDOW_WORD_REACH characters before the run [from,
 * to) (`to` defaults to `from`) or within its recognizer's reach after it
 * (`[2, 1, 9, 0, 9, 9, 9, 9, 9, null] is my ssn`, a JSON object's later `"kind": "ssn"`).
 */
export function windowRules(text: string, from: number, count: number, to = from): readonly WindowRule[] {
  const before = text.slice(Math.max(0, from - WINDOW_WORD_REACH), from).toLowerCase();
  const after = text.slice(to, to + AFTER_REACH).toLowerCase();
  return RULES.filter(
    (rule) =>
      rule.length <= count && (holdsWord(before, rule.words) || holdsWord(after.slice(0, rule.after), rule.words)),
  );
}

/**
 * Whether a card word (CREDIT_CARD's) stands within WINDOW_WORD_REACH characters before [from, to) or within the card
 * recognizer's reach after it: what a card in short groups split by `.` `/` `_` needs (mixed-separators.ts), as lists
 * of decimals (`9.63 0.70 1.77 2.84`) are so written too.
 */
export function cardWordNear(text: string, from: number, to: number): boolean {
  const before = text.slice(Math.max(0, from - WINDOW_WORD_REACH), from).toLowerCase();
  return holdsWord(before, CARD.words) || holdsWord(text.slice(to, to + CARD.after).toLowerCase(), CARD.words);
}

/** Digits a window may leave out at each end of its run: the one more item beside a value (a leading `0`, a tenth). */
export const WINDOW_SLACK = 1;

/**
 * The window of a run of single digits (`digits`, the run's digits in order) a model reads as a value, as
 * [first, last) digit indexes, or undefined: for each of `rules` (windowRules: a word of the value's type before or
 * after the run), longest first, the first from the left that its validator accepts among the windows that leave out at
 * most WINDOW_SLACK digits at each end of the run (`[0, 2, 1, 9, 0, 9, 9, 9, 9, 9]` beside `ssn`: `021909999` and
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
