// PERSON_NAME_SINGLE's matches found in JavaScript: news and docs are full of capitalised words, each a candidate its
// validator rejects, and finding each by RE2 took ~5 native calls (matching.ts), 2-6 ms of a 64 KB news text. Its
// pattern `(WORD)(?:$|'s|’s|[^A-Za-z<Latin letters>0-9'’@_-])` needs no left context and its letter runs are maximal
// (no ending character is a letter), so a match at a position is decided by reading forward once.
// Invariant: singleNameFrom returns exactly what one RE2 exec at lastIndex = from returns (fast-paths.test.ts checks
// it against exec on generated texts), or undefined where it does not read the bytes (invalid UTF-8): then RE2 does.

/** A byte range [start, end) (matching.ts Span). */
type Span = readonly [number, number];

/**
 * A built-in pattern's matches found without RE2 (anchors.ts BUILT_IN_FINDERS): what one exec at lastIndex = `from`
 * returns (matching.ts execFrom), or undefined where the finder does not read the bytes (RE2 then does).
 */
export type Finder = (bytes: Buffer, from: number, search?: Searcher) => { whole: Span; span: Span } | null | undefined;
/** The recognizer's own unanchored search on bytes (RE2 search: the first match's offset, -1 for none), if given. */
export type Searcher = (bytes: Buffer) => number;

/** The Latin blocks past Latin-1 a name's letters come from: Extended-A and -B, Latin Extended Additional. */
const LATIN_BLOCKS: readonly (readonly [number, number])[] = [
  [0x100, 0x24f],
  [0x1e00, 0x1eff],
];
export const inLatinBlocks = (cp: number) => LATIN_BLOCKS.some(([from, to]) => cp >= from && cp <= to);

/**
 * The capitals (Lu, and Lt's title-case digraphs such as ǅ) of LATIN_BLOCKS: İlker, Ștefan (comma below), Ēriks,
 * Ōtani, Ḥasan. A list, not \p{Lu}: a Unicode-wide class made RE2's DFA spill (person-names.ts).
 */
export const LATIN_EXTENDED_CAPITALS: readonly number[] = LATIN_BLOCKS.flatMap(([from, to]) =>
  Array.from({ length: to - from + 1 }, (_, k) => from + k).filter((cp) =>
    /^[\p{Lu}\p{Lt}]$/u.test(String.fromCodePoint(cp)),
  ),
);
/** LATIN_EXTENDED_CAPITALS as RE2 class members (`\x{100}\x{102}`…), runs of neighbours as ranges. */
export const LATIN_EXTENDED_CAPITALS_CLASS = classOf(LATIN_EXTENDED_CAPITALS);
/** The letters of LATIN_BLOCKS (every code point in them is a letter) as RE2 class ranges. */
export const LATIN_BLOCKS_CLASS = LATIN_BLOCKS.map(([from, to]) => `\\x{${hex(from)}}-\\x{${hex(to)}}`).join('');

function hex(cp: number): string {
  return cp.toString(16).toUpperCase();
}
function classOf(cps: readonly number[]): string {
  let out = '';
  for (let k = 0; k < cps.length; ) {
    let end = k;
    while (cps[end + 1] === (cps[end] as number) + 1) end += 1;
    out +=
      end === k ? `\\x{${hex(cps[k] as number)}}` : `\\x{${hex(cps[k] as number)}}-\\x{${hex(cps[end] as number)}}`;
    k = end + 1;
  }
  return out;
}

const UPPER_EXTENDED = new Set(LATIN_EXTENDED_CAPITALS);

/** person-names.ts UPPER: `[A-Z\x{C0}-\x{D6}\x{D8}-\x{DE}` and LATIN_EXTENDED_CAPITALS. */
export function isUpper(cp: number): boolean {
  return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0xc0 && cp <= 0xde && cp !== 0xd7) || UPPER_EXTENDED.has(cp);
}

/** person-names.ts LOWER: `[a-z\x{DF}-\x{F6}\x{F8}-\x{FF}` and LATIN_BLOCKS but U+0100. */
export function isLower(cp: number): boolean {
  return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0xdf && cp <= 0xff && cp !== 0xf7) || (cp > 0x100 && inLatinBlocks(cp));
}

/**
 * The code point at byte `at` and its length in bytes (`codePointLength()`, 0 at the end); -1 at the end, -2 for bytes
 * that are no UTF-8 sequence.
 */
