// Review s15 (R3, attacker's review of session 15's changes), base64 lines behind a label (f0573b8,
// decode-group-separators.ts labelledWrap: a word the same on each line, `REM `, or a line number, `10 `, then blanks
// and marks). Each text is the base64 of 'aws AKIA…' in lines of 12 (too short to decode one by one) behind a prefix
// one step aside: a number and a word, a varying log prefix, two words, a word and a number, a call a line, a blank
// line between lines, or a comment after each line.
import { describe, expect, it } from 'vitest';
import { isForwarded, pieces } from './round9-helpers.ts';

const B = Buffer.from('aws AKIAZ3MQWXR5TLPB6Y7N').toString('base64');
const LINES = pieces(B, 12);
/** `LINES`, each behind `before` and followed by `after`. */
const marked = (before: (i: number) => string, after = '') =>
  LINES.map((line, i) => `${before(i)}${line}${after}`).join('\n');

describe('base64 of an AWS key in lines of 12 behind a label one step aside from REM and line numbers', () => {
  it.each([
    ['REM', marked(() => 'REM ')],
    ['[INFO]', marked(() => '[INFO] ')],
    ['echo "…"', marked(() => 'echo "', '"')],
    ['001, 002, … (zero-padded line numbers)', marked((i) => `00${i + 1} `)],
  ])('control: the lines behind %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-group-separators.ts labelledWrap): a label is up to 32 characters before a full line's group, ending
  // in a blank or a mark, its digits any digits on the next lines (BASIC's `10 REM `, `part 1: `, two words, a call).
  it.each([
    ["BASIC's 10 REM, 20 REM, …", marked((i) => `${(i + 1) * 10} REM `)],
    ['part 1:, part 2:, …', marked((i) => `part ${i + 1}: `)],
    ['key part: (two words)', marked(() => 'key part: ')],
    ['print("…") a line', marked(() => 'print("', '")')],
  ])('the lines behind %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // HOLE closed in src/classification/decode-group-separators.ts wrapAt: a label was read only when the first alphabet
  // run after the prefix was shorter than the line's group: a log line's timestamp (`2026-12-07T19`, `-` in the
  // alphabet) is longer, so no label was looked for. Now any first run other than a full group may open a label.
  it.each([['a log prefix (timestamp and level)', marked((i) => `2026-12-07T19:00:0${i}Z INFO `)]])(
    'the lines behind %s are refused',
    async (_name, text) => {
      expect(await isForwarded(text)).toBe(false);
    },
  );

  // HOLE closed in src/classification/decode-group-separators.ts wrapAt (commentEnd, MAX_BLANK_LINES) and
  // decode-candidates.ts GROUP_SEPARATOR: a line's wrap was one line break between groups with blanks and marks around
  // it: a comment after each group and a blank line between REM lines ended the run. Now a line comment (`#`, `//`,
  // `--`, `;` after a blank, 32 characters at most, the same on each line) and up to 2 empty lines are read.
  it.each([
    ['a comment after each line', marked(() => '', '  # chunk')],
    ['REM lines with a blank line between', LINES.map((line) => `REM ${line}`).join('\n\n')],
  ])('the lines as %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  const PLAIN = pieces(Buffer.from('see you at the meeting room').toString('base64'), 12);
  it.each([
    ['a log prefix', (i: number) => `2026-12-07T19:00:0${i}Z INFO `, '', '\n'],
    ['a comment after each line', () => '', '  # chunk', '\n'],
    ['REM lines with a blank line between', () => 'REM ', '', '\n\n'],
  ])('control: a plain sentence, and prose, as %s are forwarded', async (_name, label, comment, join) => {
    const write = (lines: string[]) => lines.map((line, i) => `${label(i)}${line}${comment}`).join(join);
    expect(await isForwarded(write(PLAIN))).toBe(true);
    expect(await isForwarded(write(['the build went fine', 'then the deploy ran', 'and it was all done']))).toBe(true);
  });
});
