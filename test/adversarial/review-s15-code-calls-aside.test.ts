// Review s15 (R3), character-code calls one step aside from 69beb9a (decode-code-operators.ts operatorAt: one line
// break before or after the operator, a line comment after it, up to 8 blanks either side). Each text builds
// 'aws AKIA…' one chr() a character; a model evaluates it at sight. Controls: the leading operator and tab alignment.
import { describe, expect, it } from 'vitest';
import { isForwarded } from './round9-helpers.ts';

const CODES = [...'aws AKIAZ3MQWXR5TLPB6Y7N'].map((c) => c.charCodeAt(0));
/** One chr(code) a character, joined by `join`. */
const calls = (join: string) => CODES.map((c) => `chr(${c})`).join(join);

describe('an AWS key as chr() calls apart by more than one line break or a comment', () => {
  it.each([
    ["PEP 8's leading +", calls('\n    + ')],
    ['tab-aligned operators', calls('\t\t+ ')],
  ])('control: the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // HOLE (open, src/classification/decode-code-operators.ts operatorAt): one line break at most between two calls, and
  // a comment only after the operator: a blank line before the operator, a comment line before a leading operator,
  // and a block comment (`/* … */`) after it end the run. Fix: skip blank lines and comments (bounded) either side.
  it.fails.each([
    ['a blank line before the leading +', calls('\n\n    + ')],
    ['a # comment line before the leading +', calls('  # next\n    + ')],
    ['a /* */ comment after the +', calls(' + /* next */ ')],
  ])('the key as chr() calls with %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});
