// Round 3 of the attacker's review: channels the earlier suites do not try. Numbers an upstream reports that enter the
// record (usage counts, a gateway's cost header), numbers in answers a client reads as digits, request encodings at the
// byte level, and the cost of a hostile answer. Holes found and not closed are `it.fails` with a comment naming the
// hole, so CI stays green until someone closes them.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answerJson } from '../../src/dev/echo-answers.ts';
import { readFileSync } from 'node:fs';
import { createClassifierPool } from '../../src/classification/worker-pool.ts';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { createSseDecoder } from '../../src/pipeline/stream-sse.ts';
import { relayStream } from '../../src/pipeline/stream-relay.ts';
import { adapterFor } from '../../src/providers/index.ts';
import { servedBy } from '../../src/upstreams/attribution.ts';
import { ANSWER_KEY, allFragmentsIn, leaksIn, SSN } from './leaks.ts';
import { gzipSync } from 'node:zlib';
import { classifier, recordingPipeline } from './recording-pipeline.ts';
import { receivedPayloads, relayScripted } from './relay-harness.ts';
import { chatAnswer, chatChunk, chatToolRequest } from './fixtures.ts';
import { promptBody, respCall } from './request-bodies.ts';
import { startAdversarialStack, type AdversarialStack } from './stack.ts';

vi.setConfig({ maxConcurrency: 8 });

/** A Luhn-valid 15-digit card (American Express test number): the classifier finds it bare. */
const AMEX = '378282246310005';
const AMEX_PLANT = { label: 'CREDIT_CARD', value: AMEX };
const RULES = { redact: ['EMAIL', 'US_SSN', 'CREDIT_CARD'], block: ['AWS_ACCESS_KEY'] };

describe('a gateway cost header is a number the record keeps', () => {
  const names = { cost_usd: 'x-litellm-response-cost' };
  // HOLE (closed): `x-litellm-response-cost: 378282246.310005` passed the decimal form (9 integer digits, 18
  // fraction digits) and was recorded as cost_micro_usd 378282246310005: a card number in the signed, immutable
  // outcome record, chosen by the upstream. A cost past $1,000 (ten micro-dollar digits) is now not recorded.
  it('a card number written as a dollar amount is not recorded', () => {
    const served = servedBy('litellm', names, { 'x-litellm-response-cost': '378282246.310005' }, {}, classifier);
    expect(JSON.stringify(served)).not.toContain(AMEX);
  });
  it('control: a plausible cost is recorded in micro-dollars', () => {
    const served = servedBy('litellm', names, { 'x-litellm-response-cost': '0.000123' }, {}, classifier);
    expect(served.cost_micro_usd).toBe(123);
  });
});

describe('answers: numbers a client reads as digits', () => {
  const chat = adapterFor('openai.chat_completions');
  const answer = (extra: Record<string, unknown>) => ({
    ...(answerJson('chat', promptBody('chat', 'hi'), 'r3') as Record<string, unknown>),
    ...extra,
  });
  it('a card number as an integer in an unknown field is redacted', async () => {
    const screen = await screenResponse(chat, classifier, answer({ extra: Number(AMEX) }), RULES);
    expect(leaksIn(JSON.stringify(screen.body), [AMEX_PLANT])).toEqual([]);
  });
  it('a card number as an integer written with an exponent is redacted (parsed as the integer)', async () => {
    const body = JSON.parse(`{"extra": 3.78282246310005e14}`) as Record<string, unknown>;
    const screen = await screenResponse(chat, classifier, answer(body), RULES);
    expect(leaksIn(JSON.stringify(screen.body), [AMEX_PLANT])).toEqual([]);
  });
});

let stack: AdversarialStack;

beforeAll(async () => {
  stack = await startAdversarialStack('round3');
});
afterAll(async () => {
  await stack?.close();
});

describe('usage an upstream reports enters the record', () => {
  const scripted = (id: string, usage: unknown) =>
    stack.upstream.script(id, (api, body) => ({
      status: 200,
      json: { ...(answerJson(api, body, id) as Record<string, unknown>), usage },
    }));

  // HOLE (closed): readUsage takes any safe integer the upstream reports; the answer screen redacts the number in what
  // the client receives, but the outcome record kept usage as reported (and settled on it). Implausible counts are now
  // recorded as no usage (pipeline/outcome.ts plausibleUsage): settled on the estimate.
  it('a card number as prompt_tokens is kept out of the record', async () => {
    scripted('usagecard', { prompt_tokens: Number(AMEX), completion_tokens: 1, total_tokens: Number(AMEX) + 1 });
    const x = await stack.send('chat', promptBody('chat', 'case-usagecard hi'));
    expect(x.status).toBeLessThan(500);
    expect(leaksIn(await stack.records(), [AMEX_PLANT])).toEqual([]);
  });
  it('negative usage neither crashes the request nor goes unrecorded', async () => {
    scripted('usageneg', { prompt_tokens: -1000000, completion_tokens: -5, total_tokens: -1000005 });
    const x = await stack.send('chat', promptBody('chat', 'case-usageneg hi'));
    const records = await stack.records();
    expect({ status: x.status, recorded: records.includes(x.requestId) }).toMatchObject({ recorded: true });
    expect(x.status).not.toBe(500);
  });
});

/** Runs one request body (an object, or bytes as written) through the in-process pipeline. */
async function request(api: string, body: unknown) {
  const { handler, sent, records } = await recordingPipeline();
  const bytes = typeof body === 'string' ? body : JSON.stringify(body);
  const reply = await handler.handle({
    requestId: 'r3',
    api: api as Parameters<typeof handler.handle>[0]['api'],
    headers: {},
    body: new TextEncoder().encode(bytes),
  });
  return { status: reply.status, upstream: sent.join('\n'), records: records.join('\n') };
}
const CHAT = 'openai.chat_completions';
const said = (content: unknown, extra: Record<string, unknown> = {}) => ({
  model: 'echo-1',
  messages: [{ role: 'user', content }],
  ...extra,
});
/** A user message of text parts, one a text. */
const parts = (...texts: string[]) => said(texts.map((text) => ({ type: 'text', text })));
const toolTurn = (args: string) => chatToolRequest(args, 'c1');

