// Round 7 of the attacker's review (issue #14), on session 8's code: property names read as a value's piece
// (readable-spans.ts valueLike), the document-order places (document-pairs.ts, answer-document-order.ts), a JSON text's
// pairs. Decoding is in round7-decoding.test.ts, streams in round7-streams.test.ts, MCP in round7-mcp.test.ts.
// Holes found and not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix, so CI stays green
// until they close; attacks that held are kept as controls.
import { describe, expect, it } from 'vitest';
import { leaksIn, type Planted } from './leaks.ts';
import { classifier } from './recording-pipeline.ts';
import { relayScripted, type ScriptedEvent } from './relay-harness.ts';
import { AWS, CHAT, forwarded, GH, HALVES, holdsBoth, RULES, screened } from './round7-helpers.ts';

const GH_HEAD = GH.value.slice(0, -4);

describe('property names too short or too lower-case to be read as a value’s piece', () => {
  const anthropicRequest = (input: Record<string, unknown>) => ({
    model: 'echo-1',
    max_tokens: 5,
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
    ],
  });
  const chatRequest = (args: Record<string, unknown>) => ({
    model: 'echo-1',
    messages: [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: JSON.stringify(args) } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ],
  });
  const anthropicAnswer = (input: Record<string, unknown>) => ({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'x',
    content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input }],
    stop_reason: 'tool_use',
    stop_sequence: null,
  });
  const chatAnswer = (args: Record<string, unknown>) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: JSON.stringify(args) } }],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ],
  });
  /** Each way the value and the next name reach a reader: request (tool input, arguments) and answer (both). */
  const leaks = async (input: Record<string, unknown>, planted: Planted) => [
    ...leaksIn(await forwarded('anthropic.messages', anthropicRequest(input)), [planted]),
    ...leaksIn(await forwarded(CHAT, chatRequest(input)), [planted]),
    ...leaksIn(await screened('anthropic.messages', anthropicAnswer(input)), [planted]),
    ...leaksIn(await screened(CHAT, chatAnswer(input)), [planted]),
  ];
  // HOLE (closed, H14N classification/readable-spans.ts namePairs, document-pairs.ts forEachDocumentPair,
  // pipeline/answer-document-order.ts): a property name was a place of the document-order reading only when it was
  // 3-64 characters with no lower-case letter, a digit beside both cases, or a trailing `_`/`-` (valueLike). A key's
  // last characters as the next name were none of these when they were two characters (`"AKIAZ3MQWXR5TLPB6Y","7N":1`)
  // or lower-case letters (`"ghp_…Ae17","xbab":1`), or when the name ran past 64 characters after them: all were
  // forwarded and relayed. Now every other name is read glued to the place right before and after it (and pushes no
  // other place away), in JSON texts (chat arguments) and parsed JSON (tool input, answers, MCP results) alike.
  it('a key’s last two characters as the next property name are not forwarded or relayed', async () => {
    expect(await leaks({ k: HALVES.join('').slice(0, 18), '7N': 1 }, AWS)).toEqual([]);
  });
  it('a token’s lower-case last letters as the next property name are not forwarded or relayed', async () => {
    expect(await leaks({ note: GH_HEAD, xbab: 1 }, GH)).toEqual([]);
  });
  it('a key’s second half at the start of a property name longer than 64 characters is not forwarded or relayed', async () => {
    // `"a":"AKIAZ3MQWX","R5TLPB6Y7N_xxx…":1`: the name is past MAX_VALUE_NAME, so it is never a place.
    expect(await leaks({ a: HALVES[0], [`${HALVES[1]}_${'x'.repeat(60)}`]: 1 }, AWS)).toEqual([]);
  });
  it('control: a key’s last three characters as the next property name are blocked everywhere', async () => {
    expect(await leaks({ k: HALVES.join('').slice(0, 17), Y7N: 1 }, AWS)).toEqual([]);
  });
});

