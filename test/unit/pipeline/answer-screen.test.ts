// Non-streaming answers and upstream errors, closed: a secret the default policy blocks, planted in every field an
// upstream was seen to leak through (and in unknown fields and keys), never reaches the client's bytes.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { shapeReply } from '../../../src/pipeline/failures.ts';
import { screenResponse } from '../../../src/pipeline/response-screen.ts';
import { upstreamErrorReply } from '../../../src/pipeline/upstream-error.ts';
import { ANSWER_MAX_NODES, adapterFor, type Api } from '../../../src/providers/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });
/** An AWS access key id the default policy blocks in answers (AKIAIOSFODNN7EXAMPLE is a known placeholder: ignored). */
const SECRET = 'AKIAQ3EGUJXVB7WJ4K2P';
const BLOCK = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY'] };

const chat = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  system_fingerprint: 'fp_44709d6fcb',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'hello', refusal: null, ...message },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  ...extra,
});
const responses = (output: unknown[], extra: Record<string, unknown> = {}) => ({
  id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
  object: 'response',
  created_at: 1,
  status: 'completed',
  model: 'gpt-4o-mini',
  output,
  usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
  ...extra,
});
const message = (part: Record<string, unknown>) => ({
  type: 'message',
  id: 'msg_1',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text: 'hi', annotations: [], ...part }],
});
const anthropic = (content: unknown[], extra: Record<string, unknown> = {}) => ({
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content,
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 1 },
  ...extra,
});

const LEAKS: [Api, string, unknown][] = [
  ['openai.chat_completions', 'reasoning_content', chat({ reasoning_content: `thinking: ${SECRET}` })],
  [
    'openai.chat_completions',
    'audio.transcript',
    chat({ audio: { id: 'audio_1', data: '', expires_at: 1, transcript: `say ${SECRET}` } }),
  ],
  [
    'openai.chat_completions',
    'annotations',
    chat({
      annotations: [
        {
          type: 'url_citation',
          url_citation: { url: `https://x.test/${SECRET}`, title: 't', start_index: 0, end_index: 1 },
        },
      ],
    }),
  ],
  [
    'openai.chat_completions',
    'tool_calls[].function.name',
    chat({ tool_calls: [{ id: 'call_1', type: 'function', function: { name: SECRET, arguments: '{}' } }] }),
  ],
  [
    'openai.chat_completions',
    'tool_calls[].id',
    chat({ tool_calls: [{ id: SECRET, type: 'function', function: { name: 'f', arguments: '{}' } }] }),
  ],
  [
    'openai.chat_completions',
    'function_call.arguments',
    chat({ function_call: { name: 'f', arguments: `{"k":"${SECRET}"}` } }),
  ],
  [
    'openai.chat_completions',
    'logprobs',
    {
      ...chat({}),
      choices: [
        {
          ...chat({}).choices[0],
          logprobs: { content: [{ token: SECRET, logprob: -1, bytes: [65], top_logprobs: [] }] },
        },
      ],
    },
  ],
  ['openai.chat_completions', 'an unknown field', chat({}, { provider_notes: { text: SECRET } })],
  ['openai.chat_completions', 'a key', chat({}, { [SECRET]: 1 })],
  ['openai.chat_completions', 'model', chat({}, { model: SECRET })],
  [
    'openai.completions',
    'choices[].text',
    {
      id: 'cmpl-1',
      object: 'text_completion',
      model: 'm',
      choices: [{ index: 0, text: SECRET, finish_reason: 'stop' }],
    },
  ],
  [
    'openai.completions',
    'logprobs.tokens',
    {
      id: 'cmpl-1',
      object: 'text_completion',
      model: 'm',
      choices: [{ index: 0, text: 'a', logprobs: { tokens: [SECRET], token_logprobs: [-1] }, finish_reason: 'stop' }],
    },
  ],
  [
    'openai.embeddings',
    'an unknown field',
    { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1] }], model: 'm', note: SECRET },
  ],
  [
    'openai.responses',
    'annotations',
    responses([message({ annotations: [{ type: 'url_citation', url: `https://x.test/?k=${SECRET}`, title: 't' }] })]),
  ],
  ['openai.responses', 'logprobs', responses([message({ logprobs: [{ token: SECRET, logprob: -1 }] })])],
  ['openai.responses', 'instructions', responses([message({})], { instructions: `never say ${SECRET}` })],
  [
    'openai.responses',
    'function name',
    responses([
      { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: SECRET, arguments: '{}', status: 'completed' },
    ]),
  ],
  [
    'openai.responses',
    'reasoning encrypted_content',
    responses([{ type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: SECRET }]),
  ],
  [
    'openai.responses',
    'an unknown output item',
    responses([{ type: 'web_search_call', id: 'ws_1', action: { query: SECRET } }]),
  ],
  [
    'anthropic.messages',
    'tool_use.name',
    anthropic([{ type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: SECRET, input: {} }]),
  ],
  [
    'anthropic.messages',
    'tool_use input key',
    anthropic([{ type: 'tool_use', id: 'toolu_1', name: 'f', input: { [SECRET]: 'v' } }]),
  ],
  [
    'anthropic.messages',
    'citations',
    anthropic([
      { type: 'text', text: 'hi', citations: [{ type: 'char_location', cited_text: SECRET, document_index: 0 }] },
    ]),
  ],
  [
    'anthropic.messages',
    'stop_sequence',
    anthropic([{ type: 'text', text: 'hi' }], { stop_reason: 'stop_sequence', stop_sequence: SECRET }),
  ],
  ['anthropic.messages', 'thinking', anthropic([{ type: 'thinking', thinking: SECRET, signature: 'sig' }])],
];

