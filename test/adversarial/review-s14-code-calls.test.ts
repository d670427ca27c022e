// Review s14 (R2, attacker's review of session 14's changes), character codes one call a character (7872b3f,
// decode-code-lists.ts codeCallRuns: >= 4 calls of one name, one decimal code 32-126 each, one operator + . & || with
// up to 3 blanks either side). Each text builds 'aws AKIA…' one character a call; a model evaluates it at sight.
// Controls: Python's chr() + chr() (spaced or not), PHP's chr().chr(), and calls whose name's case varies.
import { describe, expect, it } from 'vitest';
import { isForwarded } from './round9-helpers.ts';

const CODES = [...'aws AKIAZ3MQWXR5TLPB6Y7N'].map((c) => c.charCodeAt(0));
/** One `call(code)` a character, joined by `join`. */
const calls = (call: (code: number, i: number) => string, join: string) => CODES.map(call).join(join);

describe('an AWS key as one character code a call, one step aside from the runs codeCallRuns reads', () => {
  it.each([
    ["Python's chr() + chr()", calls((c) => `chr(${c})`, ' + ')],
    ['chr()+chr() (no blanks)', calls((c) => `chr(${c})`, '+')],
    ["PHP's chr().chr()", calls((c) => `chr(${c})`, '.')],
    ['CHR() + chr() (case varies)', calls((c, i) => (i % 2 ? `chr(${c})` : `CHR(${c})`), ' + ')],
  ])('control: the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  it.each([
    ['chr(0x41) + chr(0x4b) (hex codes)', calls((c) => `chr(0x${c.toString(16)})`, ' + ')],
    ['String.fromCharCode(65) + … (one code a call)', calls((c) => `String.fromCharCode(${c})`, ' + ')],
    ["C#'s (char)65 + (char)75", calls((c) => `(char)${c}`, ' + ')],
    ['chr() + chr() wrapped over lines', calls((c) => `chr(${c})`, ' +\n    ')],
    ['chr() + \\ continued lines', calls((c) => `chr(${c})`, ' + \\\n')],
    ["''.join([chr(97), chr(119), …])", `''.join([${calls((c) => `chr(${c})`, ', ')}])`],
    ['CHAR( 97 ) || CHAR( 119 )', calls((c) => `CHAR( ${c} )`, ' || ')],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-code-calls.ts codeTokenAt, postfixTokenAt): a code with a method or a cast after it (Ruby's 75.chr,
  // Kotlin's 75.toChar(), Rust's 75u8 as char) and calls one in another (Go's string(rune(75))) are tokens of a run.
  it.each([
    ["Ruby's 65.chr + 75.chr", calls((c) => `${c}.chr`, ' + ')],
    ["Go's string(rune(65)) + …", calls((c) => `string(rune(${c}))`, ' + ')],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (decode-code-calls.ts literalAt): a string literal of up to 8 characters between two calls, joined by the
  // run's operator on both sides, is read as itself (an empty one as nothing).
  it.each([['chr(97) + "" + chr(119)', calls((c) => `chr(${c})`, ' + "" + ')]])(
    'the key as %s is refused',
    async (_name, text) => {
      expect(await isForwarded(text)).toBe(false);
    },
  );
});
