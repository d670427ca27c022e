// How a context word stands in a text, for hasContext (match-context.ts, exact) and for the searches that MUST find at
// least every word it finds (recognizer-sets.ts createWordFinder, matching.ts contextWindows; RE2, no look-around).
// A word stands in any case (Unicode simple case folding; `İ` is read as `I`, as it lower-cases to i + U+0307, and the
// dotless `ı` of Turkish lower case as `i`, as a model reads `socıal`), not
// glued to an ASCII letter on either side, where a camelCase hump counts as a gap (`mySsn`, `SSNValue`). Between the
// parts of a word of several (`social security`, `key_id`, `d.o.b`) stands any run of whitespace, `_`, `-` and `.`
// (`SOCIAL_SECURITY`, `date-of-birth`, `D.O.B`), a hump (`socialSecurityNumber`, `keyId`), or, when both parts have
// three characters or more, nothing (`socialsecurity`). A word inside a longer identifier counts (`ssn_hash`,
// `userSsnId`): a value beside it is read as the word's type, as a label's would be (fail closed).
import { escapeRegExp } from './prefix-patterns.ts';

/** The one character that lower-cases to two (`İ` to `i̇`): read as `I` (foldDottedCapitals, the RE2 patterns). */
export const DOTTED_CAPITAL_I = '\u0130';

/** Turkish lower case's `I` (`'SOCIAL'.toLocaleLowerCase('tr')` is `socıal`), which no case folding takes for `i`. */
export const DOTLESS_SMALL_I = '\u0131';

/**
 * `text` with every `İ` read as `I` and every `ı` as `i`: same length and offsets, and `SOCİAL` and `socıal` hold
 * `social` in any case.
 */
export function foldDottedCapitals(text: string): string {
  let out = text.includes(DOTTED_CAPITAL_I) ? text.replaceAll(DOTTED_CAPITAL_I, 'I') : text;
  if (out.includes(DOTLESS_SMALL_I)) out = out.replaceAll(DOTLESS_SMALL_I, 'i');
  return out;
}

/** The characters a word's parts are written apart with (JavaScript's `\s`, spelled out so RE2 reads the same). */
const GAP_CLASS = {
  js: String.raw`[\t\n\v\f\r\p{Zs}\u2028\u2029\ufeff_.\-]`,
  lower: String.raw`[\s_.\-]`,
  re2: String.raw`[\t\n\v\f\r\p{Zs}\x{2028}\x{2029}\x{feff}_.\-]`,
} as const;
const WORD_GAP = /[\s_.-]+/gu;

/** A camelCase hump, case-sensitive inside a case-insensitive pattern: `aB`, or `AB` before `c` (`SSNNumber`). */
const HUMP = String.raw`(?-i:(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]))`;

/** Parts of at least this many characters may also stand glued (`socialsecurity`); shorter ones (`d.o.b`) may not. */
const GLUED_PART = 3;

/**
 * The pattern of one word's characters, its parts joined as the module says; `İ` and `ı` taken for `i` in RE2 (the
 * text is not folded there). Leading and trailing separators (`tel.`, `(b.`) stay literal.
 */
function wordBody(word: string, flavour: Flavour): string {
  const gap = GAP_CLASS[flavour];
  let out = '';
  let last = 0;
  for (const m of word.matchAll(WORD_GAP)) {
    const end = m.index + m[0].length;
    if (m.index === 0 || end === word.length) continue; // leading or trailing: literal below
    const part = word.slice(last, m.index);
    const next = /^[^\s_.-]*/u.exec(word.slice(end))?.[0] ?? '';
    const glued = part.length >= GLUED_PART && next.length >= GLUED_PART;
    out += literal(part, flavour);
    if (flavour === 're2' || glued) out += `${gap}*`;
    else out += flavour === 'lower' ? `${gap}+` : `(?:${gap}+|${HUMP})`;
    last = end;
  }
  return out + literal(word.slice(last), flavour);
}

