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

  // HOLE closed in src/classification/decode-code-operators.ts operatorAt (gapEnd): one line break at most between two
  // calls, and a comment only after the operator, ended the run at a blank line before the operator, a comment line
  // before a leading operator, and a block comment (`/* … */`) after it. Blank lines and comments are now skipped
  // either side (MAX_GAP_LINES line breaks, MAX_GAP_STEPS comments and breaks, each bounded).
  it.each([
    ['a blank line before the leading +', calls('\n\n    + ')],
    ['a # comment line before the leading +', calls('  # next\n    + ')],
    ['a /* */ comment after the +', calls(' + /* next */ ')],
  ])('the key as chr() calls with %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  it.each([
    ['a blank line before the leading +', (j: string) => j.replace('+', '\n\n    +')],
    ['a # comment line before the leading +', (j: string) => j.replace('+', '  # next\n    +')],
    ['a /* */ comment after the +', (j: string) => j.replace('+', '+ /* next */')],
  ])('control: a plain sentence as chr() calls, and prose, with %s are forwarded', async (_name, gap) => {
    const plain = [...'print the greeting twice'].map((c) => `chr(${c.charCodeAt(0)})`).join(gap(' + '));
    expect(await isForwarded(plain)).toBe(true);
    const prose = ['chr(65) is A', 'chr(66) is B', 'and so on'].join(gap(' + '));
    expect(await isForwarded(prose)).toBe(true);
  });
});
