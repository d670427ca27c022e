// PERSON_NAME_LISTED's matches found in JavaScript: on news every run of capitalised words is a candidate, and each
// took ~6 native RE2 calls (matching.ts splitMatchFrom: a sticky test, a search and a sticky test for the whole match,
// then one sticky test for each of the lead, the group and the ending), ~1 ms of a 64 KB news text. The pattern
// `(?:^ ?|[^0-9] |[^\w ])(WORD(?:[ ](?:UPPER\.?[ ])?(?:PARTICLE[ ](?:PARTICLE[ ])?)?WORD){1,3})WORD_END` is read here
// the way RE2's leftmost-first match takes it: the leftmost start, and at it the first choice in the pattern's order
// (alternatives in order, greedy quantifiers longest first) that matches whole, by backtracking over a bounded
// candidate (≤ 4 words, particles and initials between them).
// Invariant: listedNameFrom returns exactly what one RE2 exec at lastIndex = from returns (fast-paths.test.ts checks
// it against exec on generated texts), or undefined where it does not read the bytes (invalid UTF-8): then RE2 does.
import {
  codePointAt,
  codePointLength,
  type Finder,
  inLatinBlocks,
  isLower,
  isUpper,
  mayOpenPrefix,
  PREFIXES,
  STARTS,
  startsWith,
} from './person-name-finder.ts';
import { PARTICLES } from './person-name-words.ts';

const PARTICLE_BYTES = PARTICLES.map((p) => Buffer.from(p, 'utf8'));
const SPACE = 0x20;

/** Set when a candidate's bytes are no UTF-8: the search declines and RE2 decides. */
let declined = false;
/** Where the group of the match found last starts and ends. */
let groupStart = -1;
let groupEnd = -1;

/** The code point at `at`, -1 at the end; notes invalid bytes (declined) and returns -1 for them. */
function cpAt(bytes: Buffer, at: number): number {
  const cp = codePointAt(bytes, at);
  if (cp === -2) {
    declined = true;
    return -1;
  }
  return cp;
}

const isWordByte = (b: number | undefined) =>
  b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f);

/** WORD_END `(?:\b|$|[^A-Za-z0-9_LETTERS])` at `at`: the match's end, or -1. */
function wordEnd(bytes: Buffer, at: number): number {
  if (at === bytes.length) return at;
  if (isWordByte(bytes[at - 1]) !== isWordByte(bytes[at])) return at;
  const cp = cpAt(bytes, at);
  if (cp < 0) return -1;
  if (
    (cp >= 0x30 && cp <= 0x39) ||
    (cp >= 0x41 && cp <= 0x5a) ||
    (cp >= 0x61 && cp <= 0x7a) ||
    cp === 0x5f ||
    (cp >= 0xc0 && cp <= 0xff) ||
    inLatinBlocks(cp)
  )
    return -1;
  return at + codePointLength();
}

type Next = (at: number) => number;

/** `UPPER LOWER+` at `at`, each end of its LOWER run longest first, `then` at each; its answer, or -1. */
function capitalised(bytes: Buffer, at: number, then: Next): number {
  const cp = cpAt(bytes, at);
  if (cp < 0 || !isUpper(cp)) return -1;
  const ends: number[] = [];
  let end = at + codePointLength();
  for (;;) {
    const c = cpAt(bytes, end);
    if (c < 0 || !isLower(c)) break;
    end += codePointLength();
    ends.push(end);
  }
  for (let k = ends.length - 1; k >= 0; k -= 1) {
    const found = then(ends[k] as number);
    if (found >= 0) return found;
  }
  return -1;
}

/** WORD `(?:Mc|Mac|O'|D'|O’|D’)?UPPER LOWER+(?:-UPPER LOWER+)?` at `at`, then `then`; its answer, or -1. */
function word(bytes: Buffer, at: number, then: Next): number {
  const afterFirst: Next = (e) => {
    if (bytes[e] === 0x2d) {
      const found = capitalised(bytes, e + 1, then);
      if (found >= 0) return found;
    }
    return then(e);
  };
  if (mayOpenPrefix(bytes[at]))
    for (const prefix of PREFIXES) {
      if (!startsWith(bytes, at, prefix)) continue;
      const found = capitalised(bytes, at + prefix.length, afterFirst);
      if (found >= 0) return found;
    }
  return capitalised(bytes, at, afterFirst);
}