describe('empty strings as places: a value’s pieces three places apart in document order', () => {
  const [A, B] = HALVES;
  const request = (input: Record<string, unknown>) => ({
    model: 'echo-1',
    max_tokens: 5,
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
    ],
  });
  const answer = (input: Record<string, unknown>) => ({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'x',
    content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input }],
    stop_reason: 'tool_use',
    stop_sequence: null,
  });
  const both = async (input: Record<string, unknown>) => ({
    forwarded: holdsBoth(await forwarded('anthropic.messages', request(input))),
    relayed: holdsBoth(await screened('anthropic.messages', answer(input))),
  });
  // HOLE (closed, H14 classification/readable-spans.ts isBlank, read by document-pairs.ts and
  // pipeline/answer-document-order.ts documentPlaces: a blank string is read past as a label is):
  // the document-order reading skips numbers, null, brackets and closed labels, but an empty string is a place like
  // any value, and each place is read with the next two only: two empty strings between a value and the next name
  // (`"a":"AKIAZ3MQWX","b":"","c":"","R5TLPB6Y7N":1`), or between two names, put the pieces three places apart, and
  // the value reading orders never pair a value with a name. Round 6's `null` between is read; `""` carries no more.
  // Fix: skip a string with no letter or digit (empty, or only spaces and punctuation) as a place, as null is skipped
  // (or mark it a label, so the pairing past labels reads over it).
  it.each([
    ['a value, two empty strings, then a name', { a: A, b: '', c: '', [B]: 1 }],
    ['a name, two empty strings, then a name', { [A]: '', b: '', [B]: 1 }],
    ['a name over an object of two empty strings, then a value', { [A]: { b: '', c: '' }, d: B }],
  ])('tool input: %s is neither forwarded nor relayed', async (_name, input) => {
    expect(await both(input)).toEqual({ forwarded: false, relayed: false });
  });
  it('control: one empty string between, and empty strings between two values, are blocked both ways', async () => {
    expect(await both({ a: A, b: '', [B]: 1 })).toEqual({ forwarded: false, relayed: false });
    expect(await both({ a: A, b: '', c: '', d: B })).toEqual({ forwarded: false, relayed: false });
  });
});

describe('a number between two pieces inside a JSON text (tool-call arguments)', () => {
  const STRIPE = ['sk_live_', '4eC39HqLyjWDarjtT1zdp7dc'] as const;
  const call = { id: 'call_1', type: 'function' };
  const chatRequest = (args: string) => ({
    model: 'echo-1',
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: null, tool_calls: [{ ...call, function: { name: 'f', arguments: args } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ],
  });
  const chatAnswer = (args: string) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ ...call, function: { name: 'f', arguments: args } }],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ],
  });
  const responsesAnswer = (args: string) => ({
    id: 'resp_1',
    object: 'response',
    created_at: 0,
    status: 'completed',
    model: 'gpt-4o-mini',
    output: [{ type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: args, status: 'completed' }],
  });
  const streamed = (args: string): ScriptedEvent[] => [
    chunkOf({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, ...call, function: { name: 'f', arguments: args } }],
    }),
    chunkOf({}, 'tool_calls'),
    { data: '[DONE]' },
  ];
  const chunkOf = (delta: Record<string, unknown>, finish: string | null = null): ScriptedEvent => ({
    data: {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 0,
      model: 'g',
      choices: [{ index: 0, delta, finish_reason: finish }],
    },
  });
  /** Where both pieces reach a reader: forwarded, relayed by the chat or Responses screen, relayed by a chat stream. */
  async function whole(args: string, pieces: readonly string[]) {
    const all = (out: string) => pieces.every((p) => out.includes(p));
    const { out } = await relayScripted(
      CHAT,
      { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
      streamed(args),
      RULES,
    );
    return {
      forwarded: all(await forwarded(CHAT, chatRequest(args))),
      chat: all(await screened(CHAT, chatAnswer(args))),
      responses: all(await screened('openai.responses', responsesAnswer(args))),
      stream: all(out),
    };
  }
  const NONE = { forwarded: false, chat: false, responses: false, stream: false };
  // HOLE (closed, H14 classification/readable-spans.ts strings, segment-join.ts valuePairs: two strings of a JSON
  // text are also paired past the numbers between them). Was (readable-spans.ts spansOf; the stream scanner reads the
  // same spans): a JSON text's numbers are values its pairs are read with, so a number between two pieces keeps them
  // from being a pair: `{"AKIAZ3MQWX":1,"R5TLPB6Y7N":2}`, `{"a":"AKIAZ3MQWX","n":5,"R5TLPB6Y7N":1}` and Stripe's
  // `{"sk_live_":1,"4eC39H…":2}` as tool-call arguments are forwarded, relayed by both answer screens and streamed.
  // Round 6 closed the same split in parsed JSON (an Anthropic tool input, an answer's own members: numbers are
  // skipped by the document-order reading); `null` or `true` between is read over here too. Fix: read each string
  // (value or valueLike name) of a JSON text also with the next string past numbers, as the document order does.
  it.each([
    ['two names with a number between', '{"AKIAZ3MQWX":1,"R5TLPB6Y7N":2}', HALVES],
    ['a value, a number member, then a name', '{"a":"AKIAZ3MQWX","n":5,"R5TLPB6Y7N":1}', HALVES],
    ['a Stripe prefix and body as names with a number between', '{"sk_live_":1,"4eC39HqLyjWDarjtT1zdp7dc":2}', STRIPE],
  ])('%s reaches no reader', async (_name, args, pieces) => {
    expect(await whole(args, pieces)).toEqual(NONE);
  });
  it('control: null or true between, and a name opening an object, are read over everywhere', async () => {
    for (const args of ['{"AKIAZ3MQWX":null,"R5TLPB6Y7N":2}', '{"a":"AKIAZ3MQWX","b":true,"c":"R5TLPB6Y7N"}']) {
      expect(await whole(args, HALVES)).toEqual(NONE);
    }
    expect(await whole('{"AKIAZ3MQWX":{"R5TLPB6Y7N":1}}', HALVES)).toEqual(NONE);
  });
});

