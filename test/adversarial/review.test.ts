// Review of issues 14-16 as an attacker: each test plants a value where the closed world should refuse or screen it.
// A hole found and not yet closed is recorded with `it.fails` and a comment naming it, so CI stays green until it is.
import { describe, expect, it } from 'vitest';
import { classifier, recordingPipeline } from './recording-pipeline.ts';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { adapterFor, type Api } from '../../src/providers/index.ts';
import { relayScripted, type ScriptedEvent, type StreamApi } from './relay-harness.ts';

async function send(api: Api, body: unknown) {
  const { handler, sent, records } = await recordingPipeline();
  const reply = await handler.handle({
    requestId: 'r',
    api,
    headers: {},
    body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
  });
  return { reply, sent, records };
}

/** A Visa test number that passes Luhn: it fits a JSON number exactly (below 2^53). */
const CARD = 4111111111111111;

describe('numbers carry values', () => {
  const schema = { type: 'object', properties: { pan: { type: 'integer', enum: [CARD] } } };
  it('a card number as a JSON number inside a tool schema is classified (the model reads the schema)', async () => {
    const { reply, sent } = await send('openai.chat_completions', {
      model: 'echo-1',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: schema } }],
    });
    for (const bytes of sent) expect(bytes).not.toContain(String(CARD));
    if (sent.length === 0) expect(reply.status).toBeGreaterThanOrEqual(400);
  });
  it('the same card as a string is refused or redacted (control)', async () => {
    const { sent } = await send('openai.chat_completions', {
      model: 'echo-1',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { ...schema, description: String(CARD) } } }],
    });
    for (const bytes of sent) expect(bytes).not.toContain(String(CARD));
  });
  it('a card number in an Anthropic tool_use input', async () => {
    const { reply, sent } = await send('anthropic.messages', {
      model: 'echo-1',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: { pan: CARD } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
      ],
    });
    for (const bytes of sent) expect(bytes).not.toContain(String(CARD));
    if (sent.length === 0) expect(reply.status).toBeGreaterThanOrEqual(400);
  });
  it('a card number as seed or max_tokens', async () => {
    for (const field of ['seed', 'max_tokens']) {
      const { sent } = await send('openai.chat_completions', {
        model: 'echo-1',
        messages: [{ role: 'user', content: 'hi' }],
        [field]: CARD,
      });
      for (const bytes of sent) expect(bytes).not.toContain(String(CARD));
    }
  });
});

describe('numbers carry values in answers', () => {
  const answer = {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [{ type: 'tool_use', id: 'toolu_1', name: 'charge', input: { pan: CARD } }],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 },
  };
  it('a card number as a JSON number in a tool_use input is blocked', async () => {
    const screened = await screenResponse(adapterFor('anthropic.messages'), classifier, answer, {
      redact: [],
      block: ['CREDIT_CARD'],
    });
    expect(screened.blocked?.error).toBe('ERR_RESPONSE_BLOCKED');
    expect(JSON.stringify(screened.body ?? null)).not.toContain(String(CARD));
  });
  it('a card number as a JSON number in a tool_use input is redacted or withheld', async () => {
    const screened = await screenResponse(adapterFor('anthropic.messages'), classifier, answer, {
      redact: ['CREDIT_CARD'],
      block: [],
    });
    expect(JSON.stringify(screened.body ?? null)).not.toContain(String(CARD));
  });
  it('ordinary numbers (timestamps, usage, embeddings) are not findings', async () => {
    const embedding = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.4111111111111111] }] };
    const chat = { id: 'c', object: 'chat.completion', created: 1733480000, choices: [], usage: { total_tokens: 12 } };
    for (const [api, body] of [
      ['openai.embeddings', embedding],
      ['openai.chat_completions', chat],
    ] as const) {
      const screened = await screenResponse(adapterFor(api), classifier, body, { redact: [], block: ['CREDIT_CARD'] });
      expect(screened.blocked).toBeNull();
    }
  });
});