describe('requests: numbers and encodings at the byte level', () => {
  // HOLE (closed): a parameter number was classified only from 10^8 up, so a fraction written with a card's fifteen
  // digits (`temperature: 0.378282246310005`) went upstream unclassified. Now every number whose JSON text spells
  // nine digits or more is classified (providers/shape-walk.ts).
  it('a card number as the digits of a fraction (temperature) is not forwarded', async () => {
    const x = await request(CHAT, said('card follows', { temperature: 0.378282246310005 }));
    expect(leaksIn(x.upstream, [AMEX_PLANT])).toEqual([]);
    expect(x.status).toBe(403);
  });
  it('control: an ordinary temperature (and a float artefact of 17 digits) is forwarded', async () => {
    const x = await request(CHAT, said('hello', { temperature: 0.1 + 0.2 }));
    expect(x.upstream).toContain('0.30000000000000004');
  });
  it('a key behind __proto__ spelled with JSON escapes is refused', async () => {
    const proto = '\\u005f\\u005fproto\\u005f\\u005f';
    const body = `{"model":"echo-1","messages":[{"role":"user","content":"hi"}],"${proto}":{"x":1}}`;
    expect((await request(CHAT, body)).status).toBe(400);
  });
  it('duplicate keys: the value inspected is the value forwarded (the last one)', async () => {
    const body = `{"model":"echo-1","messages":[{"role":"user","content":"AKIAZ3MQWXR5TLPB6Y7N","content":"hi"}]}`;
    const x = await request(CHAT, body);
    expect(x.upstream).not.toContain('AKIA');
    expect(x.upstream).toContain('"hi"');
  });
  it.each([
    ['service_tier', { service_tier: 'AKIAZ3MQWXR5TLPB6Y7N' }],
    ['metadata', { metadata: { k: 'v' } }],
    ['user', { user: 'anna' }],
    ['a top-level number written as 1e400', { max_tokens: '__INF__' }],
  ])('chat: %s is refused', async (_name, extra) => {
    const text = JSON.stringify(said('hi', extra)).replace('"__INF__"', '1e400');
    expect((await request(CHAT, text)).status).toBe(400);
  });
  it.each([
    ['openai.responses', { model: 'echo-1', input: [{ type: 'item_reference', id: 'x' }] }],
    ['openai.responses', { model: 'echo-1', input: 'hi', include: ['x'] }],
    ['openai.responses', { model: 'echo-1', input: 'hi', prompt_cache_key: 'x' }],
    [
      'openai.responses',
      { model: 'echo-1', input: [{ role: 'user', content: [{ type: 'input_file', file_data: 'QQ==' }] }] },
    ],
    [
      'anthropic.messages',
      {
        model: 'echo-1',
        max_tokens: 5,
        messages: [
          {
            role: 'user',
            content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }],
          },
        ],
      },
    ],
    [
      'anthropic.messages',
      {
        model: 'echo-1',
        max_tokens: 5,
        messages: [
          {
            role: 'user',
            content: [{ type: 'search_result', source: 's', title: 't', content: [{ type: 'text', text: 'x' }] }],
          },
        ],
      },
    ],
    [
      'anthropic.messages',
      { model: 'echo-1', max_tokens: 5, container: 'x', messages: [{ role: 'user', content: 'hi' }] },
    ],
    ['openai.embeddings', { model: 'echo-1', input: 'hi', encoding_format: 'x' }],
  ])('rarely used content or fields are refused (%s)', async (api, body) => {
    expect((await request(api, body)).status).toBe(400);
  });
  it('a key in a JSON string inside a JSON string inside tool arguments, zero-width spaced, is refused', async () => {
    const inner = JSON.stringify({ k: [...'AKIAZ3MQWXR5TLPB6Y7N'].join('\u200b') });
    const x = await request(CHAT, toolTurn(JSON.stringify({ a: JSON.stringify({ b: inner }) })));
    expect(x.status).toBe(403);
  });
  // HOLE (closed, digit view): a card written as a JSON integer array in text the model reads (chat tool arguments
  // are a JSON string: `{"n":[4111,1111,1111,1111]}`, or Amex's own 4-6-5 grouping `[3782,822463,10005]`) was no
  // finding: a comma separated the groups. Answers read integer arrays inside a parsed JSON object (answer-json.ts
  // integerTexts), but a JSON text inside a string was not parsed. Now the digits view (digit-view.ts listRewrites)
  // reads a bracketed list of numbers (bare or quoted, inner lists flattened) as one number when its numbers are
  // exactly a card's groups (2-5 numbers, 13-19 digits, 4-4-4-4, 4-6-5 or 4-6-4); the card recognizer still needs an
  // issuer range and Luhn, so other lists (times, versions, coordinates, SSN-shaped triples) stay apart.
  it('a card as a JSON integer array in chat tool arguments is not forwarded', async () => {
    const x = await request(CHAT, toolTurn('{"n":[3782,822463,10005]}'));
    expect(leaksIn(x.upstream, [AMEX_PLANT])).toEqual([]);
  });
  it.each([
    ['spaced', '{"n": [3782, 822463, 10005]}'],
    ['pretty-printed', '{\n  "n": [\n    3782,\n    822463,\n    10005\n  ]\n}'],
    ['nested', '{"n":[[3782],[822463],[10005]]}'],
    ['quoted groups', '{"n":["3782","822463","10005"]}'],
    ['mixed, deeper', '{"a":{"b":[["3782"],822463,[[10005]]]}}'],
    ['inside a longer list', '{"n":[1,[3782,822463,10005],2]}'],
    ['Visa 4-4-4-4', '{"n":[4111,1111,1111,1111]}'],
    ['in a JSON string in the arguments', JSON.stringify({ a: JSON.stringify({ n: [3782, 822463, 10005] }) })],
  ])('a card as a list in chat tool arguments is not forwarded (%s)', async (_, args) => {
    const x = await request(CHAT, toolTurn(args));
    expect(leaksIn(x.upstream, [AMEX_PLANT, { label: 'VISA', value: '4111111111111111' }])).toEqual([]);
  });
  it('a card as a list in a message and in Anthropic tool_use input is not forwarded', async () => {
    const inText = await request(CHAT, said('numbers: [3782, 822463, 10005]'));
    expect(leaksIn(inText.upstream, [AMEX_PLANT])).toEqual([]);
    const toolUse = await request('anthropic.messages', {
      model: 'echo-1',
      max_tokens: 5,
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 't1', name: 'f', input: { n: [3782, 822463, 10005] } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
      ],
    });
    expect(leaksIn(toolUse.upstream, [AMEX_PLANT])).toEqual([]);
    const call = await request('openai.responses', {
      model: 'echo-1',
      input: respCall({ arguments: '{"n": ["3782", "822463", "10005"]}' }, { output: '[3782, 822463, 10005]' }),
    });
    expect(leaksIn(call.upstream, [AMEX_PLANT])).toEqual([]);
  });
  it('control: ordinary lists of numbers in tool arguments are forwarded as they are', async () => {
    const args = JSON.stringify({
      times: ['12:30', '13:45'],
      version: [1, 2, 3],
      coordinates: [
        [40.7128, -74.006],
        [51.5072, -0.1276],
      ],
      ports: [5432, 6379, 8080, 9200, 3000],
      ids: [4111, 1111, 1111, 1112],
      triple: [123, 45, 6789],
      ssnish: [219, 9, 9999],
      stamp: [2026, 12, 6, 14, 45, 37],
      sizes: [1920, 1080, 2560, 1440],
    });
    const x = await request(CHAT, toolTurn(args));
    expect(x.upstream).toContain(JSON.stringify(args));
  });
  // LIMIT (closed, H14 classification/digit-lists.ts listChain): a list was read only as a whole card; a card whose
  // groups are spread over two lists (two arguments) or two segments was forwarded. Now consecutive outermost lists
  // (at most 32 characters of a member's name and syntax between) are read as one in document order; Luhn and the
  // issuer range still decide. Still open: a list holding more than the card's groups (`[4111, …, 12, 28]`).
  it('a card split over two arrays of tool arguments is not forwarded', async () => {
    const x = await request(CHAT, toolTurn('{"a":[3782,822463],"b":[10005]}'));
    expect(allFragmentsIn(x.upstream, ['3782', '822463', '10005'])).toBe(false);
  });
  it('a card split over two lists in two text parts, or three arguments, is not forwarded', async () => {
    const split = await request(CHAT, parts('[4111, 1111]', '[1111, 1111]'));
    expect(allFragmentsIn(split.upstream, ['4111, 1111', '1111, 1111'])).toBe(false);
    const three = await request(CHAT, toolTurn('{"a":[4111],"b":[1111, 1111],"c":["1111"]}'));
    expect(allFragmentsIn(three.upstream, ['4111', '1111, 1111', '"1111"'])).toBe(false);
  });
  it('control: two lists whose numbers fail Luhn or the issuer range, or with a number between, are forwarded', async () => {
    for (const args of [
      '{"a":[4111,1111],"b":[1111,1112]}',
      '{"a":[9111,1111],"b":[1111,1111]}',
      '{"a":[4111,1111],"n":7,"b":[1111,1111]}',
    ]) {
      const x = await request(CHAT, toolTurn(args));
      expect(x.upstream).toContain(JSON.stringify(args));
    }
  });
  // HOLE (closed, segment join): a label in one segment and the bare digits in the next were not read together: "my
  // ssn is" + "219099999" (two text parts, or two messages) went upstream, while "my ssn is 219099999" in one text is
  // refused. The joined window "my ssn is219099999" found it, but piecesAcross (segment-join.ts) dropped a finding
  // inside one piece (taken as found in its segment already). Now (classifier.ts scanAll, segment-join.ts pieceBeside)
  // a window's one-piece finding is kept when its recognizer requires context, the value is within that context's
  // reach of a neighbour glued to it, its segment alone found no value of that type there, and the window did not
  // cut it out of a longer word or number.
  it('an unseparated SSN in a text part after a part that names it is not forwarded', async () => {
    const x = await request(CHAT, parts('my ssn is', '219099999'));
    expect(x.upstream).not.toContain('219099999');
  });
  it.each([
    [
      'two user messages',
      [
        { role: 'user', content: 'my ssn is' },
        { role: 'user', content: '219099999' },
      ],
    ],
    [
      'the label after the value',
      [
        { role: 'user', content: '219099999' },
        { role: 'user', content: 'that is my ssn' },
      ],
    ],
    [
      'a turn of the assistant between',
      [
        { role: 'user', content: 'my ssn is' },
        { role: 'assistant', content: 'go on' },
        { role: 'user', content: '219099999' },
      ],
    ],
  ])('an SSN named in another message is not forwarded (%s)', async (_, messages) => {
    const x = await request(CHAT, { model: 'echo-1', messages });
    expect(x.upstream).not.toContain('219099999');
  });
  it('a passport number in the text part after a label that ends in a letter is not forwarded', async () => {
    const x = await request(CHAT, parts('my passport number is', 'A12345678'));
    expect(x.upstream).not.toContain('A12345678');
  });
  it('an SSN as the `seed` after a message that names it is not forwarded', async () => {
    const x = await request(CHAT, said('my ssn is', { seed: 2.19099999e8 }));
    expect(x.upstream).not.toMatch(/219099999|2\.19099999e\+?8/);
  });
  it('a date of birth named in the text part before is not forwarded', async () => {
    const x = await request(CHAT, parts('date of birth:', '1984-07-02'));
    expect(x.upstream).not.toContain('1984-07-02');
  });
  it('control: nine digits after a part that names something else, or a label far before, are forwarded', async () => {
    for (const [label, value] of [
      ['my order number is', '219099999'],
      ['my ssn is', `${'and then '.repeat(8)}219099999`],
    ] as const) {
      const x = await request(CHAT, parts(label, value));
      expect(x.upstream).toContain('219099999');
    }
  });
  // HOLE (closed, recognizers-secrets.ts AWS_ACCESS_KEY_LOWER): an AWS key written in lower case is no
  // finding (`akiaz3mqwxr5tlpb6y7n`); a model asked to upper-case it restores it. Fix: match the AKIA/ASIA/... prefix
  // case-insensitively when the whole 20-character run is one case and upper-case it for the fingerprint (cost: a
  // lower-case 20-character token starting `akia` is rare in prose).
  it('an AWS key in lower case is not forwarded', async () => {
    const x = await request(CHAT, said('akiaz3mqwxr5tlpb6y7n'));
    expect(x.status).toBe(403);
  });
  it('control: the same SSN in one text part is refused', async () => {
    expect((await request(CHAT, said('my ssn is 219099999'))).status).toBe(403);
  });
});

