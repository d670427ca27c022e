// An answer's property names read with the text around them (response-screen.ts keyJoins): a value split between a
// string and the key list after or before it is blocked, while a value a string holds alone is still redacted in
// place, not blocked for sitting next to a key list; the third call stays a bounded copy of the answer.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { KEY_JOIN_CHARS, KEY_JOIN_USES, keyJoins, screenResponse } from '../../../src/pipeline/response-screen.ts';
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

describe('keyJoins: the third call’s segments', () => {
  it('reads each key list after the three values before it (key lists between skipped) and before the next value', () => {
    const body = { a: 'one', b: { c: 'two' }, d: 'three', e: { f: 1 }, g: 'four' };
    const { segments, keyIndex } = keyJoins(answerSegments(body));
    expect(segments.map((s) => s.text)).toEqual([
      'a\nb\nd\ne\ng',
      'one',
      'c',
      'two',
      'one',
      'two',
      'three',
      'f',
      'four',
    ]);
    expect(keyIndex).toEqual([0, -1, 1, -1, -1, -1, -1, 2, -1]);
  });
  it('copies a value before at most KEY_JOIN_USES key lists and after one, KEY_JOIN_CHARS characters of it', () => {
    const long = 'x'.repeat(10 * KEY_JOIN_CHARS);
    const body = { text: long, rows: Array.from({ length: 1000 }, () => ({ a: 1 })) };
    const { segments } = keyJoins(answerSegments(body));
    const copies = segments.filter((s) => s.text.startsWith('x'));
    expect(copies.map((s) => s.text.length)).toEqual(Array(KEY_JOIN_USES + 1).fill(KEY_JOIN_CHARS));
    expect(segments.reduce((n, s) => n + s.text.length, 0)).toBeLessThan(JSON.stringify(body).length);
  });
});