/** `PARTICLE[ ]` choices at `at` in the pattern's order: each end, then `then`; its answer, or -1. */
function particle(bytes: Buffer, at: number, then: Next): number {
  for (const p of PARTICLE_BYTES) {
    if (!startsWith(bytes, at, p) || bytes[at + p.length] !== SPACE) continue;
    const found = then(at + p.length + 1);
    if (found >= 0) return found;
  }
  return -1;
}

/** After the group's `words`-th word ending at `at`: another `[ ](?:UPPER\.?[ ])?(?:PARTICLE…)?WORD`, else the end. */
function more(bytes: Buffer, at: number, words: number): number {
  if (words < 4 && bytes[at] === SPACE) {
    const next: Next = (e) => more(bytes, e, words + 1);
    const afterInitial: Next = (p) => {
      const twoParticles = particle(bytes, p, (q) => {
        const found = particle(bytes, q, (r) => word(bytes, r, next));
        return found >= 0 ? found : word(bytes, q, next);
      });
      return twoParticles >= 0 ? twoParticles : word(bytes, p, next);
    };
    const p = at + 1;
    const cp = cpAt(bytes, p);
    if (cp >= 0 && isUpper(cp)) {
      const q = p + codePointLength();
      if (bytes[q] === 0x2e && bytes[q + 1] === SPACE) {
        const found = afterInitial(q + 2);
        if (found >= 0) return found;
      }
      if (bytes[q] === SPACE) {
        const found = afterInitial(q + 1);
        if (found >= 0) return found;
      }
    }
    const found = afterInitial(p);
    if (found >= 0) return found;
  }
  if (words < 2) return -1;
  const end = wordEnd(bytes, at);
  if (end >= 0) groupEnd = at;
  return end;
}

/** The group and its ending at `at`: the match's end (groupEnd set), or -1. */
function groupAt(bytes: Buffer, at: number): number {
  const end = word(bytes, at, (e) => more(bytes, e, 1));
  if (end >= 0) groupStart = at;
  return end;
}

/** Whether `at` opens a particle and its space (PARTICLE[ ]). */
function particleAt(bytes: Buffer, at: number): boolean {
  for (const p of PARTICLE_BYTES) if (startsWith(bytes, at, p) && bytes[at + p.length] === SPACE) return true;
  return false;
}

/**
 * What a group at `g` needs before any backtracking: its first word (letters, `'`, `’`, `-`; every byte past ASCII
 * taken as a letter, a superset) ends at a space, and a capital (STARTS) or a particle comes after it. A capital with
 * anything else after its word starts no group: this is most capitals in prose, read here in a few byte steps.
 */
