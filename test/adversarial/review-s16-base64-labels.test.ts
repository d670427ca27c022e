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

  // HOLE closed in src/classification/decode-group-separators.ts labelledWrap/familyPattern: a log prefix's words had
  // to be the same on each line (only digits could vary): a log whose level changes from line to line (INFO, WARN,
  // DEBUG) was no label. Now a label's log level (TRACE … CRITICAL, upper or lower case) is any level on the next
  // lines, as its digits are any digits.
  it('the lines behind a log prefix whose level varies are refused', async () => {
    expect(await isForwarded(marked((i) => `${stamp(i)}Z ${['INFO', 'WARN', 'DEBUG'][i % 3]} `))).toBe(false);
  });

  // HOLE closed in src/classification/decode-group-separators.ts wrapAt/sameWrap and decode-line-marks.ts commentEnd:
  // the comment had to be the same on each line (`# part 1`, `# part 2` ended the run), and only `#`, `//`, `--`, `;`
  // opened one. Now a comment's digits are any digits (familyPattern), and `/*`, `%` open one too.
  it.each([
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

  // HOLE closed in src/classification/decode-group-separators.ts blankLineAt (and decode-candidates.ts
  // GROUP_SEPARATOR): an empty line between two lines had to hold nothing; a line of blanks ended the run. Now up to
  // 16 blanks or tabs on each of the (up to 2) empty lines.
  it('REM lines with a line of three blanks between are refused', async () => {
    expect(await isForwarded(behind('REM ', '\n   \n'))).toBe(false);
  });

  // HOLE closed in src/classification/decode-line-marks.ts commentEnd: a shell script that writes the key a line at a
  // time (`echo QUJD… >> k.b64`) has the same redirection after each line, which was no comment: no run. Now `>` and
  // `>>` open one as `#` does, after a blank or after the quote closing echo's argument (`echo "QUJD…" >> k.b64`).
  it.each([
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

  // Variants of the four closed above: an attacker's next step.
  it.each([
    ['a lower-case level that varies', marked((i) => `${stamp(i)}Z ${['info', 'warn', 'error'][i % 3]} `)],
    ['a level in brackets that varies', marked((i) => `${stamp(i)} [${['INFO', 'WARNING', 'ERROR'][i % 3]}] `)],
    [
      'numbered // comments (// 1/4)',
      marked(
        () => '',
        (i) => ` // ${i + 1}/${LINES.length}`,
      ),
    ],
    [
      'numbered C comments (/* 1 */)',
      marked(
        () => '',
        (i) => ` /* ${i + 1} */`,
      ),
    ],
    [
      "echo '…' >> key.pem",
      marked(
        () => "echo '",
        () => "' >> key.pem",
      ),
    ],
    [
      'printf \'%s\\n\' "…" >> key.pem',
      marked(
        () => "printf '%s\\n' \"",
        () => '" >> key.pem',
      ),
    ],
    [
      'echo … > numbered files',
      marked(
        () => 'echo ',
        (i) => ` > part${i + 1}.b64`,
      ),
    ],
    ['# lines with a line of a tab between', behind('# ', '\n\t\n')],
    ['lines with two lines of blanks between', behind('', '\n  \n    \n')],
  ])('the lines as %s are refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  it.each([
    [
      'log lines of request ids (base64) whose level varies',
      ['INFO', 'WARN', 'DEBUG', 'INFO'].map(
        (level, i) => `${stamp(i)}Z ${level} ${Buffer.from(`req-${i}-ok`).toString('base64')}`,
      ),
    ],
    ['a numbered list of words', ['1. apples and pears', '2. plums', '3. cherries and more']],
    ['numbered comments after words', ['apples  # part 1', 'pears  # part 2', 'plums  # part 3']],
    ['echo of words into a file, blank lines between', ['echo hello >> log.txt', '  ', 'echo world >> log.txt']],
  ])('control: %s are forwarded', async (_name, lines) => {
    expect(await isForwarded(lines.join('\n'))).toBe(true);
  });

  it.each([
    ['a log whose level varies', marked((i) => `${stamp(i)}Z ${['INFO', 'WARN', 'DEBUG'][i % 3]} `)],
    [
      'numbered comments',
      marked(
        () => '',
        (i) => `  # part ${i + 1}`,
      ),
    ],
    [
      'echo "…" >> k.b64',
      marked(
        () => 'echo "',
        () => '" >> k.b64',
      ),
    ],
    ['REM lines, a line of blanks between', behind('REM ', '\n   \n')],
  ])('the lines as %s are withheld from an answer and from a stream of 7-character deltas', async (_name, text) => {
    expect(await isRelayed(text, LINES[1] as string)).toBe(false);
    expect(await isStreamed(text, LINES[1] as string)).toBe(false);
  });
});