describe('answers: digits a client reads that the screen does not', () => {
  const chat = adapterFor('openai.chat_completions');
  const reply = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id: 'r3',
    object: 'chat.completion',
    created: 0,
    model: 'echo-1',
    choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: 'stop' }],
    ...extra,
  });
  // HOLE (closed, answer-json.ts): only integers of 13 digits or more were answer segments, so a card's digits written
  // as a fraction (`"score": 0.378282246310005`) reached the client unscreened. Now a number written with nine digits
  // or more is a segment, as on the request side, except in an embeddings answer's `data[].embedding` vectors (floats
  // of 16-17 digits: about one in fifty reads as a Luhn-valid card), where only integers of 13 digits or more are.
  it('a card number as the digits of a fraction in an unknown field is redacted', async () => {
    const screen = await screenResponse(
      chat,
      classifier,
      reply({ content: 'ok' }, { score: 0.378282246310005 }),
      RULES,
    );
    expect(leaksIn(JSON.stringify(screen.body), [AMEX_PLANT])).toEqual([]);
  });
  // HOLE (closed, digit view; the request-side twin is above): a card as a JSON integer array inside the arguments
  // string of a chat tool call was no finding, though an array in a parsed object is (answer-json.ts integerTexts).
  it("a card as a JSON integer array in a tool call's arguments is redacted", async () => {
    const call = { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"n":[3782,822463,10005]}' } };
    const screen = await screenResponse(chat, classifier, reply({ tool_calls: [call] }), RULES);
    expect(leaksIn(JSON.stringify(screen.body), [AMEX_PLANT])).toEqual([]);
  });
  it.each([
    ['spaced', '{"n": [3782, 822463, 10005]}'],
    ['nested', '{"n":[[3782],[822463],[10005]]}'],
    ['quoted groups', '{"n":["3782","822463","10005"]}'],
  ])("a card as a list in a tool call's arguments is redacted (%s)", async (_, args) => {
    const call = { id: 'c1', type: 'function', function: { name: 'f', arguments: args } };
    const screen = await screenResponse(chat, classifier, reply({ tool_calls: [call] }), RULES);
    expect(screen.action).toBe('redacted');
    expect(leaksIn(JSON.stringify(screen.body), [AMEX_PLANT])).toEqual([]);
  });
  it("control: a tool call's arguments with ordinary lists are relayed as they came", async () => {
    const args = '{"at":["12:30","13:45"],"v":[1,2,3],"xy":[40.7128,-74.006],"ids":[4111,1111,1111,1112]}';
    const call = { id: 'c1', type: 'function', function: { name: 'f', arguments: args } };
    const screen = await screenResponse(chat, classifier, reply({ tool_calls: [call] }), RULES);
    expect(screen.action).toBe('none');
  });
  it('an embeddings answer: a vector of floats is relayed as it came, a card as a fraction elsewhere is redacted', async () => {
    const embeddings = adapterFor('openai.embeddings');
    const vector = [0.378282246310005, -0.0123, 0.5];
    const answer = {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: vector }],
      model: 'echo-1',
      usage: { prompt_tokens: 1, total_tokens: 1 },
    };
    const plain = await screenResponse(embeddings, classifier, answer, RULES);
    expect(plain.action).toBe('none');
    expect((plain.body as typeof answer).data[0]?.embedding).toEqual(vector);
    const elsewhere = { ...answer, data: [{ object: 'embedding', index: 0, embedding: [0.5] }] };
    const outside = await screenResponse(embeddings, classifier, { ...elsewhere, score: 0.378282246310005 }, RULES);
    expect(outside.action).toBe('redacted');
    expect(leaksIn(JSON.stringify(outside.body), [AMEX_PLANT])).toEqual([]);
    // The same float in the same place of a chat answer is no vector: screened.
    const chatScreen = await screenResponse(chat, classifier, reply({ content: 'ok' }, { data: answer.data }), RULES);
    expect(leaksIn(JSON.stringify(chatScreen.body), [AMEX_PLANT])).toEqual([]);
  });
  // HOLE (closed, answer-json.ts integerTexts): an array of integers in a parsed answer was read with its numbers split
  // by spaces, so three numbers shaped 3-2-4 (`"sizes": [512, 64, 1024]`) read as the SSN `512 64 1024` and blocked
  // the answer, while the same list in a request is no finding. The array is now read as the bracketed list it is.
  it('an SSN in the text block after the block that names it is redacted (Anthropic answer)', async () => {
    const body = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'c',
      content: [
        { type: 'text', text: 'the ssn on file is' },
        { type: 'text', text: '219099999' },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    };
    const screen = await screenResponse(adapterFor('anthropic.messages'), classifier, body, RULES);
    expect(JSON.stringify(screen.body)).not.toContain('219099999');
  });
  it('control: ordinary integer arrays in a parsed answer are relayed as they came', async () => {
    const extra = { sizes: [512, 64, 1024], at: [2026, 12, 6, 14, 45, 37], ids: [4111, 1111, 1111, 1112] };
    const screen = await screenResponse(chat, classifier, reply({ content: 'ok' }, extra), RULES);
    expect(screen.action).toBe('none');
  });
  it('control: the same array in a parsed object (an unknown field) is withheld', async () => {
    const screen = await screenResponse(
      chat,
      classifier,
      reply({ content: 'ok' }, { n: [3782, 822463, 10005] }),
      RULES,
    );
    expect(leaksIn(JSON.stringify(screen.body), [AMEX_PLANT])).toEqual([]);
  });
});