let length = 0;
export function codePointAt(bytes: Buffer, at: number): number {
  const b0 = bytes[at];
  if (b0 === undefined) {
    length = 0;
    return -1;
  }
  if (b0 < 0x80) {
    length = 1;
    return b0;
  }
  const n = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0;
  let cp = n === 2 ? b0 & 0x1f : n === 3 ? b0 & 0x0f : b0 & 0x07;
  for (let i = 1; i < n; i += 1) {
    const b = bytes[at + i];
    if (b === undefined || (b & 0xc0) !== 0x80) return invalid();
    cp = (cp << 6) | (b & 0x3f);
  }
  // Overlong, surrogate or out-of-range forms: RE2 reads them its own way.
  if (
    n === 0 ||
    (n === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
    (n === 4 && (cp < 0x10000 || cp > 0x10ffff))
  )
    return invalid();
  length = n;
  return cp;
}
/** The length in bytes of the code point codePointAt read last. */
export function codePointLength(): number {
  return length;
}
function invalid(): number {
  length = 0;
  return -2;
}

/** After `at`, the end of a run of one or more LOWER letters; -1 when none starts there, -2 on invalid bytes. */
function lowerRunEnd(bytes: Buffer, at: number): number {
  let end = at;
  for (;;) {
    const cp = codePointAt(bytes, end);
    if (cp === -2) return -2;
    if (cp < 0 || !isLower(cp)) return end > at ? end : -1;
    end += length;
  }
}

/** `UPPER LOWER+` at `at`: its end, -1 when none, -2 on invalid bytes. */
function capitalisedAt(bytes: Buffer, at: number): number {
  const cp = codePointAt(bytes, at);
  if (cp === -2) return -2;
  if (cp < 0 || !isUpper(cp)) return -1;
  return lowerRunEnd(bytes, at + length);
}

/**
 * Where the pattern's ending (`$|'s|’s|[^A-Za-z\x{C0}-\x{FF}LATIN_BLOCKS0-9'’@_-]`) at `at` ends; -1 none, -2
 * invalid.
 */
function endingAt(bytes: Buffer, at: number): number {
  if (at === bytes.length) return at;
  const cp = codePointAt(bytes, at);
  if (cp === -2) return -2;
  if (cp === 0x27 || cp === 0x2019) return bytes[at + length] === 0x73 ? at + length + 1 : -1;
  const asciiLetter = (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  const digit = cp >= 0x30 && cp <= 0x39;
  if (
    asciiLetter ||
    digit ||
    (cp >= 0xc0 && cp <= 0xff) ||
    inLatinBlocks(cp) ||
    cp === 0x40 ||
    cp === 0x5f ||
    cp === 0x2d
  )
    return -1;
  return at + length;
}

export const PREFIXES = ['Mc', 'Mac', "O'", "D'", 'O’', 'D’'].map((p) => Buffer.from(p, 'utf8'));

/** Whether a byte may open one of PREFIXES (`M`, `O`, `D`). */
export const mayOpenPrefix = (b: number | undefined) => b === 0x4d || b === 0x4f || b === 0x44;

/** Whether `prefix` is at byte `at` (a loop: Buffer.compare is a native call, dearer than these few bytes). */
export function startsWith(bytes: Buffer, at: number, prefix: Buffer): boolean {
  for (let i = 0; i < prefix.length; i += 1) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

/** The group's end of the match matchAt found last (a number, not an array a candidate: most are rejected). */
let groupEnd = 0;

/**
 * The match at `at` as a sticky RE2 test takes it (leftmost-first: each prefix in order, then none): the match's end
 * (its group's in groupEnd), -1 when none, -2 on invalid bytes. A LOWER run is always taken whole (the ending and
 * `-` are no LOWER letters, so a shorter run never lets the rest match), and with the hyphenated part first.
 */
function matchAt(bytes: Buffer, at: number): number {
  // Every prefix opens with M, O or D: at any other capital only the last choice (no prefix) can hold.
  for (let k = mayOpenPrefix(bytes[at]) ? 0 : PREFIXES.length; k <= PREFIXES.length; k += 1) {
    const prefix = PREFIXES[k];
    let p = at;
    if (prefix !== undefined) {
      if (!startsWith(bytes, at, prefix)) continue;
      p += prefix.length;
    }
    const word = capitalisedAt(bytes, p);
    if (word === -2) return -2;
    if (word < 0) continue;
    if (bytes[word] === 0x2d) {
      const second = capitalisedAt(bytes, word + 1);
      if (second === -2) return -2;
      if (second >= 0) {
        const end = endingAt(bytes, second);
        if (end === -2) return -2;
        if (end >= 0) {
          groupEnd = second;
          return end;
        }
      }
    }
    const end = endingAt(bytes, word);
    if (end === -2) return -2;
    if (end >= 0) {
      groupEnd = word;
      return end;
    }
  }
  return -1;
}

/** The bytes a match may start at: `A`-`Z`, the lead bytes 0xC3-0xC9 (Latin-1 to Extended-B) and 0xE1 (U+1E00…). */
export const STARTS = new Uint8Array(256);
for (let b = 0x41; b <= 0x5a; b += 1) STARTS[b] = 1;
for (let b = 0xc3; b <= 0xc9; b += 1) STARTS[b] = 1;
STARTS[0xe1] = 1;

/**
 * PERSON_NAME_SINGLE's leftmost match at or after byte `from` (matching.ts execFrom's answer), its group the word;
 * undefined when the bytes are not read here (invalid UTF-8 in a candidate, a start inside a sequence): RE2 is asked.
 */
export function singleNameFrom(bytes: Buffer, from: number): { whole: Span; span: Span } | null | undefined {
  if (from > bytes.length) return null;
  if (from < bytes.length && ((bytes[from] as number) & 0xc0) === 0x80) return undefined;
  // A match starts with a capital: an ASCII one, or a sequence led by 0xC3-0xC9 or 0xE1 (the Latin blocks). Neither
  // byte is ever inside a UTF-8 sequence, so the bytes are stepped one at a time; a start's own bytes are checked.
  const n = bytes.length;
  for (let at = from; at < n; at += 1) {
    if (STARTS[bytes[at] as number] === 0) continue;
    const end = matchAt(bytes, at);
    if (end === -2) return undefined;
    if (end >= 0) return { whole: [at, end], span: [at, groupEnd] };
  }
  return null;
}
