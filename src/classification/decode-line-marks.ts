// What may follow a base64 group on its line before the line break (decode-group-separators.ts wrapAt): prefix
// characters (blanks, marks) and a comment after them (`  # chunk`, ` /* part 2 */`, ` % chunk`), or a shell's
// redirection (` >> key.pem`, `" >> key.pem` after echo's quoted argument). Read forwards and backwards, each in a
// bounded number of characters (MAX_HELD_PREFIX, MAX_COMMENT).
import { isBase64Char } from './decode-bytes.ts';

/** Most characters in a line prefix a stream's hold looks back over (trailingGroupsStart): linear in what arrives. */
export const MAX_HELD_PREFIX = 64;

/**
 * A character of a line's prefix: a blank, `>`, an ASCII punctuation mark (a comment's `#`, `//`, `*`, a list's `-`),
 * or a list's or a tree's mark beyond ASCII (decode-candidates.ts LINE_MARKS): a bullet `·` `•` `‣` `⁃` `◦`, an arrow
 * (U+2190-U+21FF, `▶` `►` `➜`), box drawing (U+2500-U+257F: `│ ├──`).
 */
export function isPrefixChar(code: number): boolean {
  if (code < 0x80) {
    return (
      code === 0x20 ||
      code === 0x09 ||
      (code >= 0x21 && code <= 0x2f) ||
      (code >= 0x3a && code <= 0x40) ||
      (code >= 0x5b && code <= 0x60) ||
      (code >= 0x7b && code <= 0x7e)
    );
  }
  return (
    code === 0xb7 ||
    code === 0x2022 ||
    code === 0x2023 ||
    code === 0x2043 ||
    code === 0x25e6 ||
    (code >= 0x2190 && code <= 0x21ff) ||
    code === 0x25b6 ||
    code === 0x25ba ||
    code === 0x279c ||
    (code >= 0x2500 && code <= 0x257f)
  );
}

/** Where the prefix characters from `at` end, or -1 when more than MAX_HELD_PREFIX of them follow. */
export function marksEnd(text: string, at: number): number {
  let end = at;
  while (isPrefixChar(text.charCodeAt(end))) {
    end += 1;
    if (end - at > MAX_HELD_PREFIX) return -1;
  }
  return end;
}

/** Most characters of a comment after each line's group (`QUJD…  # chunk`). */
const MAX_COMMENT = 32;

/**
 * What opens a comment or a redirection after a group: a line comment's mark (`#`, `//`, `--`, `;`, TeX's and
 * MATLAB's `%`), C's `/*` (closed on its line or not), a shell's `>` or `>>` (`echo QUJD… >> key.pem`).
 */
const OPENERS = new Set(['#', '//', '--', ';', '%', '/*', '>', '>>']);

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function isQuoteCode(code: number): boolean {
  return code === 0x22 || code === 0x27;
}

/**
 * Where a comment after a group ends (its line break): the marks at `at` open one (OPENERS) after a blank (`  # `),
 * or after a quote closing the group's string and a blank (`" >> key.pem`); else -1.
 */
export function commentEnd(text: string, at: number, marks: number, open = false): number {
  const quoted = isQuoteCode(text.charCodeAt(at)) ? 1 : 0;
  if (!OPENERS.has(text.slice(at + quoted, marks).trim()) || !isBlank(text.charCodeAt(at + quoted))) return -1;
  for (let k = marks; k - marks <= MAX_COMMENT; k += 1) {
    if (text.charCodeAt(k) === 0x0a || text.charCodeAt(k) === 0x0d || (open && k === text.length)) return k;
    const code = text.charCodeAt(k);
    if (!(code >= 0x20 && code <= 0x7e) && code !== 0x09) return -1;
  }
  return -1;
}

/** commentEnd read back from `end` (`open`: the text may end in it): where it starts, or -1. One pass of 40. */
export function commentStart(text: string, end: number, open: boolean): number {
  const floor = Math.max(1, end - MAX_COMMENT - 8);
  for (let o = end - 1; o > floor; o -= 1) {
    const code = text.charCodeAt(o);
    if (code === 0x0a || code === 0x0d) return -1;
    const opener = code === 0x23 || code === 0x3b || code === 0x2f || code === 0x2d || code === 0x25 || code === 0x3e;
    if (!opener || !isBlank(text.charCodeAt(o - 1))) continue;
    let k = o - 1;
    while (k > floor && isBlank(text.charCodeAt(k - 1))) k -= 1;
    if (isQuoteCode(text.charCodeAt(k - 1))) k -= 1;
    const marks = isBase64Char(text.charCodeAt(k - 1)) ? marksEnd(text, k) : -1;
    if (marks >= 0 && commentEnd(text, k, marks, open) === end) return k;
  }
  return -1;
}
