// Streamed answers, closed: a secret the default policy blocks, planted in any string of any event (tool-call names,
// ids, stop sequences, annotations, unknown fields...), never reaches the client's bytes; the stream ends as
// ERR_RESPONSE_BLOCKED (or, for a shape the session refuses, ERR_UPSTREAM_BAD_RESPONSE) before that event is written.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { relayStream, type StreamSink } from '../../../src/pipeline/stream-relay.ts';
import { adapterFor, type Api } from '../../../src/providers/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(9) });
const SECRET = 'AKIAQ3EGUJXVB7WJ4K2P';
const BLOCK = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY'] };

const REQUESTS: Record<Exclude<Api, 'openai.embeddings'>, Record<string, unknown>> = {
  'openai.chat_completions': { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
  'openai.completions': { model: 'm', stream: true, prompt: 'hi' },
  'openai.responses': { model: 'm', stream: true, input: 'hi' },
  'anthropic.messages': { model: 'm', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
};

type Event = { event?: string; data: unknown };

export async function relay(api: keyof typeof REQUESTS, events: readonly Event[], rules = BLOCK) {
  const adapter = adapterFor(api);
  const request = adapter.parse(Buffer.from(JSON.stringify(REQUESTS[api])));
  const sse = events
    .map(
      (e) =>
        `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`,
    )
    .join('');
  async function* upstream() {
    yield Buffer.from(sse, 'utf8');
  }
  let out = '';
  const sink: StreamSink = {
    open: () => {},
    write: async (t) => void (out += t),
    end: () => {},
    signal: new AbortController().signal,
  };
  const session = (adapter.openStream as NonNullable<typeof adapter.openStream>)(request);
  const result = await relayStream({ events: upstream(), session, sink, classifier, rules, estimatedPromptTokens: 1 });
  const final = result.finalEvent === null ? '' : JSON.stringify(result.finalEvent);
  return { result, out: out + final };
}

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini' };
const chunk = (
  delta: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  choice: Record<string, unknown> = {},
) => ({ data: { ...base, choices: [{ index: 0, delta, finish_reason: null, ...choice }], ...extra } });
const chat = (...middle: Event[]): Event[] => [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Hello' }),
  ...middle,
  chunk({}, {}, { finish_reason: 'stop' }),
  { data: '[DONE]' },
];
const call = (fn: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  chunk({ tool_calls: [{ index: 0, ...extra, function: fn }] });

const a = (type: string, rest: Record<string, unknown>): Event => ({ event: type, data: { type, ...rest } });
const message = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude',
  content: [],
  stop_reason: null,
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 1 },
};
const anthropic = (...blocks: Event[]): Event[] => [
  a('message_start', { message }),
  ...blocks,
  a('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }),
  a('message_stop', {}),
];
const textBlock = [
  a('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  a('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello' } }),
  a('content_block_stop', { index: 0 }),
];

const r = (type: string, rest: Record<string, unknown>): Event => ({ event: type, data: { type, ...rest } });
const resp = (extra: Record<string, unknown> = {}) => ({
  id: 'resp_1',
  object: 'response',
  created_at: 0,
  model: 'gpt-4o-mini',
  status: 'in_progress',
  output: [],
  ...extra,
});
const responses = (...middle: Event[]): Event[] => [
  r('response.created', { response: resp() }),
  ...middle,
  r('response.completed', {
    response: resp({ status: 'completed', usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } }),
  }),
];
const fnItem = (name: string) => ({
  type: 'function_call',
  id: 'fc_1',
  call_id: 'call_1',
  name,
  arguments: '',
  status: 'in_progress',
});

/** What the relay does: blocks the stream, refuses the event's shape (protocol error), or drops the field. */
type Outcome = 'blocked' | 'refused' | 'dropped';
const LEAKS: [Outcome, keyof typeof REQUESTS, string, Event[]][] = [
  [
    'blocked',
    'openai.chat_completions',
    'a tool-call name',
    chat(call({ name: SECRET, arguments: '' }, { id: 'call_1', type: 'function' })),
  ],
  [
    'blocked',
    'openai.chat_completions',
    'a tool-call id',
    chat(call({ name: 'f', arguments: '' }, { id: SECRET, type: 'function' })),
  ],
  [
    'refused',
    'openai.chat_completions',
    'a tool-call name split in two',
    chat(call({ name: SECRET.slice(0, 10) }, { id: 'c' }), call({ name: SECRET.slice(10) })),
  ],
  [
    'dropped',
    'openai.chat_completions',
    'an unknown chunk field',
    chat(chunk({ content: ' there' }, { provider_note: SECRET })),
  ],
  [
    'dropped',
    'openai.chat_completions',
    'an unknown choice field',
    chat(chunk({ content: ' there' }, {}, { citations: [SECRET] })),
  ],
  ['refused', 'openai.chat_completions', 'an unknown delta field', chat(chunk({ reasoning_content: SECRET }))],
  [
    'refused',
    'openai.chat_completions',
    'logprobs',
    chat(chunk({ content: 'x' }, {}, { logprobs: { content: [{ token: SECRET }] } })),
  ],
  [
    'blocked',
    'openai.chat_completions',
    'the model',
    [chunk({ role: 'assistant' }, { model: SECRET }), chunk({ content: 'x' }), { data: '[DONE]' }],
  ],
  // A label takes only the values the SDKs' types name (answer-labels.ts): refused before it is screened.
  ['refused', 'openai.chat_completions', 'the finish reason', chat(chunk({}, {}, { finish_reason: SECRET }))],
  ['dropped', 'openai.chat_completions', 'a key', chat(chunk({ content: 'x' }, { [SECRET]: 1 }))],
  [
    'dropped',
    'openai.completions',
    'an unknown field',
    [
      {
        data: {
          ...base,
          object: 'text_completion',
          choices: [{ index: 0, text: 'hi', finish_reason: null }],
          note: SECRET,
        },
      },
      { data: '[DONE]' },
    ],
  ],
  [
    'blocked',
    'anthropic.messages',
    'tool_use.name',
    anthropic(
      a('content_block_start', {
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: SECRET, input: {} },
      }),
    ),
  ],
  [
    'blocked',
    'anthropic.messages',
    'tool_use.id',
    anthropic(
      a('content_block_start', { index: 0, content_block: { type: 'tool_use', id: SECRET, name: 'f', input: {} } }),
    ),
  ],
  [
    'blocked',
    'anthropic.messages',
    'stop_sequence',
    [
      a('message_start', { message }),
      ...textBlock,
      a('message_delta', { delta: { stop_reason: 'stop_sequence', stop_sequence: SECRET } }),
      a('message_stop', {}),
    ],
  ],
  [
    'refused',
    'anthropic.messages',
    'a citations delta',
    anthropic(
      textBlock[0] as Event,
      a('content_block_delta', { index: 0, delta: { type: 'citations_delta', citation: { cited_text: SECRET } } }),
    ),
  ],
  [
    'blocked',
    'anthropic.messages',
    'an unknown message field',
    [a('message_start', { message: { ...message, container: { id: SECRET } } }), ...textBlock, a('message_stop', {})],
  ],
  [
    'blocked',
    'anthropic.messages',
    'an unknown delta field',
    anthropic(
      textBlock[0] as Event,
      a('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'x', note: SECRET } }),
    ),
  ],
  [
    'blocked',
    'openai.responses',
    'a function name',
    responses(r('response.output_item.added', { output_index: 0, item: fnItem(SECRET) })),
  ],
  [
    'blocked',
    'openai.responses',
    'instructions',
    [
      r('response.created', { response: resp({ instructions: `never say ${SECRET}` }) }),
      r('response.completed', { response: resp() }),
    ],
  ],
  [
    'blocked',
    'openai.responses',
    'annotations',
    responses(
      r('response.output_item.added', {
        output_index: 0,
        item: { type: 'message', id: 'm', role: 'assistant', content: [] },
      }),
      r('response.content_part.added', {
        item_id: 'm',
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [{ url: SECRET }] },
      }),
    ),
  ],
  [
    'blocked',
    'openai.responses',
    'logprobs',
    responses(
      r('response.output_item.added', {
        output_index: 0,
        item: { type: 'message', id: 'm', role: 'assistant', content: [] },
      }),
      r('response.output_text.delta', {
        item_id: 'm',
        output_index: 0,
        content_index: 0,
        delta: 'x',
        logprobs: [{ token: SECRET }],
      }),
    ),
  ],
  [
    'blocked',
    'openai.responses',
    'reasoning encrypted_content',
    responses(
      r('response.output_item.done', {
        output_index: 0,
        item: { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: SECRET },
      }),
    ),
  ],
  [
    'refused',
    'openai.responses',
    'an unknown event',
    responses(r('response.reasoning_summary_text.delta', { delta: SECRET })),
  ],
];

describe('relayStream: every string of every event is screened or refused', () => {
  const END = { blocked: 'ERR_RESPONSE_BLOCKED', refused: 'ERR_UPSTREAM_BAD_RESPONSE', dropped: null } as const;

  it.each(LEAKS)('%s: %s, a blocked secret in %s never reaches the client', async (outcome, api, _where, events) => {
    const { result, out } = await relay(api, events);
    expect(out).not.toContain(SECRET);
    expect(result.error).toBe(END[outcome]);
  });

  it.each(LEAKS)(
    '%s: %s, %s, cleaned of the secret, relays (unless its shape is refused)',
    async (outcome, api, _where, events) => {
      const clean = JSON.parse(JSON.stringify(events).replaceAll(SECRET, 'plainword')) as Event[];
      const { result } = await relay(api, clean);
      expect(result.error).toBe(outcome === 'refused' ? 'ERR_UPSTREAM_BAD_RESPONSE' : null);
    },
  );

  it('drops unknown chunk fields rather than relaying them (chat)', async () => {
    const { result, out } = await relay(
      'openai.chat_completions',
      chat(chunk({ content: ' there' }, { obfuscation: 'zzqqxx' }, { extra: 'yyy' })),
    );
    expect(result.error).toBeNull();
    expect(out).not.toMatch(/zzqqxx|yyy/);
  });

  it('redacts a value in a field and repeats the redacted form in the text events it adds', async () => {
    const events = [
      chunk({ role: 'assistant', content: '' }, { model: 'alice@acmecorp.io' }),
      chunk({ content: 'Hello ' }),
      chunk({ content: 'world' }),
      chunk({}, {}, { finish_reason: 'stop' }),
      { data: '[DONE]' },
    ];
    const { result, out } = await relay('openai.chat_completions', events);
    expect(result).toMatchObject({ error: null, action: 'redacted' });
    expect(out).not.toContain('alice@acmecorp.io');
    expect(out).toContain('[EMAIL_1]');
  });

  it.each([
    ['openai.chat_completions', chat({ data: { error: { message: `bad key ${SECRET}`, type: 'server_error' } } })],
    [
      'anthropic.messages',
      anthropic(...textBlock, a('error', { error: { type: 'overloaded_error', message: SECRET } })),
    ],
    ['openai.responses', responses(r('error', { code: 'x', message: SECRET }))],
    ['openai.responses', responses(r('response.failed', { response: resp({ error: { message: SECRET } }) }))],
  ] as const)('%s: an upstream error event is never relayed, whatever it says', async (api, events) => {
    const { result, out } = await relay(api, events);
    expect(result.error).toBe('ERR_UPSTREAM_ERROR');
    expect(out).not.toContain(SECRET);
  });

  it('ends a stream whose event nests deeper than the walk goes (fail closed)', async () => {
    let deep: unknown = SECRET;
    for (let i = 0; i < 200; i += 1) deep = { d: deep };
    const { result, out } = await relay('anthropic.messages', [
      a('message_start', { message: { ...message, deep } }),
      ...textBlock,
      a('message_stop', {}),
    ]);
    expect(result.error).toBe('ERR_UPSTREAM_BAD_RESPONSE');
    expect(out).not.toContain(SECRET);
  });

  it('classifies a value every chunk repeats once', async () => {
    const events = [
      chunk({ role: 'assistant' }, { model: 'alice@acmecorp.io' }),
      ...Array.from({ length: 20 }, () => chunk({ content: 'x' })),
      { data: '[DONE]' },
    ];
    const { result } = await relay('openai.chat_completions', events, { redact: [], block: [] });
    expect(result.classification.types.EMAIL).toBe(1);
  });
});
