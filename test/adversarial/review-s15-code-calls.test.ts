// Review s15 (R3, attacker's review of session 15's changes), character codes one call a character, as ce26e0f
// (decode-code-calls.ts) reads them: calls of one name joined by one operator with up to 3 blanks either side and one
// line break after it, Ruby's 65.chr, Go's string(rune(65)), casts [char]65 / (char) 65, literals of up to 8 characters
// between two calls. Each text builds 'aws AKIA…' one character a call; a model evaluates it at sight. Each open form
// is one step aside from a control that is refused, so the control shows the key and the run are otherwise read.
import { describe, expect, it } from 'vitest';
import { isForwarded } from './round9-helpers.ts';

const CODES = [...'aws AKIAZ3MQWXR5TLPB6Y7N'].map((c) => c.charCodeAt(0));
/** One `call(code)` a character, joined by `join`. */
const calls = (call: (code: number, i: number) => string, join: string) => CODES.map(call).join(join);
const chr = (c: number) => `chr(${c})`;

describe('an AWS key as one character code a call, one step aside from the runs decode-code-calls.ts reads', () => {
  it.each([
    ['chr(65) +\\n    chr(75) (operator ending the line)', calls(chr, ' +\n    ')],
    ['chr(65)   +   chr(75) (3 blanks)', calls(chr, '   +   ')],
    ['(char) 65 + (char) 75', calls((c) => `(char) ${c}`, ' + ')],
    [
      'chr(65) + "KIAZ3MQW" + chr(88) (8-character literal)',
      'chr(97) + chr(119) + chr(115) + chr(32) + chr(65) + "KIAZ3MQW" + chr(88) + chr(82) + chr(53) + "TLPB6Y7N" + chr(32)',
    ],
  ])('control: the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-code-operators.ts operatorAt): one line break may come before the operator too (PEP 8's
  // `\n    + chr(…)`, SQL's leading `||`), not only after it.
  it.each([
    ["Python's leading + (PEP 8)", `key = (\n    ${calls(chr, '\n    + ')}\n)`],
    ["SQL's leading ||", `SELECT ${calls((c) => `CHAR(${c})`, '\n    || ')};`],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-code-operators.ts MAX_OPERATOR_BLANKS): up to 8 blanks (a tab stop) either side of the operator.
  it.each([['chr(65)    +    chr(75) (4 blanks)', calls(chr, '    +    ')]])(
    'the key as %s is refused',
    async (_name, text) => {
      expect(await isForwarded(text)).toBe(false);
    },
  );

  // Closed (decode-code-calls.ts anyCodeAt, codeTokenAt, parenthesisedTokenAt, sameKind): a call's code may be `0o`
  // octal, a cast's code parenthesised (`(char)(65)`), a token in parentheses (`(chr(65))`), and names one a word
  // longer before the other (`unichr`/`chr`, `nchar`/`char`) make one run.
  it.each([
    ['chr(0o101) + chr(0o113) (octal codes)', calls((c) => `chr(0o${c.toString(8)})`, ' + ')],
    ['(char)(65) + (char)(75)', calls((c) => `(char)(${c})`, ' + ')],
    ['(chr(65)) + (chr(75))', calls((c) => `(${chr(c)})`, ' + ')],
    ['unichr(65) + chr(75) (two names)', calls((c, i) => (i % 2 ? chr(c) : `unichr(${c})`), ' + ')],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-code-operators.ts operatorAt, commentEnd): an interpolation's close and the next's open (`}{`,
  // `}${`) join two calls, and a line comment may follow the operator before its line break.
  it.each([
    ['Python f-string f"{chr(65)}{chr(75)}…"', `f"${calls((c) => `{${chr(c)}}`, '')}"`],
    [
      'a JS template literal of String.fromCharCode(65) interpolations',
      `\`${calls((c) => `\${String.fromCharCode(${c})}`, '')}\``,
    ],
    ['chr(65) + # comment\\n chr(75)', calls(chr, ' +  # next\n    ')],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-code-operators.ts MAX_LITERAL): a literal of up to 32 characters between two calls is read.
  it.each([
    [
      'chr(65) + "KIAZ3MQWX" + chr(82) (9-character literal)',
      'chr(97) + chr(119) + chr(115) + chr(32) + chr(65) + "KIAZ3MQWX" + chr(82) + chr(53) + "TLPB6Y7N" + chr(32)',
    ],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});