describe("streams: a card as a list in a tool call's streamed arguments", () => {
  const call = { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } };
  const note = `{"note":"${'word '.repeat(80)}",`;
  // HOLE (closed, stream-view-hold.ts trailingRunStart + digit-view.ts openListStart): a list's first groups were
  // released before its last arrived when they were quoted (`"3782", "822463", ` then `"10005"]`): the client got the
  // first ten digits and a placeholder for the rest. A bracketed list still open at the end of the held text is held.
  it.each([
    ['bare', ['{"n":[3782,', '822463,', '10005]}']],
    ['spaced, after a long value', [`${note}"n":[3782, `, '822463, ', '10005]}']],
    ['quoted, after a long value', [`${note}"n":["3782", `, '"822463", ', '"10005"]}']],
    ['quoted, a zero-width space between', ['{"n":["3782",\u200b', ' "822463",', ' "10005"]}']],
    ['nested', ['{"n":[[3782],', '[822463],', '[10005]]}']],
    ['one token a delta', ['{"n":[', '3782', ', ', '822463', ', ', '10005', ']}']],
    ['cut inside the groups', ['{"n":[3782', ',822463,1', '0005]}']],
    ['pretty-printed', ['{"n":[ 3782 ,\n', ' 822463 ,\n', ' 10005 ]}']],
  ])('is redacted before any group reaches the client (%s)', async (_, deltas) => {
    const { result, out } = await relayScripted(
      'openai.chat_completions',
      { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
      [
        chatChunk({ role: 'assistant', tool_calls: [call] }),
        ...deltas.map((a) => chatChunk({ tool_calls: [{ index: 0, function: { arguments: a } }] })),
        chatChunk({}, 'tool_calls'),
        { data: '[DONE]' },
      ],
      RULES,
    );
    expect(result.error).toBeNull();
    const received = receivedPayloads(out)
      .flatMap((event) => (event.choices as { delta: { tool_calls?: { function: { arguments?: string } }[] } }[]) ?? [])
      .map((choice) => choice.delta.tool_calls?.[0]?.function.arguments ?? '')
      .join('');
    expect(received).toContain('[CREDIT_CARD_1]');
    expect(received).not.toMatch(/3782|822463|10005/);
  });
});

