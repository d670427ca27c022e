// Round 4 of the attacker's review: channels rounds 1-3 do not try. The MCP proxy's streamed progress (numbers and
// messages a hostile server writes, a value split between them and the result) and its tool listings; labels (ids,
// types, statuses, fingerprints) an upstream fills next to the text, in streams and plain answers, and a request's tool
// call ids; property names read apart from values; digit and letter disguises the views do not read; stream bytes cut
// mid-character. Holes found and not closed are `it.fails` with a comment naming the hole, the file and the fix, so CI
// stays green until someone closes them; closed ones are `it` with a `HOLE (closed, …)` comment.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyEngine } from '../../src/policy/index.ts';
import { defaultEngine } from '../helpers/mcp-harness.ts';
import { allFragmentsIn, leaksIn } from './leaks.ts';
import {
  ANTHROPIC_STREAM,
  anthropicAnswer,
  anthropicToolTurn,
  CHAT_STREAM,
  chatAnswer,
  chatChunk,
  chatToolRequest,
  forwarded,
  hostileServer,
  messageEnd,
  messageStart,
  responsesEvents,
  prompt,
  sseEvent,
  streamedBlock,
  textResult,
  toolUse,
} from './fixtures.ts';
import { classifier } from './recording-pipeline.ts';
import { receivedPayloads, relayScripted } from './relay-harness.ts';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { relayStream } from '../../src/pipeline/stream-relay.ts';
import { adapterFor } from '../../src/providers/index.ts';

const KEY = { label: 'AWS_ACCESS_KEY', value: 'AKIAZ3MQWXR5TLPB6Y7N' };
const HALVES = ['AKIAZ3MQWX', 'R5TLPB6Y7N'] as const;
const CHAT = 'openai.chat_completions';
/** A Luhn-valid 15-digit card (American Express test number). */
const AMEX = { label: 'CREDIT_CARD', value: '378282246310005' };

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await defaultEngine();
});

type Progress = Parameters<typeof hostileServer>[1];
/** The MCP proxy in front of a hostile server (fixtures.ts) that answers `text`: what the client received. */
const hostile =
  (progress: Progress, text: string, listed?: Record<string, unknown>[]) => async (method?: 'tools/list') =>
    (await hostileServer(engine, progress, textResult(text), { listed })(method)).out;

