// Round 7 of the attacker's review (issue #14), streams: one hold-back scanner reads every text channel of an answer in
// the order pushed (stream-scanner.ts), while a client joins each channel's deltas by its index. An upstream that goes
// back to an earlier channel (tool call, content block, output item, content part) after another's text is the
// attack. Holes are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { describe, expect, it } from 'vitest';
import { chatChunk } from './fixtures.ts';
import { relayScripted, type ScriptedEvent } from './relay-harness.ts';
import { CHAT, HALVES, holdsBoth, RULES } from './round7-helpers.ts';

/** One Responses stream event before numbering: its type without `response.`, and its data. */
type Step = readonly [string, Record<string, unknown>];
const PART = { type: 'output_text', text: '', annotations: [] };
const message = (o: number, text?: string) => ({
  type: 'message',
  id: `msg_${o}`,
  status: text === undefined ? 'in_progress' : 'completed',
  role: 'assistant',
  content: text === undefined ? [] : [{ ...PART, text }],
});
const functionCall = (o: number) => ({
  type: 'function_call',
  id: `fc_${o}`,
  call_id: `call_${o}`,
  name: 'f',
  arguments: '',
  status: 'in_progress',
});
const added = (o: number, item: unknown): Step => ['output_item.added', { output_index: o, item }];
const partAdded = (o: number, c = 0): Step => [
  'content_part.added',
  { item_id: `msg_${o}`, output_index: o, content_index: c, part: PART },
];
const textDelta = (o: number, delta: string, c = 0): Step => [
  'output_text.delta',
  { item_id: `msg_${o}`, output_index: o, content_index: c, delta },
];
const argsDelta = (o: number, delta: string): Step => [
  'function_call_arguments.delta',
  { item_id: `fc_${o}`, output_index: o, delta },
];
/** A Responses stream: `steps` numbered in order between response.created and response.completed. */
function responsesStream(steps: readonly Step[]): ScriptedEvent[] {
  const response = (status: string) => ({
    id: 'resp_1',
    object: 'response',
    created_at: 0,
    status,
    model: 'm',
    output: [],
  });
  const all: Step[] = [
    ['created', { response: response('in_progress') }],
    ...steps,
    ['completed', { response: response('completed') }],
  ];
  return all.map(([type, data], sequence) => ({
    event: `response.${type}`,
    data: { type: `response.${type}`, sequence_number: sequence, ...data },
  }));
}
const RESPONSES_REQUEST = { model: 'echo-1', stream: true, input: 'hi' };