describe('answers: the cost of screening a hostile answer', () => {
  const chat = adapterFor('openai.chat_completions');
  const withItems = (items: unknown[]) => ({
    id: 'r3',
    object: 'chat.completion',
    created: 0,
    model: 'echo-1',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    x: items,
  });
  // HOLE (closed, answer-json.ts ANSWER_MAX_NODES and response-screen.ts maxFindings): an answer's walk had a depth
  // limit but no size limit, and its classification no findings cap. Measured in process: 10^6 objects `{"a":"b"}` (10
  // MB) cost 20 s and 1.2 GB to screen (2·10^6 segments, each with a path string and a step chain; the walk alone 2 s
  // on the event loop, the classifier ~10 µs per segment); 10^5 e-mail addresses (1.2 MB) 1.6 s and 10^5 findings kept.
  // The answer cap is 32 MB, so one hostile upstream answer can hold the event loop for seconds and exhaust the heap
  // (every request in the process fails). Fix: a node budget in answerSegments (e.g. 100,000 values and keys, as
  // ANSWER_MAX_DEPTH bounds depth) throwing AnswerShapeError (502, withheld), and the request side's findings cap for
  // answers (classify with maxFindings; a redact type over the cap blocks, as handle-request.ts does for requests).
  it('an answer of 100,000 tiny objects is withheld instead of walked and classified whole', async () => {
    const screen = await screenResponse(
      chat,
      classifier,
      withItems(Array.from({ length: 100_000 }, () => ({ a: 'b' }))),
      RULES,
    );
    expect(screen.blocked?.error).toBe('ERR_UPSTREAM_BAD_RESPONSE');
  });
  it('an answer of 1,000 e-mail addresses keeps 256 findings, counts every one, and is withheld', async () => {
    const emails = Array.from({ length: 1_000 }, (_, i) => `u${i}@contoso-mail.com`);
    const screen = await screenResponse(chat, classifier, withItems(emails), RULES);
    expect(screen.classification?.types.EMAIL).toBe(1_000);
    expect(screen.blocked).toEqual({ types: ['EMAIL'], error: 'ERR_RESPONSE_BLOCKED' });
  });
  it('an answer nested a million levels deep is refused by the parser or the walk, never walked', async () => {
    let body: unknown;
    try {
      body = JSON.parse(`{"x":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`);
    } catch {
      return; // the forwarder answers 502 for a body it cannot parse
    }
    const screen = await screenResponse(chat, classifier, body, RULES);
    expect(screen.blocked?.error).toBe('ERR_UPSTREAM_BAD_RESPONSE');
  });
});

/** Relays raw upstream SSE bytes (framing as written, in the chunks given) through the real relay for chat. */
async function relayRaw(chunks: readonly string[]) {
  const adapter = adapterFor('openai.chat_completions');
  const parsed = adapter.parse(Buffer.from(JSON.stringify({ ...said('hi'), stream: true })));
  async function* upstream() {
    for (const c of chunks) yield Buffer.from(c, 'utf8');
  }
  let out = '';
  const sink = {
    open: () => {},
    write: async (t: string) => void (out += t),
    end: () => {},
    signal: new AbortController().signal,
  };
  const session = (adapter.openStream as NonNullable<typeof adapter.openStream>)(parsed);
  const result = await relayStream({
    events: upstream(),
    session,
    sink,
    classifier,
    rules: RULES,
    estimatedPromptTokens: 1,
  });
  return { error: result.error, out: out + (result.finalEvent === null ? '' : JSON.stringify(result.finalEvent)) };
}
const KEY = { label: 'AWS_ACCESS_KEY', value: 'AKIAZ3MQWXR5TLPB6Y7N' };
const chunkOf = (delta: Record<string, unknown>, finish: string | null = null) =>
  JSON.stringify(chatChunk(delta, finish, { model: 'echo-1' }).data);

describe('streams: framing an upstream controls', () => {
  it.each([
    ['a comment line', `: ${KEY.value}\n`],
    ['an id field', `id: ${KEY.value}\n`],
    ['a retry field', `retry: ${KEY.value}\n`],
    ['an unknown field', `x-key: ${KEY.value}\n`],
  ])('%s carrying a key is never relayed', async (_name, extra) => {
    const x = await relayRaw([
      `${extra}data: ${chunkOf({ role: 'assistant', content: 'hello' })}\n\n`,
      `data: ${chunkOf({}, 'stop')}\n\ndata: [DONE]\n\n`,
    ]);
    expect(leaksIn(x.out, [KEY])).toEqual([]);
    expect(x.out).toContain('hello');
  });
  it('an event name an OpenAI stream does not use is not relayed as a name', async () => {
    const x = await relayRaw([
      `event: ${KEY.value}\ndata: ${chunkOf({ role: 'assistant', content: 'hello' })}\n\n`,
      `data: ${chunkOf({}, 'stop')}\n\ndata: [DONE]\n\n`,
    ]);
    expect(leaksIn(x.out, [KEY])).toEqual([]);
  });
  it('a key cut between two data lines of one event (joined by a newline) is blocked', async () => {
    const event = chunkOf({ role: 'assistant', content: KEY.value });
    const cut = event.indexOf('R5TL');
    const x = await relayRaw([`data: ${event.slice(0, cut)}\ndata: ${event.slice(cut)}\n\n`, 'data: [DONE]\n\n']);
    expect(leaksIn(x.out, [KEY])).toEqual([]);
  });
  it('CR-only and CRLF line ends frame the same events, and a key cut by them is still blocked', async () => {
    const [a, b] = [chunkOf({ role: 'assistant', content: 'AKIAZ3MQWX' }), chunkOf({ content: 'R5TLPB6Y7N' })];
    for (const eol of ['\r', '\r\n']) {
      const x = await relayRaw([`data: ${a}${eol}${eol}data: ${b}${eol}`, `${eol}data: [DONE]${eol}${eol}`]);
      expect(leaksIn(x.out, [KEY])).toEqual([]);
    }
  });
  // HOLE (closed, stream-sse.ts): the decoder bounded one line (maxLineBytes) but not one event: data lines without a
  // blank line between them were kept in `data` without limit (200,000 lines of 1 kB held 170 MB, and the upstream
  // could go on until its total timeout). The event being built (its data lines, its name, the line being read) now
  // counts against the limit, and past it the stream ends as a bad upstream stream.
  it('an event of endless data lines is refused once it passes the line limit', () => {
    const decoder = createSseDecoder(1024);
    const line = new TextEncoder().encode(`data: ${'y'.repeat(1000)}\n`);
    expect(() => {
      for (let i = 0; i < 100; i += 1) decoder.push(line);
    }).toThrow();
  });
  it('the relay ends a stream of endless data lines as a bad upstream stream, relaying none of it', async () => {
    const line = `data: ${'y'.repeat(1023)}\n`;
    const x = await relayRaw(Array.from({ length: 1100 }, () => line));
    expect(x.error).toBe('ERR_UPSTREAM_BAD_RESPONSE');
    expect(x.out).not.toContain('yyyy');
  });
  it('through the stack: the client gets the error event and the outcome records the bad stream', async () => {
    stack.upstream.script('sseflood', () => ({
      status: 200,
      raw: `data: ${'y'.repeat(1023)}\n`.repeat(1100),
      contentType: 'text/event-stream',
    }));
    const x = await stack.send('chat', { ...promptBody('chat', 'case-sseflood hi'), stream: true });
    expect(x.received).toContain('ERR_UPSTREAM_BAD_RESPONSE');
    expect(x.received).not.toContain('yyyy');
    const outcome = (await stack.records()).split('\n').find((r) => r.includes(x.requestId) && r.includes('"outcome"'));
    expect(outcome).toContain('ERR_UPSTREAM_BAD_RESPONSE');
  });
  // HOLE (closed, stream-sse.ts; cost, no timed test here: bench/sse-decoder.ts measures it): each push() appended to
  // `buffer` and rescanned it from its start for a line end, so one long line delivered in small chunks cost
  // quadratic time (1.8 s for a 200 kB line in 100-byte chunks, 24 s for 800 kB). Now only each new chunk is scanned
  // and an unfinished line is kept as its pieces, joined once at its end.
});