/** `js`: the text as written (flags `iu`); `lower`: the text lower-cased (no flags, no humps); `re2`: RE2's syntax. */
type Flavour = 'js' | 'lower' | 're2';

function literal(text: string, flavour: Flavour): string {
  return flavour === 're2' ? escapeRegExp(text).replaceAll('i', '[i\\x{130}\\x{131}]') : escapeRegExp(text);
}

/** Where a camelCase hump may be: only there can the text as written hold a word its lower-cased copy does not. */
const HUMP_IN = /[a-z][A-Z]|[A-Z][A-Z][a-z]/;

/**
 * Whether any of `words` stands in `text` (`lower`: the same text with `İ` read as `I`, lower-cased) as the module
 * says: on the lower-cased copy first, by one regular expression with no flags (the cost of the plain words); on the
 * text as written (contextWordsRegExp) only when it holds a hump (prose rarely does). Built once per list. An everyday
 * word (CAPITALS_OR_LABEL) stands in any case only where `label` (a column's header); elsewhere as that set says.
 */
export function contextWordTest(words: readonly string[]): (text: string, lower: string, label?: boolean) => boolean {
  const anyCase = plainWordTest(words);
  const everyday = words.filter((w) => CAPITALS_OR_LABEL.has(w));
  if (everyday.length === 0) return anyCase;
  const others = plainWordTest(words.filter((w) => !CAPITALS_OR_LABEL.has(w)));
  const alt = (f: (w: string) => string) => everyday.map(f).join('|');
  const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  // As written: all capitals (`TIN`, `SSN/TIN`, `TINNumber`), or a hump of an identifier (`payeeTin`, `tinNumber`).
  const written = new RegExp(
    `(?<![A-Za-z])(?:${alt((w) => w.toUpperCase())})(?:(?![A-Za-z])|(?=[A-Z][a-z]))|[a-z](?:${alt(capital)})(?![a-z])|` +
      `(?<![A-Za-z])(?:${alt((w) => `${w}|${capital(w)}`)})[A-Z]`,
  );
  // Lower-cased: a label (`Tin:`, `tin #`, `"tin": `, `TIN No.`, `tin number`), or a part of an identifier (`tin_no`,
  // `payee_tin`).
  const bare = alt((w) => w);
  const labelled = new RegExp(
    `(?<![a-z])(?:${bare})(?:[\\s_.-]*(?:no\\.|no(?=["'\\s]*[:#=])|nbr|num|number|id)(?![a-z])|["'\\s]*[:#=])|` +
      `(?<![a-z])(?:${bare})_|_(?:${bare})(?![a-z])`,
  );
  return (text, lower, label = false) =>
    label
      ? anyCase(text, lower)
      : others(text, lower) || labelled.test(lower) || written.test(foldDottedCapitals(text));
}

/**
 * Words that are also an everyday word in lower case (`tin`, the metal, beside an order number): they stand only in
 * capitals as written, in an identifier, as a label (`Tin:`, `tin #`), or in a table's column header (`label`), there in
 * any case.
 */
const CAPITALS_OR_LABEL: ReadonlySet<string> = new Set(['tin', 'itin']);

/** contextWordTest for words read in any case. */
function plainWordTest(words: readonly string[]): (text: string, lower: string) => boolean {
  if (words.length === 0) return () => false;
  const bodies = [...words].sort((a, b) => b.length - a.length).map((w) => wordBody(w, 'lower'));
  const plain = new RegExp(`(?<![a-z])(?:${bodies.join('|')})(?![a-z])`);
  const written = contextWordsRegExp(words);
  return (text, lower) => plain.test(lower) || (HUMP_IN.test(text) && written.test(foldDottedCapitals(text)));
}

/**
 * One regular expression that finds any of `words` as the module says (flags `u` and `i`; the text's `İ` folded first):
 * a gap or hump on each side. Longest first, so a longer word is taken where both start.
 */