describe('streams: a text channel resumed after another channel’s text', () => {
  const CHAT_REQUEST = { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] };
  const chunk = chatChunk;
  /** A delta of tool call `index`'s arguments; the first one opens the call. */
  const call = (index: number, args: string, first = false) =>
    chunk({
      tool_calls: [
        first
          ? { index, id: `call_${index}`, type: 'function', function: { name: 'f', arguments: args } }
          : { index, function: { arguments: args } },
      ],
    });
  const chatStream = (middle: ScriptedEvent[]) => [
    chunk({ role: 'assistant', content: null }),
    ...middle,
    chunk({}, 'tool_calls'),
    { data: '[DONE]' },
  ];

  const ANTHROPIC_REQUEST = {
    model: 'echo-1',
    max_tokens: 50,
    stream: true,
    messages: [{ role: 'user', content: 'hi' }],
  };
  const a = (type: string, data: Record<string, unknown> = {}): ScriptedEvent => ({
    event: type,
    data: { type, ...data },
  });
  const anthropicStream = (middle: ScriptedEvent[], stop: string) => [
    a('message_start', {
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'x',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    }),
    ...middle,
    a('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 5 } }),
    a('message_stop'),
  ];
  const text = (index: number, t: string) =>
    a('content_block_delta', { index, delta: { type: 'text_delta', text: t } });
  const json = (index: number, t: string) =>
    a('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: t } });
  const start = (index: number, block: Record<string, unknown>) =>
    a('content_block_start', { index, content_block: block });

  // HOLE (closed, providers/stream-channel-order.ts, used by openai-stream.ts, anthropic-stream.ts and
  // openai-responses-stream.ts): one scanner reads every channel's text in the order pushed, and a partial match held
  // at a channel's end was released once another channel's text followed it, so an upstream that went back to an
  // earlier channel (tool call 0, 1, 0; Anthropic block 0, 1, 0; Responses output 0, 1, 0) put `AKIAZ3MQWX` | `hello`
  // | `R5TLPB6Y7N` through the scanner while the client joined channel 0's deltas into the key. The readers now hold
  // the upstream to one channel at a time, as OpenAI and Anthropic stream one tool call, block, item and content part
  // at a time: text for a channel after another channel's text, or after its own end (content_block_stop, `.done`),
  // is a protocol error (ERR_UPSTREAM_BAD_RESPONSE) before it is relayed.
  it('chat stream: tool call 0’s arguments resumed after tool call 1’s are not relayed whole', async () => {
    const events = chatStream([
      call(0, '{"k":"AKIAZ3MQWX', true),
      call(1, '{"k":"hello', true),
      call(0, 'R5TLPB6Y7N"}'),
    ]);
    const { out } = await relayScripted(CHAT, CHAT_REQUEST, events, RULES);
    expect(holdsBoth(out)).toBe(false);
  });
  it.each([
    ['text block 0 resumed after block 1’s text', { type: 'text', text: '' }, text, [HALVES[0], 'hello', HALVES[1]]],
    [
      'tool input 0 resumed after tool input 1',
      { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} },
      json,
      ['{"k":"AKIAZ3MQWX', '{"k":"hello"}', 'R5TLPB6Y7N"}'],
    ],
  ] as const)('anthropic stream: %s is not relayed whole', async (_name, block, delta, [first, other, last]) => {
    const events = anthropicStream(
      [
        start(0, block),
        delta(0, first),
        start(1, block),
        delta(1, other),
        delta(0, last),
        a('content_block_stop', { index: 0 }),
        a('content_block_stop', { index: 1 }),
      ],
      block.type === 'text' ? 'end_turn' : 'tool_use',
    );
    const { out } = await relayScripted('anthropic.messages', ANTHROPIC_REQUEST, events, RULES);
    expect(holdsBoth(out)).toBe(false);
  });
  it('anthropic stream: text block 0 given a delta after its content_block_stop is not relayed whole', async () => {
    // The SDK's accumulator appends a delta to its block by index, stopped or not; the reader takes it too.
    const events = anthropicStream(
      [
        start(0, { type: 'text', text: '' }),
        text(0, HALVES[0]),
        a('content_block_stop', { index: 0 }),
        start(1, { type: 'text', text: '' }),
        text(1, 'hello'),
        a('content_block_stop', { index: 1 }),
        text(0, HALVES[1]),
      ],
      'end_turn',
    );
    const { out } = await relayScripted('anthropic.messages', ANTHROPIC_REQUEST, events, RULES);
    expect(holdsBoth(out)).toBe(false);
  });
  it('responses stream: output item 0’s text resumed after item 1’s is not relayed whole', async () => {
    const opened = [added(0, message(0)), partAdded(0), added(1, message(1)), partAdded(1)];
    const events = responsesStream([
      ...opened,
      textDelta(0, HALVES[0]),
      textDelta(1, 'hello'),
      textDelta(0, HALVES[1]),
    ]);
    const { out } = await relayScripted('openai.responses', RESPONSES_REQUEST, events, RULES);
    expect(holdsBoth(out)).toBe(false);
  });
  it.each([
    [
      'two content parts of one item interleaved',
      [added(0, message(0)), partAdded(0, 0), partAdded(0, 1), textDelta(0, HALVES[0]), textDelta(0, 'hello', 1)],
    ],
    [
      'two function calls’ argument deltas interleaved',
      [
        added(0, functionCall(0)),
        added(1, functionCall(1)),
        argsDelta(0, '{"k":"AKIAZ3MQWX'),
        argsDelta(1, '{"k":"hello"}'),
      ],
    ],
    [
      'output item 0 given a delta after its output_item.done',
      [
        added(0, message(0)),
        partAdded(0),
        textDelta(0, HALVES[0]),
        ['output_item.done', { output_index: 0, item: message(0, HALVES[0]) }] as Step,
        added(1, message(1)),
        partAdded(1),
        textDelta(1, 'hello'),
      ],
    ],
  ] as const)('responses stream: %s is not relayed whole', async (name, steps) => {
    const last = name.includes('function') ? argsDelta(0, 'R5TLPB6Y7N"}') : textDelta(0, HALVES[1]);
    const { out } = await relayScripted(
      'openai.responses',
      RESPONSES_REQUEST,
      responsesStream([...steps, last]),
      RULES,
    );
    expect(holdsBoth(out)).toBe(false);
  });
  it('control: the same deltas without a second channel between, or with an empty one, are blocked', async () => {
    const alone = chatStream([call(0, '{"k":"AKIAZ3MQWX', true), call(0, 'R5TLPB6Y7N"}')]);
    expect(holdsBoth((await relayScripted(CHAT, CHAT_REQUEST, alone, RULES)).out)).toBe(false);
    const empty = chatStream([call(0, '{"k":"AKIAZ3MQWX', true), call(1, '', true), call(0, 'R5TLPB6Y7N"}')]);
    expect(holdsBoth((await relayScripted(CHAT, CHAT_REQUEST, empty, RULES)).out)).toBe(false);
    const responses = responsesStream([
      added(0, message(0)),
      partAdded(0),
      textDelta(0, HALVES[0]),
      textDelta(0, HALVES[1]),
    ]);
    const relayed = await relayScripted('openai.responses', RESPONSES_REQUEST, responses, RULES);
    expect(holdsBoth(relayed.out)).toBe(false);
  });
  it('control: chat content resumed after a tool call’s arguments is blocked', async () => {
    const events = chatStream([chunk({ content: HALVES[0] }), call(0, 'hello', true), chunk({ content: HALVES[1] })]);
    expect(holdsBoth((await relayScripted(CHAT, CHAT_REQUEST, events, RULES)).out)).toBe(false);
  });
});

describe('controls: the one-channel-at-a-time rule (402bb83) against other Responses orderings', () => {
  const resumed = (between: readonly Step[]) =>
    responsesStream([added(0, message(0)), partAdded(0), textDelta(0, HALVES[0]), ...between, textDelta(0, HALVES[1])]);
  it('text resumed after a refusal delta, another item’s arguments or its own output_text.done is never relayed whole', async () => {
    const betweens: Step[][] = [
      [['refusal.delta', { item_id: 'msg_0', output_index: 0, content_index: 0, delta: 'hello' }]],
      [added(1, functionCall(1)), argsDelta(1, '{"a":"hello"}')],
      [['output_text.done', { item_id: 'msg_0', output_index: 0, content_index: 0, text: HALVES[0] }]],
      [added(0, message(0)), partAdded(0)],
    ];
    for (const between of betweens) {
      const { out, result } = await relayScripted('openai.responses', RESPONSES_REQUEST, resumed(between), RULES);
      expect({ whole: holdsBoth(out), error: result.error }).toEqual({
        whole: false,
        error: 'ERR_UPSTREAM_BAD_RESPONSE',
      });
    }
  });
});
