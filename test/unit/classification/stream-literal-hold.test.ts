// stream-literal-hold.ts: a run of joined string literals that may still be continued is held from its first literal.
import { describe, expect, it } from 'vitest';
import { trailingLiteralStart } from '../../../src/classification/stream-literal-hold.ts';

describe('trailingLiteralStart', () => {
  it.each([
    ['right after a closing quote', 'key = "AKIAZ3MQ"', 6],
    ['in the gap after a literal', 'key = "AKIAZ3MQ" +\n  ', 6],
    ['inside the next literal', "key = 'AKIAZ3MQ' .. 'WXR5", 6],
    ['after an opening quote glued to a literal', `k='AKIAZ3MQ'"`, 2],
    ['three literals', 'k = "ab" "cd" "ef', 4],
  ])('%s holds from the first literal', (_name, text, at) => {
    expect(trailingLiteralStart(text, 0)).toBe(at);
  });
  it.each([
    ['prose', 'She said fine and left'],
    ['a literal with a blank', 'msg = "Hello world" + '],
    ['a quote that opens a literal with nothing before it', 'key = "AKIAZ3MQ'],
    ['a literal past the floor', '"ab" '],
  ])('control: %s is not held', (_name, text) => {
    expect(trailingLiteralStart(text, text === '"ab" ' ? 1 : 0)).toBe(text.length);
  });
});
