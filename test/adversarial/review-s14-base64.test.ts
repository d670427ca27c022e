// Review s14 (R2, attacker's review of session 14's changes), base64 line prefixes (decode-groups.ts, 8413af6: a
// run's line prefix is its first line's blanks and up to 8 ASCII punctuation marks, the same on each line). Each text
// is the base64 of 'aws AKIA…' in lines of 12, too short to decode one by one; a model joins the lines at once.
// Controls: the `# ` and `// ` comments and the `- ` list 8413af6 joins are refused, forwarded, answered and streamed.
import { describe, expect, it } from 'vitest';
import { CLOSED, fates, isForwarded, pieces } from './round9-helpers.ts';

const B = Buffer.from('aws AKIAZ3MQWXR5TLPB6Y7N').toString('base64');
const LINES = pieces(B, 12);
/** A piece only the encoded value holds. */
const PROBE = LINES[1] as string;
/** `LINES`, each behind `mark`. */
const marked = (mark: (i: number) => string) => LINES.map((line, i) => `${mark(i)}${line}`).join('\n');

describe('base64 lines behind a prefix one step aside from the ASCII marks decode-groups.ts joins', () => {
  it.each([
    ['"# "', marked(() => '# ')],
    ['"// "', marked(() => '// ')],
    ['"- "', marked(() => '- ')],
    ['"#" (no space)', marked(() => '#')],
  ])('control: the lines behind %s reach neither the upstream nor a client', async (_name, text) => {
    expect(await fates(text, PROBE)).toEqual(CLOSED);
  });

  // Closed (decode-group-separators.ts wrapAt, decode-groups.ts runAt): `/` is in the base64 alphabet, so a `//`
  // comment with no space after it (common in C, Go, JS) was read as the group's first characters; a first group that
  // opens with the marks ending the next line's prefix is now read both ways.
  it('the lines behind "//" (no space) are refused', async () => {
    expect(await isForwarded(marked(() => '//'))).toBe(false);
  });

  // Closed (decode-groups.ts isPrefixChar, decode-candidates.ts LINE_MARKS): a prefix was ASCII punctuation only; a
  // bullet, an arrow and box drawing (a tree's or a table's bar) are marks too.
  it.each([
    ['"• " (a bulleted list)', marked(() => '\u2022 ')],
    ['"│ " (box drawing, as tree and table printers draw)', marked(() => '\u2502 ')],
    ['"→ " (an arrow)', marked(() => '\u2192 ')],
  ])('the lines behind %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-groups.ts wrapAt, 1eb9746): the run's prefix was its first line's start, so a comment opened after
  // code (`x = 1  # QUJD…`) and continued under it (`       # SktM…`) was no run; a run's line wrap is now read at its
  // first line break (the second line's prefix), the first line's start aside.
  it.each([
    [
      'a # comment after code',
      `x = 1  # ${LINES[0]}\n${LINES.slice(1)
        .map((l) => `       # ${l}`)
        .join('\n')}`,
    ],
    [
      'a // comment after code',
      `int x; // ${LINES[0]}\n${LINES.slice(1)
        .map((l) => `       // ${l}`)
        .join('\n')}`,
    ],
  ])('the lines of %s, continued under it, are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});

describe('base64 groups in literals on one line, one step aside from the separators decode-groups.ts joins', () => {
  /** `LINES` as literals quoted by `quote`, joined by `join`. */
  const literals = (join: string, open = '"', close = '"') => LINES.map((l) => `${open}${l}${close}`).join(join);

  it.each([
    ['a JSON array on one line', `[${literals(',')}]`],
    ["'…' + '…'", literals(' + ', "'", "'")],
    ['Python\'s "…" "…"', literals(' ')],
  ])('control: the groups as %s reach neither the upstream nor a client', async (_name, text) => {
    expect(await fates(text, PROBE)).toEqual(CLOSED);
  });

  // Closed (decode-groups.ts blanksAt, decode-candidates.ts QUOTE_GAPS): between two quotes only up to 3 of ' ,+.'
  // were a separator; up to 4 of ' ,+.|<&' are, so SQL's `||` and Ruby's `<<` concatenation join the groups.
  it.each([
    ["SQL's '…' || '…'", literals(' || ', "'", "'")],
    ['Ruby\'s "…" << "…"', literals(' << ')],
  ])('the groups as %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-group-separators.ts blanksAt): a literal's prefix letters (Python's b"…", C++'s u8"…", up to 2)
  // between the gap and the next literal's quote are part of the separator.
  it.each([
    ['Python\'s b"…" b"…"', literals(' ', 'b"')],
    ['C++\'s u8"…" u8"…"', literals(' ', 'u8"')],
  ])('the groups as %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-group-separators.ts blanksAt): a literal's quote may be escaped (up to 3 backslashes, the same on
  // both sides), so a JSON array of lines inside a JSON string (`\",\"`) is joined.
  it('the groups as a JSON array inside a JSON string are refused', async () => {
    expect(await isForwarded(JSON.stringify(`[${literals(',')}]`))).toBe(false);
  });
});