describe('MCP: progress a hostile server streams to the client', () => {
  it('control: a clean progress message and result are relayed', async () => {
    const out = await hostile([{ progress: 1, total: 2, message: 'half way' }], 'done')();
    expect(out).toContain('half way');
    expect(out).toContain('done');
  });
  it('control: a key in one progress message is not relayed', async () => {
    const out = await hostile([{ progress: 1, message: `key ${KEY.value}` }], 'done')();
    expect(leaksIn(out, [KEY])).toEqual([]);
  });
  it('a card number as the progress number is not relayed', async () => {
    const out = await hostile([{ progress: Number(AMEX.value) }], 'done')();
    expect(leaksIn(out, [AMEX])).toEqual([]);
  });
  it('a card number as the progress total is not relayed', async () => {
    const out = await hostile([{ progress: 1, total: Number(AMEX.value) }], 'done')();
    expect(leaksIn(out, [AMEX])).toEqual([]);
  });
  it('a key split over two progress messages is not relayed whole', async () => {
    const out = await hostile(
      [
        { progress: 1, message: HALVES[0] },
        { progress: 2, message: HALVES[1] },
      ],
      'done',
    )();
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it('after a thousand progress messages, a key split over the last two is still not relayed whole', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ progress: i, message: `step ${i}` }));
    const halves = [
      { progress: 1000, message: HALVES[0] },
      { progress: 1001, message: HALVES[1] },
    ];
    const out = await hostile([...many, ...halves], 'done')();
    expect(out).toContain('step 999');
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it.each<[string, Record<string, unknown>[]]>([
    [
      'two tools’ descriptions',
      [
        { name: 'lookup', description: HALVES[0], inputSchema: { type: 'object' } },
        { name: 'other', description: HALVES[1], inputSchema: { type: 'object' } },
      ],
    ],
    [
      'a tool’s name and its description',
      [{ name: HALVES[0], description: HALVES[1], inputSchema: { type: 'object' } }],
    ],
  ])('tools/list: a key split over %s is not listed whole', async (_name, listed) => {
    const out = await hostile([], 'done', listed)('tools/list');
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  // HOLE (closed, pipeline/response-screen.ts keyJoins): an answer's values and its key lists were classified in two
  // separate calls (so a value's finding is not shared with a neighbouring key list), so a value then a property name
  // holding the rest of a key were never read together: a tool description with the first half and an input-schema
  // property named with the second were listed whole; the same in an LLM answer (the text, then an unknown field's
  // key). A third call (answer-key-joins.ts) reads each key list after each of the values nearest before it and
  // before the value after it, as pairs; a finding crossing a pair's junction blocks (never redacts).
  it('tools/list: a key split over a description and an input schema’s property is not listed whole', async () => {
    const listed = [
      { name: 'lookup', description: HALVES[0], inputSchema: { type: 'object', properties: { [HALVES[1]]: {} } } },
    ];
    expect(allFragmentsIn(await hostile([], 'done', listed)('tools/list'), HALVES)).toBe(false);
  });
  it("chat answer: the text then an unknown field's key", async () => {
    const answer = {
      id: 'x',
      object: 'chat.completion',
      created: 0,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: HALVES[0] }, finish_reason: 'stop' }],
      x: { [HALVES[1]]: 1 },
    };
    const screen = await screenResponse(adapterFor(CHAT), classifier, answer, BLOCK);
    expect(allFragmentsIn(JSON.stringify(screen.body), HALVES)).toBe(false);
  });
  it('control: a clean tool list is listed', async () => {
    const out = await hostile([], 'done', [{ name: 'lookup', description: 'finds', inputSchema: {} }])('tools/list');
    expect(out).toContain('finds');
  });
  it('control: a tool whose description and schema property names are clean is listed', async () => {
    const listed = [
      {
        name: 'lookup',
        description: 'finds a customer by e-mail address',
        inputSchema: { type: 'object', properties: { email: { type: 'string' }, limit: { type: 'integer' } } },
      },
    ];
    const out = await hostile([], 'done', listed)('tools/list');
    expect(out).toContain('finds a customer');
    expect(out).toContain('limit');
  });
  it('a key split between a progress message and the result is not relayed whole', async () => {
    const out = await hostile([{ progress: 1, message: HALVES[0] }], HALVES[1])();
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
});

const BLOCK = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY'] };
/** An Anthropic stream: message_start's message with `over`, one text block `text`, message_delta with `delta`. */
const anthropicEvents = (over: Record<string, unknown>, text: string, delta: Record<string, unknown> = {}) => [
  messageStart(over),
  ...streamedBlock(0, { text }),
  ...messageEnd(delta),
];
/** A chat stream whose first chunk carries `over` and the text `content`. */
const chatEvents = (over: Record<string, unknown>, content: string) => [
  chatChunk({ role: 'assistant', content }, null, over),
  chatChunk({}, 'stop'),
  { data: '[DONE]' },
];
const RESPONSES_STREAM = { model: 'm', stream: true, input: 'hi' };

describe('streams: a key split between the text and a label the upstream fills', () => {
  // HOLE (closed, providers/openai-stream.ts): the classifier reads labels (LABEL_KEYS: object, system_fingerprint,
  // service_tier, ids, types, roles, …) apart from the text, so a first chunk whose `system_fingerprint`,
  // `service_tier` or `object` held the key's first half and whose content held the rest relayed both. These
  // template fields are now relayed only in their closed forms (`chat.completion.chunk`, `fp_<hex>`, the
  // service tiers), else left out.
  it.each([['system_fingerprint'], ['service_tier'], ['object']])('chat: %s then the text', async (field) => {
    const { out } = await relayScripted(
      'openai.chat_completions',
      CHAT_STREAM,
      chatEvents({ [field]: HALVES[0] }, HALVES[1]),
      BLOCK,
    );
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it('control: closed forms of those fields are relayed as the upstream wrote them', async () => {
    const over = { system_fingerprint: 'fp_44709d6fcb', service_tier: 'default' };
    const { out, result } = await relayScripted(
      'openai.chat_completions',
      CHAT_STREAM,
      chatEvents(over, 'hello'),
      BLOCK,
    );
    expect(result.error).toBeNull();
    expect(receivedPayloads(out)[0]).toMatchObject({ ...over, object: 'chat.completion.chunk' });
  });
  // HOLE (closed, providers/anthropic-stream.ts): likewise message_start's `type` and `role`, and a `stop_reason`
  // (message_delta) after the text, were labels free to hold any string. They are now closed tokens (`message`,
  // `assistant`, a stop reason of lower-case letters and `_`): anything else is a protocol error, the stream ends.
  it.each<[string, Record<string, unknown>, string, Record<string, unknown>]>([
    ["message_start's type then the text", { type: HALVES[0] }, HALVES[1], {}],
    ["message_start's role then the text", { role: HALVES[0] }, HALVES[1], {}],
    ['the text then the stop_reason', {}, HALVES[0], { stop_reason: HALVES[1] }],
  ])('anthropic: %s', async (_name, over, text, delta) => {
    const { out } = await relayScripted(
      'anthropic.messages',
      ANTHROPIC_STREAM,
      anthropicEvents(over, text, delta),
      BLOCK,
    );
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it('control: a clean Anthropic stream ends cleanly', async () => {
    const { out, result } = await relayScripted(
      'anthropic.messages',
      ANTHROPIC_STREAM,
      anthropicEvents({}, 'hello'),
      BLOCK,
    );
    expect(result.error).toBeNull();
    expect(out).toContain('hello');
  });
  // HOLE (closed, classification/segment-join.ts joinOrders; the stream scanner classifies each `field:` run under its
  // path, so the same reading orders apply): an id was a label, left out of both reading orders, so the first chunk's
  // `id` (chat) or message_start's message `id` (Anthropic) holding the key's first half, then the text holding the
  // rest, reached the client; so did any extra field named like a label (`message_stop` with an `id`). Ids cannot be
  // closed tokens (`chatcmpl-…`, `msg_…`): two more reading orders keep every label that is not a closed token
  // (lower-case letters, `_`, `.`: `assistant`, `end_turn`, `chat.completion.chunk`), with and without names and the
  // model, so `id` + text is joined.
  it("chat: the first chunk's id then the text", async () => {
    const { out } = await relayScripted(
      'openai.chat_completions',
      CHAT_STREAM,
      chatEvents({ id: HALVES[0] }, HALVES[1]),
      BLOCK,
    );
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it("chat: the first chunk's id then the text, a dated model between", async () => {
    const over = { id: HALVES[0], model: 'gpt-4o-2024-08-06' };
    const { out } = await relayScripted('openai.chat_completions', CHAT_STREAM, chatEvents(over, HALVES[1]), BLOCK);
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it("anthropic: the message's id then the text", async () => {
    const { out } = await relayScripted(
      'anthropic.messages',
      ANTHROPIC_STREAM,
      anthropicEvents({ id: HALVES[0] }, HALVES[1]),
      BLOCK,
    );
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it("anthropic: the message's id then the text, a dated model between (separate events)", async () => {
    const over = { id: HALVES[0], model: 'claude-sonnet-4-5-20250929' };
    const { out } = await relayScripted(
      'anthropic.messages',
      ANTHROPIC_STREAM,
      anthropicEvents(over, HALVES[1]),
      BLOCK,
    );
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it('anthropic: the text then an extra id in message_stop', async () => {
    const events = anthropicEvents({}, HALVES[0]);
    events[5] = sseEvent('message_stop', { id: HALVES[1] });
    const { out } = await relayScripted('anthropic.messages', ANTHROPIC_STREAM, events, BLOCK);
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it('responses: the response status then the text (closed: answer-labels.ts)', async () => {
    const events = responsesEvents(HALVES[1]);
    (events[0]?.data.response as Record<string, unknown>).status = HALVES[0];
    const { out } = await relayScripted('openai.responses', RESPONSES_STREAM, events, BLOCK);
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it('anthropic: the text then an extra label field in message_delta (closed: answer-labels.ts)', async () => {
    const { out } = await relayScripted(
      'anthropic.messages',
      ANTHROPIC_STREAM,
      anthropicEvents({}, HALVES[0], { status: HALVES[1] }),
      BLOCK,
    );
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it('control: a clean Responses stream ends cleanly', async () => {
    const { out, result } = await relayScripted('openai.responses', RESPONSES_STREAM, responsesEvents('hello'), BLOCK);
    expect(result.error).toBeNull();
    expect(out).toContain('hello');
  });
  it('control: the model then the text is held (a label the second reading order keeps)', async () => {
    const { out } = await relayScripted(
      'openai.chat_completions',
      CHAT_STREAM,
      chatEvents({ model: HALVES[0] }, HALVES[1]),
      BLOCK,
    );
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
});

describe('streams: a key split between a tool call id and its arguments', () => {
  // HOLE (closed, with the reading orders above, segment-join.ts): a streamed tool call's id is a field run, now read
  // with the arguments after it past its name (a name that is no closed token too); it was relayed whole.
  const toolCall = (id: string, name: string) => [
    chatChunk({ content: null, tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: '' } }] }),
    chatChunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":"' } }] }),
    chatChunk({ tool_calls: [{ index: 0, function: { arguments: HALVES[1] } }] }),
    chatChunk({ tool_calls: [{ index: 0, function: { arguments: '"}' } }] }),
    chatChunk({}, 'tool_calls'),
    { data: '[DONE]' },
  ];
  it.each([['f'], ['lookup2']])(
    'chat: a tool call id, its name %s, then its arguments in later chunks',
    async (name) => {
      const { out } = await relayScripted(CHAT, CHAT_STREAM, toolCall(HALVES[0], name), BLOCK);
      expect(allFragmentsIn(out, HALVES)).toBe(false);
    },
  );
  it.each([['f'], ['lookup2']])('anthropic: a tool_use id, its name %s, then its input', async (name) => {
    const events = [
      messageStart({ model: 'claude-x-2025' }),
      ...streamedBlock(0, { id: HALVES[0], name, json: `{"q": "${HALVES[1]}"}` }),
      ...messageEnd({ stop_reason: 'tool_use' }),
    ];
    const { out } = await relayScripted('anthropic.messages', ANTHROPIC_STREAM, events, BLOCK);
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it('control: an ordinary streamed tool call is relayed', async () => {
    const events = toolCall('call_Xk9QzB7a1', 'lookup2').map((e) =>
      JSON.parse(JSON.stringify(e).replace(HALVES[1], 'weather in Paris')),
    );
    const { out, result } = await relayScripted(CHAT, CHAT_STREAM, events, BLOCK);
    expect(result.error).toBeNull();
    // (the relay may cut the arguments at other places than the upstream did)
    for (const part of ['call_Xk9QzB7a1', 'lookup2', 'weather in ', 'Paris']) expect(out).toContain(part);
  });
});

describe('answers (not streamed): a key split between the text and a label', () => {
  const chat = adapterFor('openai.chat_completions');
  const answer = chatAnswer;
  // HOLE (closed, providers/answer-labels.ts, wired in providers/index.ts and the Anthropic and Responses stream
  // sessions): labels are left out of the reading orders and other labels (`role`, `finish_reason`) stand between them
  // and the text in document order, so the answer's `object`, a trailing `system_fingerprint`, a tool call's `type`
  // after the text (and in streams a Responses `status`, an extra Anthropic label) holding one half and the text the
  // other reached the client. Every `type`, `role`, `object`, `status`, finish and stop reason and service tier of an
  // answer is now a closed token (lower-case letters, `_`, `.`), a fingerprint `fp_<hex>` or lower-case words, or the
  // answer is withheld as the upstream's fault (502 ERR_UPSTREAM_BAD_RESPONSE; a stream ends with it).
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['object then the text', { object: HALVES[0] }, { content: HALVES[1] }],
    ['the text then system_fingerprint', { system_fingerprint: HALVES[1] }, { content: HALVES[0] }],
    [
      "the text then a tool call's type",
      {},
      { content: HALVES[0], tool_calls: [{ id: 'c1', type: HALVES[1], function: { name: 'f', arguments: '{}' } }] },
    ],
  ])('chat: %s', async (_name, over, message) => {
    const screen = await screenResponse(chat, classifier, answer(over, message), BLOCK);
    expect(screen.blocked?.error).toBe('ERR_UPSTREAM_BAD_RESPONSE');
    expect(allFragmentsIn(JSON.stringify(screen.body), HALVES)).toBe(false);
  });
  it('control: an ordinary answer with a fingerprint and a tool input using label-like keys is relayed', async () => {
    const body = anthropicAnswer([
      { type: 'text', text: 'ok' },
      toolUse({ status: 'Premium 2', type: 'VIP', role: 'Admin' }, 'toolu_1', 'set'),
    ]);
    expect((await screenResponse(adapterFor('anthropic.messages'), classifier, body, BLOCK)).action).toBe('none');
    const fingerprinted = answer({ system_fingerprint: 'fp_44709d6fcb', service_tier: 'default' }, { content: 'ok' });
    expect((await screenResponse(chat, classifier, fingerprinted, BLOCK)).action).toBe('none');
  });
  // HOLE (closed, classification/segment-join.ts; the stream twin above): an `id` cannot be a closed token, so the
  // answer's `id` holding one half and the text the other reached the client. Closed by the reading orders above.
  it('chat: id then the text', async () => {
    const screen = await screenResponse(chat, classifier, answer({ id: HALVES[0] }, { content: HALVES[1] }), BLOCK);
    expect(allFragmentsIn(JSON.stringify(screen.body), HALVES)).toBe(false);
  });
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    ['the text then finish_reason', {}, { content: HALVES[0] }, HALVES[1]],
    ['role then the text', {}, { role: HALVES[0], content: HALVES[1] }, 'stop'],
    ['the model then the text', { model: HALVES[0] }, { content: HALVES[1] }, 'stop'],
  ])('control: chat %s is blocked', async (_name, over, message, finish) => {
    const screen = await screenResponse(chat, classifier, answer(over, message, finish), BLOCK);
    expect(screen.action).toBe('blocked');
  });
});

describe('a key split between the text and a tool input key named like a label', () => {
  // HOLE (closed, classification/segment-join.ts insideFreeForm, isKeyList): a label was recognised by its key alone,
  // also inside free-form JSON the model writes, so a tool input `{"status": …}`, `{"id": …}` or `{"type": …}` holding
  // the key's second half after a text block holding the first was read apart from the text: the Anthropic answer
  // reached the client (with `{"q": …}` it was blocked). A key under `input`, `arguments`, `parameters`, a schema,
  // `metadata` or `structuredContent` is a label only when its value is a closed token (a schema's `"type": "object"`),
  // and a request's free-form property-name list (`id`, between the text and the value) is left out of the new
  // reading orders.
  it.each([['status'], ['id'], ['type']])("anthropic answer: text then a tool input's %s", async (key) => {
    const body = anthropicAnswer([{ type: 'text', text: HALVES[0] }, toolUse({ [key]: HALVES[1] })]);
    const screen = await screenResponse(adapterFor('anthropic.messages'), classifier, body, BLOCK);
    expect(allFragmentsIn(JSON.stringify(screen.body), HALVES)).toBe(false);
  });
  it("anthropic request: an assistant's text then its tool input's id", async () => {
    const body = anthropicToolTurn([{ type: 'text', text: HALVES[0] }, toolUse({ id: HALVES[1] })]);
    const x = await request('anthropic.messages', body);
    expect(x.upstream.includes(HALVES[0]) && x.upstream.includes(HALVES[1])).toBe(false);
  });
  it('control: the same split into an input key that is no label is blocked', async () => {
    const body = anthropicAnswer([{ type: 'text', text: HALVES[0] }, toolUse({ q: HALVES[1] })]);
    expect((await screenResponse(adapterFor('anthropic.messages'), classifier, body, BLOCK)).action).toBe('blocked');
  });
});

/** One request body through the in-process pipeline (fixtures.ts): the status and the bytes that went upstream. */
const request = forwarded;
const SSN = { label: 'US_SSN', value: '219-09-9999' };
const CARD = { label: 'CREDIT_CARD', value: '4111111111111111' };
describe('requests: a key split between a tool call id and its arguments', () => {
  const toolTurn = (id: string, args: string) => chatToolRequest(args, id);
  const both = (upstream: string) => upstream.includes(HALVES[0]) && upstream.includes(HALVES[1]);
  // HOLE (closed, classification/segment-join.ts; the answer-side twin is above): a tool call's id was a label, left
  // out of the reading orders, and its name stands between it and the arguments in document order, so a call whose
  // `id` (chat) or `tool_use.id` (Anthropic) held the key's first half and whose arguments or input held the rest was
  // forwarded; the model reads both in the rendered call. The fourth reading order keeps ids and leaves names, the
  // model and property-name lists out, so the id and the arguments are joined (also past a name like `lookup2`).
  it('chat: the id then the arguments', async () => {
    expect(both((await request(CHAT, toolTurn(HALVES[0], `{"q":"${HALVES[1]}"}`))).upstream)).toBe(false);
  });
  it('anthropic: the tool_use id then its input', async () => {
    const body = anthropicToolTurn([toolUse({ q: HALVES[1] }, HALVES[0])], HALVES[0]);
    expect(both((await request('anthropic.messages', body)).upstream)).toBe(false);
  });
  it('control: an ordinary tool turn (ids with digits, a name with a digit) is forwarded', async () => {
    const body = toolTurn('call_Xk9QzB7a1', '{"q":"weather in Paris","days":3}');
    (body.messages[1] as { tool_calls: { function: { name: string } }[] }).tool_calls[0]!.function.name = 'lookup2';
    const x = await request(CHAT, body);
    expect(x.upstream).toContain('call_Xk9QzB7a1');
    expect(x.upstream).toContain('weather in Paris');
  });
  it('chat: the id then the arguments, past a name that is no closed token', async () => {
    const body = toolTurn(HALVES[0], `{"q":"${HALVES[1]}"}`);
    (body.messages[1] as { tool_calls: { function: { name: string } }[] }).tool_calls[0]!.function.name = 'lookup2';
    expect(both((await request(CHAT, body)).upstream)).toBe(false);
  });
  it('control: the text then the tool call id is refused', async () => {
    const body = toolTurn(HALVES[1], '{}');
    (body.messages[1] as Record<string, unknown>).content = HALVES[0];
    expect((await request(CHAT, body)).status).toBe(403);
  });
});

/** Digits 1-9 written with a code point block that starts at one (0 as `zero`). */
const dingbat = (digits: string, one: number, zero: string) =>
  [...digits].map((d) => (d === '0' ? zero : /[1-9]/.test(d) ? String.fromCodePoint(one + Number(d) - 1) : d)).join('');

describe('requests: disguises a model reads that the views do not', () => {
  it('control: a clean prompt is forwarded (the refusals below are not an artefact)', async () => {
    const x = await request(CHAT, prompt('my ssn is none of your business'));
    expect(x.upstream).toContain('none of your business');
  });
  // HOLE (closed, classification/digit-view.ts MARK_SEPARATORS): SECURITY.md promises "any separator between digit
  // groups", but the digits view joined only whitespace, `. / \ _ -`, dashes, minus signs and middle dots; `|`, `+`,
  // `~`, `*` and the ideographic full stop `。` between the groups hid an SSN or a card (a model reads `219|09|9999` as
  // the number). `|+~*#` and U+3002/U+FF61/U+FF0E/U+FF5C are separators now (only the numeric recognizers scan the
  // view; cost: a table row `| 219 | 09 | 9999 |` or an expression `219+09+9999` reads as an SSN, documented).
  for (const sep of ['|', '+', '~', '*', '#', '\u3002']) {
    it(`an SSN with '${sep}' between its groups is not forwarded`, async () => {
      const x = await request(CHAT, prompt(`my ssn is ${SSN.value.replaceAll('-', sep)} thanks`));
      expect(leaksIn(x.upstream, [SSN])).toEqual([]);
    });
  }
  it("a card with '|' between its groups is not forwarded", async () => {
    const x = await request(CHAT, prompt('card 4111|1111|1111|1111 please'));
    expect(leaksIn(x.upstream, [CARD])).toEqual([]);
  });
  it.each([['-'], ['.'], ['\u2013']])("control: an SSN with '%s' between its groups is refused", async (sep) => {
    const x = await request(CHAT, prompt(`my ssn is ${SSN.value.replaceAll('-', sep)} thanks`));
    expect({ status: x.status, leaked: leaksIn(x.upstream, [SSN]) }).toEqual({ status: 403, leaked: [] });
  });
  it('control: arithmetic is forwarded, a phone with its country code stays a phone (redacted)', async () => {
    const x = await request(CHAT, prompt('is 12*34 = 408 and 3+4 = 7? call +1 415 555 2671 #2'));
    expect(x.upstream).toContain('"is 12*34 = 408 and 3+4 = 7? call [PHONE_1] #2"');
  });
  // HOLE (closed, classification/unicode-table.ts NUMBER_FORMS, read in normalize.ts): docs/classification.md read
  // circled digits through NFKC, but the dingbat circled digits (U+2776-277F ❶, U+2780-2789 ➀, U+278A-2793 ➊), the
  // double circled ones (U+24F5-24FE ⓵) and the negative circled zero ⓿ have no NFKC mapping and are no digits (`No`,
  // not `Nd`), and the parenthesized digits (U+2474 ⑴) map to `(1)`: `❷❶❾-⓿❾-❾❾❾❾` was an SSN to a model and to no
  // recognizer. The main view now reads these forms (and ⓫-⓴, ⒈, 🄁, other scripts' Numeric_Type=Digit) as digits.
  it.each([
    ['dingbat negative circled', dingbat(SSN.value, 0x2776, '\u24ff')],
    ['dingbat circled sans-serif', dingbat(SSN.value, 0x2780, '\u{1f10b}')],
    ['double circled', dingbat(SSN.value, 0x24f5, '\u24ea')],
  ])('an SSN in %s digits is not forwarded', async (_name, ssn) => {
    const x = await request(CHAT, prompt(`my ssn is ${ssn} thanks`));
    expect(leaksIn(x.upstream, [SSN]).length + (x.status === 403 ? 0 : 1)).toBe(0);
  });
  it('control: an SSN in circled digits (NFKC-mapped) is refused', async () => {
    const x = await request(CHAT, prompt('my ssn is ②①⑨-⓪⑨-⑨⑨⑨⑨ thanks'));
    expect(x.status).toBe(403);
  });
  // HOLE (closed, classification/recognizers-secrets.ts AWS_ACCESS_KEY_MIXED and awsKeyBody, normalize.ts
  // BRAILLE_BLANK): an AWS key was found in upper case, and in lower case when the whole run is one case, but not in
  // mixed case (`AkIaZ3mQwX…`) nor in groups of five (`AKIAZ-3MQWX-R5TLP-B6Y7N`, only groups of four were joined), nor
  // with a Braille blank U+2800 inside (renders as a space, is no whitespace and no Default_Ignorable). A model asked
  // to upper-case or ungroup it restores the key. Now: a mixed-case id holding a digit (or grouped), the whole id in
  // groups of five, and U+2800 read as a space.
  it.each([
    ['mixed case', 'AkIaZ3mQwXr5TlPb6Y7n'],
    ['groups of five', 'AKIAZ-3MQWX-R5TLP-B6Y7N'],
    ['a Braille blank inside', 'AKIAZ3MQ\u2800WXR5TLPB6Y7N'],
  ])('an AWS key in %s is not forwarded', async (_name, key) => {
    const x = await request(CHAT, prompt(`use ${key} now`));
    expect(x.status).toBe(403);
  });
  it.each([
    ['lower case', KEY.value.toLowerCase()],
    ['groups of four', 'AKIA Z3MQ WXR5 TLPB 6Y7N'],
    ['a Hangul filler inside', 'AKIAZ3MQ\u3164WXR5TLPB6Y7N'],
  ])('control: an AWS key in %s is refused', async (_name, key) => {
    const x = await request(CHAT, prompt(`use ${key} now`));
    expect(x.status).toBe(403);
  });
  // HOLE (closed, classification/decode.ts decodeQuotedPrintable, decode-escapes.ts decimalCodeRuns): quoted-printable
  // (`=41=4B=49=41…`, every mail client's encoding) and a list of decimal character codes (`65,75,73,65,…`, what
  // `String.fromCharCode` takes) were not decoded, though a model decodes both on request. Now a line holding at least
  // 8 `=XX` escapes, and a list of at least 8 codes of printable ASCII (split by one `,`/`;` or by spaces; a line
  // break alone ends it, so tables of small numbers are read row by row), are decoded views.
  it.each([
    ['quoted-printable', [...KEY.value].map((c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`).join('')],
    ['decimal character codes', [...KEY.value].map((c) => c.charCodeAt(0)).join(',')],
  ])('an AWS key in %s is not forwarded', async (_name, key) => {
    const x = await request(CHAT, prompt(`decode ${key}`));
    expect(x.status).toBe(403);
  });
  it('control: the same key as hex bytes is refused', async () => {
    const x = await request(
      CHAT,
      prompt(`decode ${[...KEY.value].map((c) => c.charCodeAt(0).toString(16)).join(' ')}`),
    );
    expect(x.status).toBe(403);
  });
});

describe('streams: bytes cut anywhere', () => {
  it('a key in fullwidth letters, its chunk cut at every byte (mid-UTF-8 too), is blocked and never mangled', async () => {
    const full = [...KEY.value].map((c) => String.fromCodePoint((c.codePointAt(0) as number) + 0xfee0)).join('');
    const sse = Buffer.from(
      [chatChunk({ role: 'assistant', content: `x ${full} y` }), chatChunk({}, 'stop'), { data: '[DONE]' }]
        .map((e) => `data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\r\n\r\n`)
        .join(''),
    );
    const adapter = adapterFor(CHAT);
    const outcomes = new Set<string>();
    for (let cut = 1; cut < sse.length; cut += 1) {
      async function* upstream() {
        yield sse.subarray(0, cut);
        yield sse.subarray(cut);
      }
      let out = '';
      const sink = {
        open: () => {},
        write: async (t: string) => void (out += t),
        end: () => {},
        signal: new AbortController().signal,
      };
      const session = (adapter.openStream as NonNullable<typeof adapter.openStream>)(
        adapter.parse(Buffer.from(JSON.stringify(CHAT_STREAM))),
      );
      const result = await relayStream({
        events: upstream(),
        session,
        sink,
        classifier,
        rules: BLOCK,
        estimatedPromptTokens: 1,
      });
      outcomes.add(`${result.error} ${leaksIn(out, [KEY]).length} ${out.includes('\ufffd')}`);
    }
    expect([...outcomes]).toEqual(['ERR_RESPONSE_BLOCKED 0 false']);
  });
});
