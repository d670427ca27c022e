// HTML5 named character references a recognizer may read through (`jane.doe&commat;example-corp.com`): the WHATWG
// names of ASCII punctuation and symbols, of every space and other digit separator, of the characters the main
// view drops (so a value split by `&ZeroWidthSpace;` joins), of superscript digits, and of the mathematical
// letters (`&Aopf;` 𝔸, `&Afr;` 𝔄, `&Ascr;` 𝒜) that NFKC reads as ASCII letters. A small table, not the whole
// WHATWG list (2,231 names, no such package in node_modules): the others name characters no recognizer uses
// (arrows, Greek, accented letters a model reads as themselves). Names are case-sensitive, as HTML reads them; a
// Map, so `&constructor;` is no name.

const PUNCTUATION: Record<string, string> = {
  Tab: '\t',
  NewLine: '\n',
  excl: '!',
  quot: '"',
  QUOT: '"',
  num: '#',
  dollar: '$',
  percnt: '%',
  amp: '&',
  AMP: '&',
  apos: "'",
  lpar: '(',
  rpar: ')',
  ast: '*',
  midast: '*',
  plus: '+',
  comma: ',',
  period: '.',
  sol: '/',
  colon: ':',
  semi: ';',
  lt: '<',
  LT: '<',
  equals: '=',
  gt: '>',
  GT: '>',
  quest: '?',
  commat: '@',
  lsqb: '[',
  lbrack: '[',
  bsol: '\\',
  rsqb: ']',
  rbrack: ']',
  Hat: '^',
  lowbar: '_',
  UnderBar: '_',
  grave: '`',
  DiacriticalGrave: '`',
  lcub: '{',
  lbrace: '{',
  verbar: '|',
  vert: '|',
  VerticalLine: '|',
  rcub: '}',
  rbrace: '}',
  // Every WHATWG name of a space (digit-separators.ts isSpaceSeparator): `219&thinsp;09&thinsp;9999` is an SSN.
  nbsp: '\u00a0',
  NonBreakingSpace: '\u00a0',
  ensp: '\u2002',
  emsp: '\u2003',
  emsp13: '\u2004',
  emsp14: '\u2005',
  numsp: '\u2007',
  puncsp: '\u2008',
  thinsp: '\u2009',
  ThinSpace: '\u2009',
  hairsp: '\u200a',
  VeryThinSpace: '\u200a',
  MediumSpace: '\u205f',
  ThickSpace: '\u205f', // U+205F U+200A: two spaces, read as the first
  // The other digit separators WHATWG names (isDigitSeparator): middle dots, bullets, the horizontal bar.
  middot: '\u00b7',
  centerdot: '\u00b7',
  CenterDot: '\u00b7',
  bull: '\u2022',
  bullet: '\u2022',
  hybull: '\u2043',
  horbar: '\u2015',
  // U+2010 HYPHEN and U+2212 MINUS SIGN: read as `-` by the digit separators (digit-separators.ts).
  hyphen: '\u2010',
  dash: '\u2010',
  minus: '\u2212',
  ndash: '\u2013',
  mdash: '\u2014',
  sup1: '1',
  sup2: '2',
  sup3: '3',
  // Dropped by the main view (normalize.ts isDroppedCharacter): a value split by one joins.
  shy: '\u00ad',
  ZeroWidthSpace: '\u200b',
  NegativeVeryThinSpace: '\u200b',
  NegativeThinSpace: '\u200b',
  NegativeMediumSpace: '\u200b',
  NegativeThickSpace: '\u200b',
  zwnj: '\u200c',
  zwj: '\u200d',
  lrm: '\u200e',
  rlm: '\u200f',
  NoBreak: '\u2060',
  af: '\u2061',
  ApplyFunction: '\u2061',
  it: '\u2062',
  InvisibleTimes: '\u2062',
  ic: '\u2063',
  InvisibleComma: '\u2063',
};

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Name -> the character it names (read as the letter for the mathematical ones: NFKC reads them so). */
const NAMED = new Map<string, string>(Object.entries(PUNCTUATION));
for (const letter of LETTERS) {
  for (const family of ['opf', 'fr', 'scr']) NAMED.set(`${letter}${family}`, letter);
}

/** Longest name in the table, so a scan for one stops early. */
const LONGEST_NAME = Math.max(...[...NAMED.keys()].map((name) => name.length));

function isNameChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** The named reference `&name;` at `at` (its `;` required): the code point it names and its length, or undefined. */
export function namedReferenceAt(run: string, at: number): { code: number; length: number } | undefined {
  let end = at + 1;
  while (end - at - 1 <= LONGEST_NAME && isNameChar(run.charCodeAt(end))) end += 1;
  if (end === at + 1 || run.charCodeAt(end) !== 0x3b) return undefined;
  const chars = NAMED.get(run.slice(at + 1, end));
  return chars === undefined ? undefined : { code: chars.charCodeAt(0), length: end + 1 - at };
}
