// Round 12 of the attacker's review (session 14), base64 in short lines or groups (decode-groups.ts, 1236660/bd65832:
// lines of one width joined across a line break and the first line's indentation or `>` quote marks) behind other
// wrappers: an INI/assembly `; ` comment, SQL's `-- `, a batch file's `REM `, BASIC line numbers, a table's `| … |`
// cells, a string literal a line joined by `+`, `.`, a backslash or nothing (Python), a JSON array of lines, and
// groups of 4 split by `-` or `.`. (`# `, `// `, ` * `, `- `, three spaces: review-s13's, closed.) Each is the
// base64 of 'aws AKIA…' in lines of 12, too short to decode one by one. Controls: the bare lines and a long .env's
// base64 in 64-character string literals joined by `+` are refused.
import { describe, expect, it } from 'vitest';
import { isForwarded, pieces } from './round9-helpers.ts';

const B = Buffer.from('aws AKIAZ3MQWXR5TLPB6Y7N').toString('base64');
const LINES = pieces(B, 12);
/** `LINES`, each behind `mark`. */
const marked = (mark: (i: number) => string) => LINES.map((line, i) => `${mark(i)}${line}`).join('\n');

describe('base64 of an AWS key in lines of 12, behind wrappers decode-groups.ts does not join', () => {
  it('control: the bare lines, indented, and a long base64 in string literals joined by + are refused', async () => {
    expect(await isForwarded(LINES.join('\n'))).toBe(false);
    expect(await isForwarded(marked(() => '    '))).toBe(false);
    const env = Buffer.from(
      '# prod\nDATABASE_URL=postgres://app@db:5432/app\nAWS_ACCESS_KEY_ID=AKIAZ3MQWXR5TLPB6Y7N\nLOG_LEVEL=info\n',
    ).toString('base64');
    expect(
      await isForwarded(
        `const env = ${pieces(env, 64)
          .map((l) => `"${l}"`)
          .join(' +\n  ')};`,
      ),
    ).toBe(false);
  });

  // Closed (decode-groups.ts linePrefixes, separatorAt): a line's prefix is its blanks and up to 8 punctuation marks,
  // the same on each line, so an INI or assembly `; ` and SQL's `-- ` comments are joined.
  it.each([
    ['"; " (an INI or assembly comment)', marked(() => '; ')],
    ['"-- " (an SQL or Lua comment)', marked(() => '-- ')],
  ])('the lines behind %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-groups.ts wrapAt, LineWrap): a line break's wrap is the marks after a line's group and before the
  // next's, read at the run's first line break, so a table's one-cell rows `| … |` are joined.
  it('the lines behind "| … |" (a table\'s one-cell rows) are refused', async () => {
    expect(await isForwarded(LINES.map((line) => `| ${line} |`).join('\n'))).toBe(false);
  });

  // Closed (decode-group-separators.ts wrapAt, labelledWrap): a line's prefix may hold a label, a word the same on each
  // line (`REM `) or a line number (`10 `, `1. `), then blanks and marks.
  it.each([
    ['"REM " (a batch file comment)', marked(() => 'REM ')],
    ['line numbers ("10 ", "20 ", …)', marked((i) => `${(i + 1) * 10} `)],
  ])('the lines behind %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-groups.ts wrapAt, LineWrap): a line's closing quote and operator, then the next line's indentation
  // and opening quote, the same on each line, are a line break's wrap, so short literals a line are one run.
  it.each([
    ['JavaScript/Java ("…" +)', `const k =\n${LINES.map((l) => `  "${l}"`).join(' +\n')};`],
    ["PHP ('…' .)", `$k = ${LINES.map((l) => `'${l}'`).join(' .\n  ')};`],
    ['Python (implicit concatenation in parentheses)', `k = (\n${LINES.map((l) => `    "${l}"`).join('\n')}\n)`],
    ['a shell string continued with \\', `KEY="${LINES.join('\\\n')}"`],
  ])('the lines as %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-groups.ts blanksAt): literals on one line were joined across blanks only; a quote, up to 3 of
  // ` ,+.` and the same quote between two groups (a JSON array's `","`) is a separator.
  it('the lines as a JSON array of lines are refused', async () => {
    expect(await isForwarded(JSON.stringify(LINES))).toBe(false);
  });

  // Closed (decode-group-separators.ts blanksAt, decode-groups.ts splitRun, decode-candidates.ts GROUP_SEPARATOR): one
  // `.` or `:` between groups, and `-` or `_` splitting one alphabet run into groups of one width, are separators.
  it.each([
    ['-', '-'],
    ['.', '.'],
  ])('groups of 4 split by %s are refused', async (_name, separator) => {
    expect(await isForwarded(pieces(B, 4).join(separator))).toBe(false);
  });
});