describe.concurrent('the whole stack: bytes and content types both ways', () => {
  const body = (text: string) => JSON.stringify(promptBody('chat', text));
  it('a UTF-16 body declared as such is refused and nothing goes upstream', async () => {
    const bytes = Buffer.from(`\ufeff${body(`ssn ${SSN.value}`)}`, 'utf16le');
    const x = await stack.send('chat', new Uint8Array(bytes), {
      headers: { 'content-type': 'application/json; charset=utf-16' },
    });
    expect({ status: x.status, upstream: x.upstream.length }).toEqual({ status: 400, upstream: 0 });
  });
  it('a UTF-16 body declared as plain JSON is refused and nothing goes upstream', async () => {
    const x = await stack.send('chat', new Uint8Array(Buffer.from(body(`ssn ${SSN.value}`), 'utf16le')));
    expect({ status: x.status, upstream: x.upstream.length }).toEqual({ status: 400, upstream: 0 });
  });
  it('a gzip-encoded body is refused (never inflated unread, never forwarded)', async () => {
    const x = await stack.send('chat', new Uint8Array(gzipSync(body(`ssn ${SSN.value}`))), {
      headers: { 'content-encoding': 'gzip' },
    });
    expect({ status: x.status, upstream: x.upstream.length }).toEqual({ status: 400, upstream: 0 });
  });
  it('a second JSON document after the first is refused', async () => {
    const x = await stack.send('chat', `${body('hello')}${JSON.stringify({ extra: SSN.value })}`);
    expect({ status: x.status, upstream: x.upstream.length }).toEqual({ status: 400, upstream: 0 });
  });
  const answered = (id: string, raw: (api: string, b: Record<string, unknown>) => string, extra = {}) =>
    stack.upstream.script(id, (api, b) => ({
      status: 200,
      raw: raw(api, b),
      contentType: 'application/json',
      ...extra,
    }));
  const echoed = (api: string, b: Record<string, unknown>, id: string) =>
    answerJson(api as Parameters<typeof answerJson>[0], b, id) as Record<string, unknown>;
  it.each([
    ['text/plain', { contentType: 'text/plain' }],
    ['no content type', { contentType: '' }],
    ['application/octet-stream', { contentType: 'application/octet-stream' }],
  ])('an answer with the key sent as %s is screened all the same', async (name, extra) => {
    const id = `ct${name.replace(/\W/g, '')}`;
    answered(id, (api, b) => JSON.stringify({ ...echoed(api, b, id), note: ANSWER_KEY.value }), extra);
    const x = await stack.send('chat', promptBody('chat', `case-${id} hi`));
    expect({ leaked: leaksIn(x.received, [ANSWER_KEY]), crashed: x.status === 500 }).toEqual({
      leaked: [],
      crashed: false,
    });
  });
  it('a gzip-encoded answer is not relayed unread', async () => {
    stack.upstream.script('gz', (api, b) => ({
      status: 200,
      raw: gzipSync(JSON.stringify({ ...echoed(api, b, 'gz'), note: ANSWER_KEY.value })).toString('latin1'),
      contentType: 'application/json',
      headers: { 'content-encoding': 'gzip' },
    }));
    const x = await stack.send('chat', promptBody('chat', 'case-gz hi'));
    expect({ leaked: leaksIn(x.received, [ANSWER_KEY]), crashed: x.status === 500 }).toEqual({
      leaked: [],
      crashed: false,
    });
  });
  it.each([
    ['first', (k: string) => `"content":"${k}","content":"ok"`],
    ['last', (k: string) => `"content":"ok","content":"${k}"`],
  ])('an answer with the key in the %s of two duplicate keys never reaches the client', async (which, pair) => {
    const id = `dup${which}`;
    answered(
      id,
      () =>
        `{"id":"x","object":"chat.completion","created":0,"model":"echo-1","choices":[{"index":0,"message":` +
        `{"role":"assistant",${pair(ANSWER_KEY.value)}},"finish_reason":"stop"}],` +
        `"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`,
    );
    const x = await stack.send('chat', promptBody('chat', `case-${id} hi`));
    expect({ leaked: leaksIn(x.received, [ANSWER_KEY]), crashed: x.status === 500 }).toEqual({
      leaked: [],
      crashed: false,
    });
  });
  it('a JSON answer to a stream request is screened as an answer', async () => {
    answered('jsonstream', (api, b) => JSON.stringify({ ...echoed(api, b, 'js'), note: ANSWER_KEY.value }));
    const x = await stack.send('chat', { ...promptBody('chat', 'case-jsonstream hi'), stream: true });
    expect({ leaked: leaksIn(x.received, [ANSWER_KEY]), crashed: x.status === 500 }).toEqual({
      leaked: [],
      crashed: false,
    });
  });
});