describe('screenResponse: every string and key of an answer is screened', () => {
  it.each(LEAKS)('%s: a blocked secret in %s withholds the answer', async (api, _where, body) => {
    const screened = await screenResponse(adapterFor(api), classifier, body, BLOCK);
    expect(screened.blocked).toEqual({ types: ['AWS_ACCESS_KEY'], error: 'ERR_RESPONSE_BLOCKED' });
    expect(JSON.stringify(screened.body ?? null)).not.toContain(SECRET);
  });

  it.each(LEAKS)('%s: a secret in %s is counted even with no obligation', async (api, _where, body) => {
    const screened = await screenResponse(adapterFor(api), classifier, body, { redact: [], block: [] });
    expect(screened.classification?.types.AWS_ACCESS_KEY).toBeGreaterThan(0);
  });

  it('does not block the ids, models and tokens of ordinary answers', async () => {
    for (const [api, , body] of LEAKS) {
      const clean = JSON.parse(JSON.stringify(body).replaceAll(SECRET, 'plain words')) as unknown;
      expect((await screenResponse(adapterFor(api), classifier, clean, BLOCK)).blocked, api).toBeNull();
    }
  });

  it('redacts a value wherever it sits, by its exact steps, even under a key holding "." or "["', async () => {
    const body = {
      ...chat({ tool_calls: [{ id: 'bob@acmecorp.io', type: 'function', function: { name: 'f', arguments: '{}' } }] }),
      'a.b': 'alice@acmecorp.io',
      a: { b: 'ok' },
    };
    const screened = await screenResponse(adapterFor('openai.chat_completions'), classifier, body, BLOCK);
    expect(screened.action).toBe('redacted');
    const out = screened.body as typeof body;
    expect(out['a.b']).toBe('[EMAIL_2]');
    expect(out.a.b).toBe('ok');
    expect(JSON.stringify(out)).not.toMatch(/@acmecorp\.io/);
    expect(JSON.stringify(body)).toContain('bob@acmecorp.io'); // the input is not mutated
  });

  it('blocks an answer whose key holds a value of a redacted type (a key cannot be redacted in place)', async () => {
    const screened = await screenResponse(
      adapterFor('openai.chat_completions'),
      classifier,
      chat({}, { 'alice@acmecorp.io': 1 }),
      BLOCK,
    );
    expect(screened.blocked).toEqual({ types: ['EMAIL'], error: 'ERR_RESPONSE_BLOCKED' });
  });

  it('withholds an answer nested deeper than it walks as a bad upstream answer (502, no stack overflow)', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    const screened = await screenResponse(adapterFor('openai.chat_completions'), classifier, chat({}, { deep }), BLOCK);
    expect(screened.blocked?.error).toBe('ERR_UPSTREAM_BAD_RESPONSE');
  });

  it('withholds an answer of more values and keys than it walks as a bad upstream answer', async () => {
    const wide = Array.from({ length: ANSWER_MAX_NODES }, () => ({}));
    const screened = await screenResponse(adapterFor('openai.chat_completions'), classifier, chat({}, { wide }), BLOCK);
    expect(screened).toMatchObject({ body: null, action: 'blocked', blocked: { error: 'ERR_UPSTREAM_BAD_RESPONSE' } });
  });
});