describe('evasions the classifier must read through', () => {
  const found = (text: string) => classifier.classify([{ path: 'p', text }]).findings.map((f) => f.type);
  const bmpDashes = [...Array(0x10000).keys()]
    .filter((c) => c < 0xd800 || c > 0xdfff)
    .map((c) => String.fromCharCode(c))
    .filter((ch) => /\p{Pd}/u.test(ch));
  it.each(bmpDashes.map((d) => [d.charCodeAt(0).toString(16), d]))('an SSN split by dash U+%s', (_code, dash) => {
    expect(found(`ssn 219${dash}09${dash}9999`)).toContain('US_SSN');
  });

  it.each([
    ['a lone high surrogate', 'AKIAQ3EG\ud800THV5RJ7YWU2P'],
    ['a lone low surrogate', 'AKIAQ3EG\udc00THV5RJ7YWU2P'],
    ['U+FFFD', 'AKIAQ3EG\ufffdTHV5RJ7YWU2P'],
  ])('an AWS key with %s inside (a decoder may drop it before the model reads)', (_what, text) => {
    expect(found(text)).toContain('AWS_ACCESS_KEY');
  });
  it('an SSN with a lone surrogate inside, through the request pipeline (JSON escape)', async () => {
    const raw = '{"model":"echo-1","messages":[{"role":"user","content":"my ssn is 219-0\\ud8009-9999"}]}';
    const { reply, sent } = await send('openai.chat_completions', raw);
    expect(JSON.parse(raw).messages[0].content).toContain('\ud800');
    expect(sent).toEqual([]);
    expect(reply.status).toBe(403);
  });

  // Closed: the digits view reads a run of groups of 1–3 digits (one kind of separator, 13–19 digits) as one number,
  // so a card regrouped in pairs or threes (a model reads it whole) is a card.
  it.each([
    ['card 41 11 11 11 11 11 11 11'],
    ['41-11-11-11-11-11-11-11'],
    ['378 282 246 310 005'],
    ['4 111 11 11 11 11 11 11'],
  ])('a card number regrouped: %s', (text) => {
    expect(found(text)).toContain('CREDIT_CARD');
  });
  it('groups of 1–3 that are no card stay apart (dates, IP addresses, mixed separators)', () => {
    expect(found('10.0.0.1 192.168.1.1 4.4.4.4')).not.toContain('CREDIT_CARD');
    expect(found('on 2026 12 06 at 14 45 37')).not.toContain('CREDIT_CARD');
  });
  // Closed: an AWS key written in groups of four (spaces or dashes) is an AWS key (its fingerprint is the key's).
  it('an AWS key in groups of four', () => {
    expect(found('AKIA Q3EG THV5 RJ7Y WU2P')).toContain('AWS_ACCESS_KEY');
    expect(found('AKIA-Q3EG-THV5-RJ7Y-WU2P')).toContain('AWS_ACCESS_KEY');
  });
  // Closed: a combining mark on a letter (Q + U+0307) survives NFKC when no precomposed letter exists; marks on any
  // ASCII letter or digit are now dropped when matching, so one dotted letter no longer hides the key.
  it('an AWS key with a combining mark on one letter', () => {
    expect(found('AKIAQ\u03073EGTHV5RJ7YWU2P')).toContain('AWS_ACCESS_KEY');
  });
  // Closed: hex written as separated bytes (xxd, Wireshark, a C array, `\x` escapes with spaces) is a decoded run.
  const pairs = Buffer.from('AKIAQ3EGTHV5RJ7YWU2P').toString('hex').match(/../g) as string[];
  it.each([
    ['spaced', pairs.join(' ')],
    ['a C array', `{ ${pairs.map((p) => `0x${p}`).join(', ')} }`],
    ['colons', pairs.join(':')],
    ['upper case, dashes', pairs.join('-').toUpperCase()],
    ['xxd groups of two bytes', (pairs.join('').match(/..../g) as string[]).join(' ')],
    ['spaced \\x escapes', pairs.map((p) => `\\x${p}`).join(' ')],
    ['lines of four bytes', (pairs.join(' ').match(/.{1,12}/g) as string[]).map((l) => l.trim()).join('\n')],
  ])('an AWS key as hex bytes, %s', (_how, text) => {
    expect(found(text)).toContain('AWS_ACCESS_KEY');
  });
});