describe('a key split between the answer text and a field screened alone', () => {
  const HALVES = ['AKIAZ3MQWX', 'R5TLPB6Y7N'] as const;
  const BLOCK = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY'] };
  const chatRequest = { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] };
  // HOLE (closed, stream-relay.ts): a stream's fields (ids, model, stop_sequence) were classified whole but each alone,
  // apart from the text channels the hold-back scanner joins; the plain-answer screen classifies the same values in
  // document order with adjacent joins and blocks these splits. So the text's first half and a tool call id (chat) or
  // a `stop_sequence` (Anthropic) holding the second reached the client. Each field value is now also pushed through
  // the scanner the first time it comes (a `field:` run, read with its neighbours and skipped over, as tool names are).
  it('chat stream: text then a tool call id', async () => {
    const { out } = await relayScripted(
      'openai.chat_completions',
      chatRequest,
      [
        chatChunk({ role: 'assistant', content: HALVES[0] }),
        chatChunk({
          tool_calls: [{ index: 0, id: HALVES[1], type: 'function', function: { name: 'f', arguments: '' } }],
        }),
        chatChunk({}, 'tool_calls'),
        { data: '[DONE]' },
      ],
      BLOCK,
    );
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it('anthropic stream: text then the stop_sequence', async () => {
    const message = { id: 'm', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null };
    const { out } = await relayScripted(
      'anthropic.messages',
      { model: 'm', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] },
      [
        {
          event: 'message_start',
          data: {
            type: 'message_start',
            message: { ...message, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } },
          },
        },
        {
          event: 'content_block_start',
          data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        },
        {
          event: 'content_block_delta',
          data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: HALVES[0] } },
        },
        { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
        {
          event: 'message_delta',
          data: {
            type: 'message_delta',
            delta: { stop_reason: 'stop_sequence', stop_sequence: HALVES[1] },
            usage: { output_tokens: 3 },
          },
        },
        { event: 'message_stop', data: { type: 'message_stop' } },
      ],
      BLOCK,
    );
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  // HOLE (closed, both paths): the answer's `model` was not adjacent to its text in either walk (`role` between), so
  // `model` holding one half and the text the other reached the client, streamed (the model of the first chunk) or
  // not. The second reading order (segment-join.ts) now keeps `model` as it keeps `name`, and the stream reads the
  // model as a `field:` run.
  it('chat stream: the model name then the text', async () => {
    const { out } = await relayScripted(
      'openai.chat_completions',
      chatRequest,
      [
        chatChunk({ role: 'assistant', content: HALVES[1] }, null, { model: HALVES[0] }),
        chatChunk({}, 'stop', { model: HALVES[0] }),
        { data: '[DONE]' },
      ],
      BLOCK,
    );
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it('chat answer: the model name then the text', async () => {
    const answer = chatAnswer({ model: HALVES[0] }, { content: HALVES[1] });
    const screen = await screenResponse(adapterFor('openai.chat_completions'), classifier, answer, BLOCK);
    expect(allFragmentsIn(JSON.stringify(screen.body), HALVES)).toBe(false);
  });
  it('control: the non-streamed answer blocks text then a tool call id', async () => {
    const call = { id: HALVES[1], type: 'function', function: { name: 'f', arguments: '{}' } };
    const answer = chatAnswer({}, { content: HALVES[0], tool_calls: [call] });
    const screen = await screenResponse(adapterFor('openai.chat_completions'), classifier, answer, BLOCK);
    expect(screen.action).toBe('blocked');
  });
});

describe('cost on the event loop: many tiny texts in a small body', () => {
  // HOLE (closed): the pool kept an input on the event loop when its characters totalled 64 Ki or fewer, whatever its
  // segment count; a 60 KB chat body whose tool schema lists 15,000 one-letter enum values is 15,005 segments, and the
  // classifier's cost per segment (~9 µs, some 30 characters of prose) made it 130-470 ms on the event loop per
  // request. Each segment now counts SEGMENT_WEIGHT_CHARS more (classification/worker-pool.ts), so it goes to a thread.
  it('15,000 one-letter texts are classified on a thread, not in-process', async () => {
    const pool = createClassifierPool({
      fingerprintKey: new Uint8Array(32).fill(3),
      recognizers: [],
      local: classifier,
      size: 1,
    });
    try {
      const tiny = Array.from({ length: 15_000 }, (_, i) => ({
        path: `tools[0].function.parameters.enum[${i}]`,
        text: 'a',
      }));
      const result = pool.classify(tiny);
      expect(result).toBeInstanceOf(Promise);
      expect((await result).findings).toEqual([]);
      expect(pool.classify([{ path: 'p', text: 'hello' }])).not.toBeInstanceOf(Promise);
    } finally {
      await pool.close();
    }
  });
});

describe('responses stream: text the final events carry that no delta streamed', () => {
  const fixture = readFileSync(
    new URL('../fixtures/providers/openai.responses/streaming.sse', import.meta.url),
    'utf8',
  );
  type Scripted = { event?: string; data: Record<string, any> };
  const recorded = (): Scripted[] =>
    fixture
      .split('\n\n')
      .filter((block) => block.trim() !== '')
      .map((block) => ({
        event: /^event: (.*)$/m.exec(block)?.[1],
        data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, any>,
      }));
  const last = (events: Scripted[]) => events[events.length - 1]?.data.response;
  const at = (events: Scripted[], name: string) => events.find((e) => e.event === name)?.data as Record<string, any>;
  const key = 'AKIAZ3MQWXR5TLPB6Y7N';
  it.each<[string, (events: Scripted[]) => void]>([
    [
      'a message item only response.completed lists',
      (e) => {
        last(e).output.push({
          type: 'message',
          id: 'm2',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: key, annotations: [] }],
        });
      },
    ],
    [
      'a function call only response.completed lists',
      (e) => {
        last(e).output.push({
          type: 'function_call',
          id: 'f2',
          call_id: 'c2',
          name: 'f',
          arguments: `{"a":"${key}"}`,
          status: 'completed',
        });
      },
    ],
    [
      'instructions in response.completed',
      (e) => {
        last(e).instructions = key;
      },
    ],
    [
      'text in output_item.added',
      (e) => {
        at(e, 'response.output_item.added').item.content = [{ type: 'output_text', text: key, annotations: [] }];
      },
    ],
    [
      'text in content_part.added',
      (e) => {
        at(e, 'response.content_part.added').part.text = key;
      },
    ],
  ])('%s never reaches the client', async (_name, plant) => {
    const events = recorded();
    plant(events);
    const { result, out } = await relayScripted(
      'openai.responses',
      { model: 'm', stream: true, input: 'hi' },
      events,
      RULES,
    );
    expect(result.error).not.toBeNull();
    expect(leaksIn(out, [KEY])).toEqual([]);
  });
});