describe('screenResponse: findings past the cap', () => {
  const emails = (n: number) => Array.from({ length: n }, (_, i) => `user${i}@contoso-mail.com`);
  const screen = (extra: Record<string, unknown>, rules = BLOCK, maxFindings = 4) =>
    screenResponse(adapterFor('openai.chat_completions'), classifier, chat({}, extra), rules, { maxFindings });

  it('counts every finding exactly and redacts when all were kept', async () => {
    // Cap 6: the key-joins call also reads `finish_reason`'s closed label glued to the list's first two addresses
    // (answer-key-joins.ts readClosedLabels), copies its own cap counts though they are no spanning piece.
    const screened = await screen({ list: emails(4) }, BLOCK, 6);
    expect(screened.action).toBe('redacted');
    expect(screened.classification).toEqual({ finding_count: 4, types: { EMAIL: 4 } });
  });

  it('withholds an answer with a type to redact once findings pass the cap (never half-redacted)', async () => {
    const screened = await screen({ list: emails(5) });
    expect(screened.classification).toEqual({ finding_count: 5, types: { EMAIL: 5 } });
    expect(screened.blocked).toEqual({ types: ['EMAIL'], error: 'ERR_RESPONSE_BLOCKED' });
    expect(JSON.stringify(screened.body ?? '')).not.toContain('contoso');
  });

  it('blocks on a blocked type found only past the cap (read from the exact counts)', async () => {
    // The secret first: a name glued after the last e-mail (`z`) is read beside it (document order), and past the
    // cap that e-mail is not located, so the crossing `…comz` would be counted once more.
    const screened = await screen({ z: SECRET, list: emails(6) }, { redact: [], block: ['AWS_ACCESS_KEY'] });
    expect(screened.classification?.types).toEqual({ EMAIL: 6, AWS_ACCESS_KEY: 1 });
    expect(screened.blocked).toEqual({ types: ['AWS_ACCESS_KEY'], error: 'ERR_RESPONSE_BLOCKED' });
  });

  it('relays an answer past the cap when no type found is to be redacted or blocked', async () => {
    const screened = await screen({ list: emails(6) }, { redact: [], block: ['AWS_ACCESS_KEY'] });
    expect(screened).toMatchObject({ action: 'none', blocked: null, classification: { finding_count: 6 } });
  });

  it('keeps no more findings in memory than the cap, values and key lists together', async () => {
    const seen: number[] = [];
    const counting = {
      classify: (segments: Parameters<typeof classifier.classify>[0], options?: { maxFindings?: number }) => {
        const result = classifier.classify(segments, options);
        seen.push(options?.maxFindings ?? -1);
        return result;
      },
    };
    const keys = Object.fromEntries(emails(3).map((e) => [e, 1]));
    await screenResponse(adapterFor('openai.chat_completions'), counting, chat({}, { list: emails(3), keys }), BLOCK, {
      maxFindings: 4,
    });
    expect(seen).toEqual([4, 4, 4]);
  });
});

describe('upstreamErrorReply: an upstream message is screened before it is shown', () => {
  it('shows a clean message with its closed type and code', () => {
    const { status, body } = upstreamErrorReply(
      400,
      { error: { message: "Invalid value for 'temperature'", type: 'invalid_request_error', code: 'invalid_value' } },
      'r',
      classifier,
    );
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: 'ERR_UPSTREAM_ERROR',
      message: "Invalid value for 'temperature'",
      upstream_type: 'invalid_request_error',
      upstream_code: 'invalid_value',
      upstream_status: 400,
    });
  });

  it.each([
    ['message', { error: { message: `bad key ${SECRET}`, type: 'invalid_request_error' } }],
    ['message with PII', { error: { message: 'no user alice@acmecorp.io', type: 'invalid_request_error' } }],
    ['type', { error: { message: 'bad', type: SECRET } }],
    ['code', { error: { message: 'bad', code: `x ${SECRET}` } }],
    ['param and other fields', { error: { message: 'bad', param: SECRET, detail: SECRET }, extra: SECRET }],
    [
      'anthropic message',
      { type: 'error', error: { type: 'invalid_request_error', message: `tool ${SECRET} unknown` } },
    ],
  ])('never copies a secret in the upstream %s', (_where, upstream) => {
    const { body } = upstreamErrorReply(400, upstream, 'r', classifier);
    expect(JSON.stringify(body)).not.toContain(SECRET);
    expect(JSON.stringify(body)).not.toContain('alice@acmecorp.io');
    expect((body.error as { code: string }).code).toBe('ERR_UPSTREAM_ERROR');
  });

  it('keeps the screened upstream fields in both API shapes', () => {
    const reply = upstreamErrorReply(
      429,
      { error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
      'r',
      classifier,
    );
    const upstream = { upstream_status: 429, upstream_type: 'rate_limit_error', upstream_code: 'rate_limit_exceeded' };
    expect(
      shapeReply('openai.chat_completions', { status: reply.status, headers: {}, body: reply.body }).body,
    ).toMatchObject({ error: upstream });
    expect(
      shapeReply('anthropic.messages', { status: reply.status, headers: {}, body: reply.body }).body,
    ).toMatchObject({ error: upstream });
  });

  it('withholds a message it cannot classify, and one too long to show whole', () => {
    const broken = {
      classify: () => {
        throw new Error('down');
      },
    };
    expect(upstreamErrorReply(500, { error: { message: 'fine' } }, 'r', broken).body.error).toMatchObject({
      message: expect.not.stringContaining('fine'),
    });
    const long = upstreamErrorReply(400, { error: { message: 'a '.repeat(600) } }, 'r', classifier);
    expect((long.body.error as { message: string }).message.length).toBeLessThan(200);
  });
});