describe('controls: session 8’s caches and batches', () => {
  it('a closed token first seen clean (`sk_live_`) is still read as a piece of a Stripe key after it', async () => {
    const ask = (...texts: string[]) => ({
      model: 'echo-1',
      messages: [{ role: 'user', content: texts.map((text) => ({ type: 'text', text })) }],
    });
    expect(await forwarded(CHAT, ask('sk_live_'))).toContain('sk_live_');
    expect(await forwarded(CHAT, ask('sk_live_', '4eC39HqLyjWDarjtT1zdp7dc'))).toBe('');
  });
  it('a key split over two turns is found wherever its window falls among the 2 KB batches of other windows', () => {
    const missed: string[] = [];
    for (let decoys = 0; decoys < 40; decoys += 3) {
      for (const pad of [0, 31, 250]) {
        const turn = (i: number, text: string) => ({ path: `messages[${i}].content`, text, location: 'user' });
        const before = Array.from({ length: decoys }, (_, i) => turn(i, `lorem ipsum dolor ${i} ${'x'.repeat(pad)}`));
        const after = Array.from({ length: decoys }, (_, i) =>
          turn(decoys + 2 + i, `sit amet ${i} ${'w'.repeat(pad)}`),
        );
        const split = [turn(decoys, `${'y'.repeat(pad)} key ${HALVES[0]}`), turn(decoys + 1, `${HALVES[1]} ok`)];
        const { findings } = classifier.classify([...before, ...split, ...after]);
        if (!findings.some((f) => f.type === 'AWS_ACCESS_KEY')) missed.push(`${decoys}/${pad}`);
      }
    }
    expect(missed).toEqual([]);
  });
});

describe('a card’s groups over bracketed lists with other syntax between (digit-lists.ts listChain, 1d1d10d)', () => {
  /** 378282246310005 (an American Express test number) as tool-call arguments (a JSON text), then as a tool input. */
  const chat = (args: string) => ({
    model: 'echo-1',
    messages: [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: args } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ],
  });
  const anthropic = (input: unknown) => ({
    model: 'echo-1',
    max_tokens: 5,
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
    ],
  });
  // HOLE (closed for JSON texts, H14 classification/digit-lists.ts isListGapCode, MAX_LIST_GAP): consecutive lists
  // were one list only when at most 32 characters of whitespace, `,` `:` `=` quotes, letters and `_` stood between
  // them, so a name with a `-`, an object opened between (`"b":{"c":[10005]}`) or a name of 33 characters broke the
  // chain. Now up to 256 characters of those, `-`, `{` and `}` (and an object of strings between) are read past.
  it.each([
    ['a name with a hyphen between (arguments)', chat('{"a":[3782,822463],"b-c":[10005]}')],
    ['an object opened between (arguments)', chat('{"a":[3782,822463],"b":{"c":[10005]}}')],
    ['a 43-character name between (arguments)', chat(`{"a":[3782,822463],"${'n'.repeat(43)}":[10005]}`)],
  ])('a card over two lists with %s is refused', async (_name, body) => {
    expect(await forwarded(CHAT, body)).toBe('');
  });
  // HOLE (closed, classification/number-lists.ts): as an Anthropic tool input (parsed JSON: no JSON text the digits
  // view reads, listChain did not apply) a string member between the lists kept the groups apart, and the input was
  // forwarded. Now a parsed value's number lists are written as its JSON text's lists (`[3782,822463],[10005]` when
  // the segments between are what listChain reads past) in one more window, findings on the number segments.
  it('a card over two lists with a string member between (tool input) is refused', async () => {
    expect(await forwarded('anthropic.messages', anthropic({ a: [3782, 822463], b: 'x', c: [10005] }))).toBe('');
  });
  it('control: the lists side by side, a short name between or lists nested one level are refused', async () => {
    for (const args of ['{"a":[3782,822463],"b":[10005]}', '{"a":[[3782,822463]],"b":[[10005]]}']) {
      expect(await forwarded(CHAT, chat(args))).toBe('');
      expect(await forwarded('anthropic.messages', anthropic(JSON.parse(args)))).toBe('');
    }
  });
});