function mayOpenGroup(bytes: Buffer, g: number): boolean {
  let p = g;
  for (;;) {
    const b = bytes[p];
    if (b === undefined) return false;
    if ((b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b >= 0x80 || b === 0x27 || b === 0x2d) p += 1;
    else break;
  }
  if (bytes[p] !== SPACE) return false;
  const next = bytes[p + 1];
  return next !== undefined && (STARTS[next] === 1 || particleAt(bytes, p + 1));
}

const isAsciiWord = (cp: number) =>
  (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;

/**
 * The start of the lead that lets a group start at `g`, or -1 (-2: invalid bytes). At most one lead fits a given
 * `g`: `^ ?` at the text's start (g 0, or 1 after a space), `[^0-9] ` (a space before g) or `[^\w ]` (the code point
 * before g, which then is no space). At one start RE2 tries these in order, and their groups start in that order
 * too (`^` 0 or 1, then `[^\w ]` or `[^0-9] `, never both: g - 1 is a space or it is not), so the leftmost start whose
 * group matches, groups taken in byte order, is RE2's match.
 */
function leadFor(bytes: Buffer, g: number): number {
  if (g === 0 || (g === 1 && bytes[0] === SPACE)) return 0;
  if (g >= 2 && bytes[g - 1] === SPACE) {
    const s = previousStart(bytes, g - 1);
    const cp = codePointAt(bytes, s);
    if (cp === -2) return -2;
    return cp >= 0x30 && cp <= 0x39 ? -1 : s;
  }
  const s = previousStart(bytes, g);
  const cp = codePointAt(bytes, s);
  if (cp === -2) return -2;
  return isAsciiWord(cp) || cp === SPACE ? -1 : s;
}

/** The first byte of the code point that ends right before `at` (at > 0). */
function previousStart(bytes: Buffer, at: number): number {
  let p = at - 1;
  while (p > 0 && ((bytes[p] as number) & 0xc0) === 0x80) p -= 1;
  return p;
}

/** The match starting at `s` (its lead's alternatives in RE2's order): its end (groupStart, groupEnd set), or -1. */
function matchStartingAt(bytes: Buffer, s: number): number {
  if (s === 0) {
    if (bytes[0] === SPACE) {
      const found = groupAt(bytes, 1);
      if (found >= 0) return found;
    }
    const found = groupAt(bytes, 0);
    if (found >= 0) return found;
  }
  const cp = cpAt(bytes, s);
  if (cp < 0) return -1;
  const n = codePointLength();
  if ((cp < 0x30 || cp > 0x39) && bytes[s + n] === SPACE) return groupAt(bytes, s + n + 1);
  return isAsciiWord(cp) || cp === SPACE ? -1 : groupAt(bytes, s + n);
}

/**
 * PERSON_NAME_LISTED's leftmost match at or after byte `from` read in JavaScript alone: capitals in byte order, each
 * with the one lead that fits it (leadFor). What listedNameFrom falls back on.
 */
export const listedNameScan: Finder = (bytes, from) => {
  if (from > bytes.length) return null;
  if (from < bytes.length && ((bytes[from] as number) & 0xc0) === 0x80) return undefined;
  declined = false;
  const n = bytes.length;
  for (let g = from; g < n; g += 1) {
    if (STARTS[bytes[g] as number] === 0 || !mayOpenGroup(bytes, g)) continue;
    const s = leadFor(bytes, g);
    if (s === -2) return undefined;
    if (s < from) continue;
    const end = groupAt(bytes, g);
    if (declined) return undefined;
    if (end >= 0) return { whole: [s, end], span: [groupStart, groupEnd] };
  }
  return null;
};

/**
 * PERSON_NAME_LISTED's leftmost match at or after byte `from` (matching.ts execFrom's answer), its group the name;
 * undefined when the bytes are not read here (invalid UTF-8 in a candidate, a start inside a sequence): RE2 is asked.
 * With `search` (the pattern's own RE2 search), one native call finds where the match starts, at DFA speed over the
 * bytes between (a JavaScript loop over every byte of 64 KB of Markdown took ~0.3 ms, RE2 ~0.07); the match's end and
 * its group are then read here from that start, instead of RE2's five sticky tests. The search runs on the bytes
 * from `from` on, so at their first byte it sees no left context (`^` holds there): a match it reports at `from` is
 * read here with the text's true context, and when there is none the JavaScript scan goes on.
 */
export const listedNameFrom: Finder = (bytes, from, search) => {
  if (search === undefined) return listedNameScan(bytes, from);
  if (from > bytes.length) return null;
  if (from < bytes.length && ((bytes[from] as number) & 0xc0) === 0x80) return undefined;
  const offset = search(from === 0 ? bytes : bytes.subarray(from));
  if (offset < 0) return null;
  declined = false;
  const s = from + offset;
  const end = matchStartingAt(bytes, s);
  if (declined) return undefined;
  if (end >= 0) return { whole: [s, end], span: [groupStart, groupEnd] };
  return listedNameScan(bytes, from);
};
