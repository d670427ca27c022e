// Bracketed lists read in document order (digit-lists.ts listChain): a card's groups spread over consecutive lists are
// rewritten as one number's separators when only a member's name, quotes or objects stand between them, and never
// across a digit, a list, a PAIR_GAP or more than MAX_LIST_GAP characters.
import { describe, expect, it } from 'vitest';
import { listRewrites, MAX_LIST_GAP } from '../../../src/classification/digit-lists.ts';
import { PAIR_GAP } from '../../../src/classification/join-window.ts';

/** The text with every rewrite applied (a dash rewrite as `-`). */
const view = (text: string) => {
  let out = '';
  let at = 0;
  for (const r of listRewrites(text)) {
    out += text.slice(at, r.from) + (r.dash ? '-' : '');
    at = r.to;
  }
  return out + text.slice(at);
};

describe('lists in document order', () => {
  it.each([
    ['two members', '{"a":[3782,822463],"b":[10005]}', '{"a":[3782-822463-10005]}'],
    ['a hyphenated name', '{"a":[3782,822463],"b-c":[10005]}', '{"a":[3782-822463-10005]}'],
    ['an object opened between', '{"a":[3782,822463],"b":{"c":[10005]}}', '{"a":[3782-822463-10005]}}'],
    ['three lists', '{"a":[4111],"b":[1111, 1111],"c":["1111"]}', '{"a":[4111-1111-1111-1111"]}'],
    ['two segments glued', '[4111, 1111][1111, 1111]', '[4111-1111-1111-1111]'],
  ])('%s: the groups read as one number', (_name, text, expected) => {
    expect(view(text)).toBe(expected);
  });

  it.each([
    ['a number between', '{"a":[4111,1111],"n":7,"b":[1111,1111]}'],
    ['a list of other things between', '{"a":[4111,1111],"t":["x"],"b":[1111,1111]}'],
    ['a PAIR_GAP between', `[4111,1111]${PAIR_GAP}[1111,1111]`],
    ['a name past MAX_LIST_GAP', `{"a":[4111,1111],"${'n'.repeat(MAX_LIST_GAP)}":[1111,1111]}`],
    ['more numbers than a card has groups', '{"a":[4111,1111,1111],"b":[1111,12,28]}'],
  ])('%s: not joined', (_name, text) => {
    expect(view(text)).toBe(text);
  });
});