describe('streams: a blocked key split across channels, choices or per-chunk ids', () => {
  const KEY = 'AKIAQ3EGTHV5RJ7YWU2P';
  const [HEAD, TAIL] = [KEY.slice(0, 10), KEY.slice(10)];
  const RULES = { redact: [], block: ['AWS_ACCESS_KEY'] };
  type Event = ScriptedEvent;
  const relay = (api: StreamApi, request: Record<string, unknown>, events: Event[]) =>
    relayScripted(api, request, events, RULES);
  /** Both halves reached the client (each in a field the client reads as text). */
  const leaked = (out: string) => out.includes(HEAD) && out.includes(TAIL);
  const chatReq = { model: 'm', stream: true, n: 2, messages: [{ role: 'user', content: 'hi' }] };
  const base = { object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini' };
  const chunk = (id: string, choices: unknown[]) => ({ data: { id, ...base, choices } });
  const delta = (index: number, d: Record<string, unknown>, finish: string | null = null) => ({
    index,
    delta: d,
    finish_reason: finish,
  });

  // Closed: one scanner reads every channel of the answer in order (a JSON text without the syntax at its edges), so
  // the text's tail is held until the arguments after it say whether they complete a value.
  it("chat: halves in content and in a tool call's arguments", async () => {
    const { out } = await relay('openai.chat_completions', { ...chatReq, n: 1 }, [
      chunk('c', [delta(0, { role: 'assistant', content: HEAD })]),
      chunk('c', [
        delta(0, {
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: TAIL } }],
        }),
      ]),
      chunk('c', [delta(0, {}, 'stop')]),
      { data: '[DONE]' },
    ]);
    expect(leaked(out)).toBe(false);
  });
  // Closed: the stream's scanners are per choice, so a stream may carry only the one choice asked for (n > 1 is
  // refused with stream=true; an upstream that sends choice 1 anyway ends the stream before it is relayed).
  it('chat: halves in two choices (n=2)', async () => {
    const { out } = await relay('openai.chat_completions', { ...chatReq, n: 1 }, [
      chunk('c', [delta(0, { role: 'assistant', content: HEAD }), delta(1, { role: 'assistant', content: TAIL })]),
      chunk('c', [delta(0, {}, 'stop'), delta(1, {}, 'stop')]),
      { data: '[DONE]' },
    ]);
    expect(leaked(out)).toBe(false);
  });
  it('chat: halves in the chunk id of two chunks', async () => {
    const { out } = await relay('openai.chat_completions', { ...chatReq, n: 1 }, [
      chunk(`chatcmpl-${HEAD}`, [delta(0, { role: 'assistant', content: 'a' })]),
      chunk(`chatcmpl-${TAIL}`, [delta(0, { content: 'b' })]),
      chunk('c', [delta(0, {}, 'stop')]),
      { data: '[DONE]' },
    ]);
    expect(out).not.toContain(TAIL);
  });
  it('chat: a key with a lone surrogate inside (a JSON escape), in one delta or split around it', async () => {
    const splits = [
      ['AKIAQ3EG\ud800THV5RJ7YWU2P'],
      ['AKIAQ3EG\ud800', 'THV5RJ7YWU2P'],
      ['AKIAQ3EG', '\udc00THV5RJ7YWU2P'],
    ];
    for (const parts of splits) {
      const { out } = await relay('openai.chat_completions', { ...chatReq, n: 1 }, [
        chunk('c', [delta(0, { role: 'assistant', content: '' })]),
        ...parts.map((content) => chunk('c', [delta(0, { content })])),
        chunk('c', [delta(0, {}, 'stop')]),
        { data: '[DONE]' },
      ]);
      expect(out).not.toContain('THV5RJ7YWU2P');
    }
  });
  // Closed: a text block's held tail is judged with the tool_use input after it; its content_block_stop waits.
  it('anthropic: halves in a text block and a tool_use input', async () => {
    const a = (type: string, rest: Record<string, unknown>): Event => ({ event: type, data: { type, ...rest } });
    const message = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'c',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    };
    const { out } = await relay(
      'anthropic.messages',
      { model: 'm', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      [
        a('message_start', { message }),
        a('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
        a('content_block_delta', { index: 0, delta: { type: 'text_delta', text: HEAD } }),
        a('content_block_stop', { index: 0 }),
        a('content_block_start', {
          index: 1,
          content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} },
        }),
        a('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: `{"k":"${TAIL}"}` } }),
        a('content_block_stop', { index: 1 }),
        a('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }),
        a('message_stop', {}),
      ],
    );
    expect(leaked(out)).toBe(false);
  });
});

describe('answers: the non-streamed parity the stream lacks', () => {
  it('chat: a key split over two choices is blocked', async () => {
    const choice = (index: number, content: string) => ({
      index,
      message: { role: 'assistant', content },
      finish_reason: 'stop',
    });
    const choices = [choice(0, 'AKIAQ3EGTH'), choice(1, 'V5RJ7YWU2P')];
    const body = { id: 'c', object: 'chat.completion', created: 1, model: 'g', choices };
    const screened = await screenResponse(adapterFor('openai.chat_completions'), classifier, body, {
      redact: [],
      block: ['AWS_ACCESS_KEY'],
    });
    expect(screened.blocked?.error).toBe('ERR_RESPONSE_BLOCKED');
  });
});

