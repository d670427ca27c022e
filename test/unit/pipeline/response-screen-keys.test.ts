// An answer's property names read with the text around them (response-screen.ts keyJoins): a value split between a
// string and the key list after or before it is blocked, while a value a string holds alone is still redacted in
// place, not blocked for sitting next to a key list; the third call's text (answer-key-joins.ts) stays a bounded copy.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { KEY_JOIN_CHARS, KEY_JOIN_USES, keyJoins, PAIR_GAP } from '../../../src/pipeline/answer-key-joins.ts';
import { screenResponse } from '../../../src/pipeline/response-screen.ts';
import { adapterFor, answerSegments } from '../../../src/providers/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const RULES = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY'] };
const HALVES = ['AKIAZ3MQWX', 'R5TLPB6Y7N'] as const;
const EMAIL = 'anna.berg@lakeshore-bank.com';

const chat = (content: string, extra: Record<string, unknown>) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  ...extra,
});
const screen = (body: unknown) => screenResponse(adapterFor('openai.chat_completions'), classifier, body, RULES);

describe('screenResponse: values joined with the property names around them', () => {
  it('blocks a key whose second half is an unknown field’s property name', async () => {
    const screened = await screen(chat(HALVES[0], { x: { [HALVES[1]]: 1 } }));
    expect(screened.blocked).toEqual({ types: ['AWS_ACCESS_KEY'], error: 'ERR_RESPONSE_BLOCKED' });
    expect(screened.classification?.types).toEqual({ AWS_ACCESS_KEY: 1 });
  });
  it('blocks a key whose first half is a property name and the second its value', async () => {
    const screened = await screen(chat('hello', { x: { [HALVES[0]]: HALVES[1] } }));
    expect(screened.action).toBe('blocked');
  });
  it('blocks a key whose second half is an array of its bytes after the text', async () => {
    const screened = await screen(chat(HALVES[0], { x: [...Buffer.from(HALVES[1])] }));
    expect(screened.action).toBe('blocked');
  });
  it('redacts an e-mail address that ends the text before an unknown field’s keys (not blocked)', async () => {
    const screened = await screen(chat(`write to ${EMAIL}`, { x: { details: 1, id: 'a' } }));
    expect(screened.action).toBe('redacted');
    expect(screened.classification).toEqual({ finding_count: 1, types: { EMAIL: 1 } });
    expect(JSON.stringify(screened.body)).not.toContain(EMAIL);
    expect(JSON.stringify(screened.body)).toContain('details');
  });
  it('relays ordinary text followed by ordinary property names untouched', async () => {
    const body = chat('the order ships on 12 May, tracking AKIA-free', { x: { tracking: 'TRK1234567', shipped: 1 } });
    const screened = await screen(body);
    expect(screened).toMatchObject({ action: 'none', blocked: null, classification: { finding_count: 0 } });
  });
  it('counts a key a key list holds alone once, not again for its join', async () => {
    const screened = await screen(chat('hello', { x: { [HALVES.join('')]: 1 } }));
    expect(screened.classification).toEqual({ finding_count: 1, types: { AWS_ACCESS_KEY: 1 } });
  });
});

describe('keyJoins: the third call\u2019s text', () => {
  const sides = (body: unknown) => {
    const joins = keyJoins(answerSegments(body));
    return joins.pairs.map((p) => [joins.text.slice(p.from, p.junction), joins.text.slice(p.junction, p.to)]);
  };
  it('pairs each key list with each of the three values before it (key lists between skipped) and the next value', () => {
    const body = { a: 'one', b: { c: 'two' }, d: 'three', e: { f: 1 }, g: 'four' };
    expect(sides(body)).toEqual([
      ['a\nb\nd\ne\ng', 'one'],
      ['one', 'c'],
      ['c', 'two'],
      ['one', 'f'],
      ['two', 'f'],
      ['three', 'f'],
      ['f', 'four'],
      // Document order: each name that is not valueLike beside the value right before and after it (two such names
      // side by side, `b` `c`, `e` `f` `g`, are no pair).
      ['a', 'one'],
      ['one', 'b'],
      ['c', 'two'],
      ['two', 'd'],
      ['d', 'three'],
      ['three', 'e'],
      ['g', 'four'],
    ]);
    expect(keyJoins(answerSegments(body)).text.split(PAIR_GAP)).toHaveLength(14);
  });
  it('copies a value before at most KEY_JOIN_USES key lists, after one and beside the names around it, KEY_JOIN_CHARS characters of it', () => {
    const long = 'x'.repeat(10 * KEY_JOIN_CHARS);
    const body = { text: long, rows: Array.from({ length: 1000 }, () => ({ a: 1 })) };
    const joins = keyJoins(answerSegments(body));
    // `text` before it and `rows` after it are names that are not valueLike: read beside it once each.
    expect(joins.text.match(/x{2,}/g)?.map((run) => run.length)).toEqual(Array(KEY_JOIN_USES + 3).fill(KEY_JOIN_CHARS));
    expect(joins.text.length).toBeLessThan(JSON.stringify(body).length);
  });
  it('reads a long key list by its end before the value after it, its offsets kept', () => {
    const keys = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`key${i}`, i]));
    const joins = keyJoins(answerSegments({ x: keys, y: 'after' }));
    const list = Object.keys(keys).join('\n');
    const last = joins.pairs.find((p) => p.first.keys && p.first.index === 1 && !p.second.keys);
    expect(last?.first).toEqual({ keys: true, index: 1, offset: list.length - KEY_JOIN_CHARS });
    expect(joins.text.slice(last?.from, last?.junction)).toBe(list.slice(-KEY_JOIN_CHARS));
  });
});