export function contextWordsRegExp(words: readonly string[]): RegExp {
  const bodies = [...words].sort((a, b) => b.length - a.length).map((w) => wordBody(w, 'js'));
  // The gaps are case-sensitive too: under `iu`, [A-Za-z] would take `ſ` and the Kelvin sign for letters.
  const edge = (look: string) => `(?:(?-i:${look})|${HUMP})`;
  return new RegExp(`${edge('(?<![A-Za-z])')}(?:${bodies.join('|')})${edge('(?![A-Za-z])')}`, 'iu');
}

/**
 * An RE2 pattern, on the text's UTF-8 as it is, that matches wherever contextWordsRegExp finds `word` and sometimes
 * elsewhere (RE2's case folding takes `ſ` for `s`; `İ` beside a word is a gap here, a letter there). It MUST NOT miss
 * one: a recognizer needing the word would not run. A word of one part is matched with its humps as written (its first
 * letter a capital after a small one, or after a capital before a small second letter; its last small before a capital
 * or a capital before a capital and a small one), so capitals (`THE`, `PROCESSING`) hold no `he` or `ing`; a word of
 * several parts, or of one character, takes a capital first letter after any letter and any capital after it.
 */
export function contextWordSource(word: string): string {
  if (word.length >= 2 && !/[\s_.-]/u.test(word.slice(1, -1))) return humpsAsWritten(word);
  const body = wordBody(word, 're2');
  const first = word.charAt(0);
  if (!/[a-z]/.test(first)) return `(?:^|[^A-Za-z])(?i:${body})(?:[^A-Za-z]|[A-Z]|$)`;
  const head = literal(first, 're2');
  const rest = body.slice(head.length);
  return `(?:(?:^|[^A-Za-z])(?i:${head})|[A-Za-z]${capital(first)})(?i:${rest})(?:[^A-Za-z]|[A-Z]|$)`;
}

/** An ASCII small letter's capital in RE2, `İ` with `I` (the text is not folded there). */
function capital(letter: string): string {
  return letter === 'i' ? '[I\\x{130}]' : letter.toUpperCase();
}

/** An ASCII small letter as written in RE2, case-sensitive: `i` with the dotless `ı` read as it. */
function smallLetter(letter: string): string {
  return letter === 'i' ? '[i\\x{131}]' : letter;
}

/** contextWordSource of a word of one part, two characters or more: each hump of contextWordsRegExp written out. */
function humpsAsWritten(word: string): string {
  const small = (c: string) => /^[a-z]$/.test(c);
  const [first, second] = [word.charAt(0), word.charAt(1)];
  const last = word.charAt(word.length - 1);
  const any = (s: string) => (s === '' ? '' : `(?i:${literal(s, 're2')})`);
  // After the last character as written: a gap, or a hump (small then capital; capital, capital, small).
  const gapAfter = '(?:[^A-Za-z]|$)';
  // `ı` is read as `i` (foldDottedCapitals): a small letter before a capital, or after one (`SSNNumber` as
  // `SSNNumbır`).
  const end = small(last)
    ? `(?:${any(last)}${gapAfter}|${smallLetter(last)}[A-Z]|${capital(last)}[A-Z][a-z\\x{131}])`
    : `${any(last)}${gapAfter}`;
  const start = small(first)
    ? `(?:(?:^|[^A-Za-z])${any(first)}|[a-z]${capital(first)})`
    : `(?:^|[^A-Za-z])${any(first)}`;
  const alternatives = [`${start}${any(word.slice(1, -1))}${end}`];
  // A capital before the first, a small second letter: `SSNNumber` holds `number`.
  if (small(first) && small(second)) {
    const tail = word.length === 2 ? `(?:${gapAfter}|[A-Z])` : `${any(word.slice(2, -1))}${end}`;
    alternatives.push(`[A-Z]${capital(first)}${smallLetter(second)}${tail}`);
  }
  return `(?:${alternatives.join('|')})`;
}