describe('values split over JSON array items', () => {
  const withSchema = (schema: unknown) => ({
    model: 'echo-1',
    messages: [{ role: 'user', content: 'hi' }],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: schema } } } }],
  });
  // Closed: the joined view reads `enum4111111111111111` (the key list `enum` glued before the items); only a digit
  // next to a value rules it out now, so the card is found.
  it.each([
    ['numbers', [4111, 1111, 1111, 1111]],
    ['strings', ['4111', '1111', '1111', '1111']],
  ])('a card in four %s of an enum', async (_what, items) => {
    const { reply, sent } = await send('openai.chat_completions', withSchema({ enum: items }));
    expect(sent).toEqual([]);
    expect(reply.status).toBeGreaterThanOrEqual(400);
  });
  it('an SSN in three strings of an enum', async () => {
    const schema = withSchema({ enum: ['219', '09', '9999'], description: 'ssn' });
    const { sent } = await send('openai.chat_completions', schema);
    expect(sent).toEqual([]);
  });
});

describe('SSNs and cards glued to a word', () => {
  const found = (text: string) => classifier.classify([{ path: 'p', text }]).findings.map((f) => f.type);
  // Closed (was high): the numeric recognizers needed a word boundary (`\b`), so a letter or `_` glued to an SSN or
  // a card hid it, and so did a previous content part or schema key ending in a letter (the joined view glues
  // segments). Now only a digit next to a value rules it out (`(?:^|[^0-9])(…)(?:[^0-9]|$)`, group 1, as for AWS keys).
  it.each([['ssn219-09-9999'], ['id_219-09-9999'], ['card x4111111111111111'], ['pan_4111111111111111']])(
    '%s',
    (text) => {
      expect(found(text).some((t) => t === 'US_SSN' || t === 'CREDIT_CARD')).toBe(true);
    },
  );
  it('a card in four content parts after one ending in a letter', async () => {
    const parts = ['my cardx', '4111', '1111', '1111', '1111'].map((text) => ({ type: 'text', text }));
    const body = { model: 'echo-1', messages: [{ role: 'user', content: parts }] };
    const { sent } = await send('openai.chat_completions', body);
    expect(sent).toEqual([]);
  });
});

describe("a key split between an answer's text and a tool call, not streamed", () => {
  const RULES = { redact: [], block: ['AWS_ACCESS_KEY'] };
  const [HEAD, TAIL] = ['AKIAQ3EGTH', 'V5RJ7YWU2P'];
  // Closed: the reading order (labels such as ids, types and names left out) joins the text and the arguments, and a
  // JSON text is joined without the syntax at its edges (`{"k":"`).
  it.each([
    ['raw arguments', TAIL],
    ['JSON arguments', `{"k":"${TAIL}","n":2}`],
    ['nested JSON arguments', `{ "outer": { "k": "${TAIL}" } }`],
  ])('chat: text then a tool call with %s', async (_what, args) => {
    const message = {
      role: 'assistant',
      content: `sure: ${HEAD}`,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: args } }],
    };
    const body = { id: 'c', object: 'chat.completion', created: 1, model: 'g', choices: [{ index: 0, message }] };
    const screened = await screenResponse(adapterFor('openai.chat_completions'), classifier, body, RULES);
    expect(screened.blocked?.error).toBe('ERR_RESPONSE_BLOCKED');
  });
  it('chat: a tool call then text (arguments end the key)', async () => {
    const message = {
      role: 'assistant',
      content: TAIL,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: `{"k":"${HEAD}"}` } }],
    };
    // Document order is what is joined: here the content comes first, so the halves read TAIL, then HEAD: no key.
    const body = { id: 'c', object: 'chat.completion', created: 1, model: 'g', choices: [{ index: 0, message }] };
    const screened = await screenResponse(adapterFor('openai.chat_completions'), classifier, body, RULES);
    expect(screened.blocked).toBeNull();
  });
  it('anthropic: a text block then a tool_use input', async () => {
    const body = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'c',
      content: [
        { type: 'text', text: `here ${HEAD}` },
        { type: 'tool_use', id: 'toolu_1', name: 'f', input: { k: TAIL } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    };
    const screened = await screenResponse(adapterFor('anthropic.messages'), classifier, body, RULES);
    expect(screened.blocked?.error).toBe('ERR_RESPONSE_BLOCKED');
  });
  it('responses: output text then a function call', async () => {
    const body = {
      id: 'resp_1',
      object: 'response',
      status: 'completed',
      model: 'g',
      output: [
        { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: HEAD }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: `{"k":"${TAIL}"}` },
      ],
    };
    const screened = await screenResponse(adapterFor('openai.responses'), classifier, body, RULES);
    expect(screened.blocked?.error).toBe('ERR_RESPONSE_BLOCKED');
  });
  it('a request: assistant text then its tool call (chat)', async () => {
    const { reply, sent } = await send('openai.chat_completions', {
      model: 'echo-1',
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: `key ${HEAD}`,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: `{"k":"${TAIL}"}` } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
      ],
    });
    expect(sent).toEqual([]);
    expect(reply.status).toBe(403);
  });
});
