// Review s16 (R4, attacker's review of session 16's changes), base64 lines behind a log prefix, with a comment after
// each, an empty line apart (47c7992, decode-group-separators.ts wrapAt: a first run with a `-` may open a label; a
// line comment `#`, `//`, `--`, `;` the same on each line ends each line's group; up to 2 empty lines). Each text is
// the base64 of 'aws AKIA…' in lines of 12 (too short to decode one by one), one step further aside.
import { describe, expect, it } from 'vitest';
import { isForwarded, isRelayed, isStreamed, pieces } from './round9-helpers.ts';

const B = Buffer.from('aws AKIAZ3MQWXR5TLPB6Y7N').toString('base64');
const LINES = pieces(B, 12);
/** `LINES`, each behind `before(i)` and followed by `after(i)`, joined by `join`. */
const marked = (before: (i: number) => string, after: (i: number) => string = () => '', join = '\n') =>
  LINES.map((line, i) => `${before(i)}${line}${after(i)}`).join(join);
const stamp = (i: number) => `2026-12-07T19:00:0${i}`;
/** `LINES` each followed by `after`, or behind `before`. */
const followed = (after: string, join = '\n') =>
  marked(
    () => '',
    () => after,
    join,
  );
const behind = (before: string, join = '\n') =>
  marked(
    () => before,
    () => '',
    join,
  );

describe('base64 of an AWS key in lines of 12 one step aside from the forms 47c7992 reads', () => {
  it.each([
    ['a log prefix with milliseconds', marked((i) => `${stamp(i)}.${100 + 37 * i}Z INFO `)],
    ['a log prefix with [INFO] in brackets', marked((i) => `${stamp(i).replace('T', ' ')} [INFO] `)],
    ["syslog's prefix (month, day, time, host, app[pid])", marked((i) => `Dec  7 19:00:0${i} web1 app[4242]: `)],
    ['a comment after each line, CRLF line ends', followed('  # chunk', '\r\n')],
    ["a comment after each line, SQL's --", followed(' -- chunk')],
    ['a comment after each line, behind a tab', followed('\t# chunk')],
    ['REM lines with a CRLF blank line between', behind('REM ', '\r\n\r\n')],
    [
      'a log prefix and a comment',
      marked(
        (i) => `${stamp(i)}Z INFO `,
        () => '  # chunk',
      ),
    ],
  ])('control: the lines as %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  const COMMENTED = followed('  # chunk');
  it('control: the lines with a comment after each are withheld from an answer and from a stream', async () => {
    expect(await isRelayed(COMMENTED, LINES[1] as string)).toBe(false);
    expect(await isStreamed(COMMENTED, LINES[1] as string)).toBe(false);
  });

  // Held: 47c7992's message leaves a log prefix cut by a delta open; cut every 1-31 characters it was withheld here.
  it.each([3, 7, 13])(
    'control: the lines behind a log prefix are withheld from a stream of %i-character deltas',
    async (w) => {
      expect(
        await isStreamed(
          marked((i) => `${stamp(i)}Z INFO `),
          LINES[1] as string,
          w,
        ),
      ).toBe(false);
    },
  );

  // HOLE (open, src/classification/decode-group-separators.ts labelledWrap): a log prefix's words must be the same on
  // each line (only digits may vary): a log whose level changes from line to line (INFO, WARN, DEBUG) is no label, so
  // each 12-character line is read alone. Fix (~10 lines): after a timestamp, let the label's one word of capitals
  // (a level, 3 to 7 letters) vary, as its digits do.
  it.fails('the lines behind a log prefix whose level varies are refused', async () => {
    expect(await isForwarded(marked((i) => `${stamp(i)}Z ${['INFO', 'WARN', 'DEBUG'][i % 3]} `))).toBe(false);
  });

  // HOLE (open, src/classification/decode-group-separators.ts commentEnd/sameWrap): the comment must be the same on
  // each line, so numbered chunks (`# part 1`, `# part 2`) end the run at each line; and only `#`, `//`, `--`, `;`
  // open one: C's `/* … */`, TeX's and MATLAB's `%` do not. Fix (~10 lines): compare comments with their digits as
  // any digits (labelledWrap's rule), and read `/* … */` closed on its line and `%` as openers.
  it.fails.each([
    [
      'a numbered comment after each line (# part 1, # part 2, …)',
      marked(
        () => '',
        (i) => `  # part ${i + 1}`,
      ),
    ],
    ['a C block comment after each line', followed(' /* chunk */')],
    ["MATLAB's % comment after each line", followed(' % chunk')],
  ])('the lines with %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // HOLE (open, src/classification/decode-group-separators.ts wrapAt/wrappedAt): an empty line between two lines must
  // hold nothing: a line of blanks (as an editor leaves it indented) is no empty line, and the run ends there. Fix
  // (~4 lines): let lineBreakAt's loop over MAX_BLANK_LINES skip blanks and tabs before each line break.
  it.fails('REM lines with a line of three blanks between are refused', async () => {
    expect(await isForwarded(behind('REM ', '\n   \n'))).toBe(false);
  });

  // HOLE (open, src/classification/decode-group-separators.ts commentEnd): a shell script that writes the key a line at
  // a time (`echo QUJD… >> k.b64`) has the same redirection after each line, which is no comment: no run. Fix (~8
  // lines): read a shell redirection (`>`, `>>` and a file name, the same on each line) as commentEnd reads a comment.
  it.fails.each([
    [
      'echo … >> k.b64',
      marked(
        () => 'echo ',
        () => ' >> k.b64',
      ),
    ],
    [
      'echo "…" >> k.b64',
      marked(
        () => 'echo "',
        () => '" >> k.b64',
      ),
    ],
  ])('the lines written by %s a line are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  it.each([
    ['a log whose level varies', (i: number) => `${stamp(i)}Z ${['INFO', 'WARN', 'DEBUG'][i % 3]} `, () => ''],
    ['numbered comments', () => '', (i: number) => `  # part ${i + 1}`],
    ['echo >> a file', () => 'echo ', () => ' >> notes.txt'],
  ])('control: prose lines as %s are forwarded', async (_name, before, after) => {
    const prose = ['the build went fine', 'then the deploy ran', 'and it was all done'];
    expect(await isForwarded(prose.map((l, i) => `${before(i)}${l}${after(i)}`).join('\n'))).toBe(true);
  });
});