describe('requests: a value split across two adjacent texts after one that ends in a digit', () => {
  const HALVES = ['AKIAZ3MQWX', 'R5TLPB6Y7N'] as const;
  const both = (upstream: string) => upstream.includes(HALVES[0]) && upstream.includes(HALVES[1]);
  // HOLE (closed for keys by recognizers-secrets.ts: an AWS key needs no left boundary now; open for SSNs,
  // segment-join.ts): the join windows of adjacent segments are merged when they overlap and read as one
  // text with no separator, so the segment before the first half is glued to it. Every body starts with its model
  // name, and model names end in digits (`echo-1`, `gpt-4`, `claude-3-5-sonnet-20241022`): `echo-1` + `AKIAZ3MQWX` +
  // `R5TLPB6Y7N` reads `echo-1AKIAZ3MQWXR5TLPB6Y7N`, where the key has no left boundary and is not found (with model
  // `echo` or `gpt-4o` it is). So a key split between an Anthropic `system` and the first user message, a Responses
  // `instructions` and `input`, or a chat message's `name` and its content goes upstream whole; likewise "gpt-4" +
  // "219-09-" + "9999" hides an SSN (turns of chat roles are caught by another join order, as the test below shows).
  // Fix: in segment-join.ts, also scan each merged window from every segment start inside it (a piece start is a left
  // boundary), or cut merged windows at segment starts so a window never begins inside the segment before the
  // boundary it was opened for.
  it('anthropic: a key split between system and the first user message', async () => {
    const body = {
      model: 'echo-1',
      max_tokens: 5,
      system: HALVES[0],
      messages: [{ role: 'user', content: HALVES[1] }],
    };
    expect(both((await request('anthropic.messages', body)).upstream)).toBe(false);
  });
  it('responses: a key split between instructions and input', async () => {
    const body = { model: 'echo-1', instructions: HALVES[0], input: HALVES[1] };
    expect(both((await request('openai.responses', body)).upstream)).toBe(false);
  });
  it("chat: a key split between a message's name and its content", async () => {
    const body = { model: 'echo-1', messages: [{ role: 'user', name: HALVES[0], content: HALVES[1] }] };
    expect(both((await request(CHAT, body)).upstream)).toBe(false);
  });
  it('chat: after a turn ending in a digit, a key split over an assistant and a user turn is refused', async () => {
    const messages = [
      { role: 'user', content: 'hello 5' },
      { role: 'assistant', content: HALVES[0] },
      { role: 'user', content: HALVES[1] },
    ];
    expect(both((await request(CHAT, { model: 'echo', messages })).upstream)).toBe(false);
  });
  it('control: the same split is found when the text before it ends in a letter', () => {
    const segments = [
      { path: 'model', text: 'echo' },
      { path: 'system', text: HALVES[0] },
      { path: 'messages[0].content', text: HALVES[1] },
    ];
    expect(classifier.classify(segments).findings.map((f) => f.type)).toContain('AWS_ACCESS_KEY');
  });
});

describe('requests: a value split over adjacent texts with digits running into it on both sides', () => {
  // HOLE (closed, segment-join.ts): besides the key above, "echo-1" + "219-09-" + "9999" + a text starting with a digit
  // read `echo-1219-09-99995`, no SSN. Runs of two and three adjacent segments are now also read apart from the text
  // around them (a value in four pieces run into on both sides stays a documented limit, docs/classification.md).
  const SSN_VALUE = '219-09-9999';
  const leaked = (upstream: string) => upstream.replaceAll(/[^0-9]/g, '').includes(SSN_VALUE.replaceAll('-', ''));
  it('anthropic: an SSN split between system and the first user message, a digit after it', async () => {
    const body = {
      model: 'echo-1',
      max_tokens: 5,
      system: '219-09-',
      messages: [
        { role: 'user', content: '9999' },
        { role: 'assistant', content: '5' },
        { role: 'user', content: 'go on' },
      ],
    };
    const x = await request('anthropic.messages', body);
    expect({ status: x.status, leaked: leaked(x.upstream) }).toEqual({ status: 403, leaked: false });
  });
  it('chat: an SSN split over three turns after the model name, a digit after it', async () => {
    const messages = ['21', '9-09-99', '99', '5'].map((content) => ({ role: 'user', content }));
    const x = await request(CHAT, { model: 'echo-1', messages });
    expect({ status: x.status, leaked: leaked(x.upstream) }).toEqual({ status: 403, leaked: false });
  });
});

describe('keys glued to digits or capitals', () => {
  const found = (text: string) => classifier.classify([{ path: 'p', text }]).findings.map((f) => f.type);
  // HOLE (closed, recognizers-secrets.ts): "glued to a word" was read through for lower-case words only: a key after a
  // digit (`1AKIAZ3MQWXR5TLPB6Y7N`, `id1AKIA…`, `9ghp_…`) or after capitals (`KEYAKIAZ3MQWXR5TLPB6Y7N`) is no finding,
  // and the join windows create the same glue from a neighbouring segment (above). Fix: look for the fixed prefixes
  // (AKIA/ASIA…, ghp_, …) anywhere in an alphanumeric run, not only after a boundary or a lower-case letter, and check
  // the body length and alphabet from there (cost: a prefix inside a longer upper-case identifier is found).
  it.each([['1AKIAZ3MQWXR5TLPB6Y7N'], ['KEYAKIAZ3MQWXR5TLPB6Y7N'], ['9ghp_1234567890abcdefghijABCDEFGHIJ123456']])(
    '%s is found',
    (text) => {
      expect(found(text).length).toBeGreaterThan(0);
    },
  );
  it.each([['xAKIAZ3MQWXR5TLPB6Y7N'], ['AKIAZ3MQWXR5TLPB6Y7Nx'], ['ghp_1234567890abcdefghijABCDEFGHIJ123456']])(
    'control: %s is found',
    (text) => {
      expect(found(text).length).toBeGreaterThan(0);
    },
  );
});

describe('afterwards', () => {
  it('afterwards: no planted value is in any record or log line', async () => {
    const records = await stack.records();
    expect(leaksIn(`${records}\n${stack.logText()}`, [ANSWER_KEY, SSN, AMEX_PLANT])).toEqual([]);
  });
});
