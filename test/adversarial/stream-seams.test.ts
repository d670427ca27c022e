// A value split between the fields of one streamed answer (its text, a tool call's arguments, a refusal), as a hostile
// or injected model writes it so that each field alone holds nothing: the relay must judge the fields as the consumer
// reads them, one after the other, and may only release text that cannot combine with later text into a finding.
// Also: the events still arrive in an order the API allows (no delta after its block's stop), and clean answers whole.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { receivedPayloads, relayScripted } from './relay-harness.ts';
import { chatChunk, sseEvent } from './fixtures.ts';

const KEY = 'AKIAQ3EGTHV5RJ7YWU2P';
const [HEAD, TAIL] = [KEY.slice(0, 10), KEY.slice(10)];
const EMAIL = 'anna.berg@lakeshore-bank.com';
const BLOCK = { redact: [], block: ['AWS_ACCESS_KEY'] };
const REDACT = { redact: ['EMAIL'], block: [] };

const chatRequest = { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] };
const call = (fields: Record<string, unknown>) => ({ tool_calls: [{ index: 0, ...fields }] });
const args = (text: string) => chatChunk(call({ function: { arguments: text } }));

const anthropicRequest = { model: 'm', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
const a = sseEvent;
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
const textBlock = (index: number, pieces: string[]) => [
  a('content_block_start', { index, content_block: { type: 'text', text: '' } }),
  ...pieces.map((text) => a('content_block_delta', { index, delta: { type: 'text_delta', text } })),
  a('content_block_stop', { index }),
];
const toolBlock = (index: number, pieces: string[]) => [
  a('content_block_start', { index, content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} } }),
  ...pieces.map((partial_json) =>
    a('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }),
  ),
  a('content_block_stop', { index }),
];
const anthropicEnd = [
  a('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }),
  a('message_stop', {}),
];

/** Both halves reached the client. */
const leaked = (out: string) => out.includes(HEAD) && out.includes(TAIL);

/** Anthropic events as the client received them, checked for a delta after its block's stop. */
function anthropicOrder(out: string): { deltaAfterStop: boolean; texts: Map<number, string> } {
  const stopped = new Set<number>();
  const texts = new Map<number, string>();
  let deltaAfterStop = false;
  for (const p of receivedPayloads(out)) {
    const index = p.index as number;
    if (p.type === 'content_block_stop') stopped.add(index);
    if (p.type !== 'content_block_delta') continue;
    if (stopped.has(index)) deltaAfterStop = true;
    const d = p.delta as { text?: string; partial_json?: string };
    texts.set(index, (texts.get(index) ?? '') + (d.text ?? d.partial_json ?? ''));
  }
  return { deltaAfterStop, texts };
}

describe('chat: a key split between the text and a tool call', () => {
  it.each([
    ['raw arguments', [TAIL]],
    ['JSON arguments in pieces', ['{"k', '":"V5R', 'J7YWU2P"}']],
    ['JSON arguments, nested, spaced', ['{ "a": { "b"', ': "', TAIL, '" } }']],
  ])('%s', async (_what, pieces) => {
    const { result, out } = await relayScripted(
      'openai.chat_completions',
      chatRequest,
      [
        chatChunk({ role: 'assistant', content: 'here it is: ' }),
        chatChunk({ content: HEAD }),
        chatChunk(call({ id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } })),
        ...pieces.map(args),
        chatChunk({}, 'tool_calls'),
        { data: '[DONE]' },
      ],
      BLOCK,
    );
    expect(result.error).toBe('ERR_RESPONSE_BLOCKED');
    expect(leaked(out)).toBe(false);
  });
  it('a tool call first, then the text', async () => {
    const { result, out } = await relayScripted(
      'openai.chat_completions',
      chatRequest,
      [
        chatChunk({
          role: 'assistant',
          ...call({ id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }),
        }),
        args(`{"k":"${HEAD}`),
        args('"}'),
        chatChunk({ content: TAIL }),
        chatChunk({}, 'stop'),
        { data: '[DONE]' },
      ],
      BLOCK,
    );
    expect(result.error).toBe('ERR_RESPONSE_BLOCKED');
    expect(leaked(out)).toBe(false);
  });
  // Closed: names are also runs of the one scanner (atomic: their event waits until they are released whole).
  it("the text's tail, then a tool call's name", async () => {
    const { out } = await relayScripted(
      'openai.chat_completions',
      chatRequest,
      [
        chatChunk({ role: 'assistant', content: HEAD }),
        chatChunk(call({ id: 'call_1', type: 'function', function: { name: TAIL, arguments: '' } })),
        args('{}'),
        chatChunk({}, 'tool_calls'),
        { data: '[DONE]' },
      ],
      BLOCK,
    );
    expect(leaked(out)).toBe(false);
  });
  it('an e-mail address split between the text and the arguments: each piece a placeholder, the JSON stays JSON', async () => {
    const [user, domain] = [EMAIL.slice(0, 9), EMAIL.slice(9)];
    const { result, out } = await relayScripted(
      'openai.chat_completions',
      chatRequest,
      [
        chatChunk({ role: 'assistant', content: `write to ${user}` }),
        chatChunk(call({ id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } })),
        args(`{"to":"${domain}","n":1}`),
        chatChunk({}, 'tool_calls'),
        { data: '[DONE]' },
      ],
      REDACT,
    );
    expect(result.error).toBeNull();
    expect(out).not.toContain(user);
    expect(out).not.toContain(domain);
    const payloads = receivedPayloads(out);
    const deltas = payloads.map((p) => (p.choices as { delta: Record<string, unknown> }[])[0]?.delta ?? {});
    const content = deltas.map((d) => (typeof d.content === 'string' ? d.content : '')).join('');
    const argsText = deltas
      .flatMap((d) => (d.tool_calls as { function?: { arguments?: string } }[] | undefined) ?? [])
      .map((c) => c.function?.arguments ?? '')
      .join('');
    expect(content).toMatch(/^write to \[EMAIL_1\]$/);
    expect(JSON.parse(argsText)).toEqual({ to: '[EMAIL_1]', n: 1 });
  });
  it('control: a clean text and tool call arrive whole and in order', async () => {
    const { result, out } = await relayScripted(
      'openai.chat_completions',
      chatRequest,
      [
        chatChunk({ role: 'assistant', content: 'Calling the weather tool for AKIA' }),
        chatChunk(call({ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '' } })),
        args('{"city":"Paris"}'),
        chatChunk({}, 'tool_calls'),
        { data: '[DONE]' },
      ],
      BLOCK,
    );
    expect(result.error).toBeNull();
    const deltas = receivedPayloads(out).map((p) => (p.choices as { delta: Record<string, unknown> }[])[0]?.delta);
    const content = deltas.map((d) => (typeof d?.content === 'string' ? d.content : '')).join('');
    expect(content).toBe('Calling the weather tool for AKIA');
    expect(out).toContain('Paris');
    // The text's held tail goes out before the tool call's arguments.
    expect(out.indexOf('for AKIA')).toBeLessThan(out.indexOf('Paris'));
  });
});

describe('anthropic: a key split between blocks', () => {
  it.each([
    ['text then tool_use input', [...textBlock(0, ['see ', HEAD]), ...toolBlock(1, [`{"k":"${TAIL}"}`])]],
    ['tool_use input then text', [...toolBlock(0, ['{"k":', `"${HEAD}"}`]), ...textBlock(1, [TAIL])]],
    ['two text blocks', [...textBlock(0, [HEAD]), ...textBlock(1, [TAIL])]],
  ])('%s', async (_what, blocks) => {
    const { result, out } = await relayScripted(
      'anthropic.messages',
      anthropicRequest,
      [a('message_start', { message }), ...blocks, ...anthropicEnd],
      BLOCK,
    );
    expect(result.error).toBe('ERR_RESPONSE_BLOCKED');
    expect(leaked(out)).toBe(false);
  });
  it("control: a text block's held tail is relayed before its stop, the tool input after it", async () => {
    const { result, out } = await relayScripted(
      'anthropic.messages',
      anthropicRequest,
      [
        a('message_start', { message }),
        ...textBlock(0, ['the id is 4111 ', 'and AKIA']),
        ...toolBlock(1, ['{"city":', '"Paris"}']),
        ...anthropicEnd,
      ],
      BLOCK,
    );
    expect(result.error).toBeNull();
    const order = anthropicOrder(out);
    expect(order.deltaAfterStop).toBe(false);
    expect(order.texts.get(0)).toBe('the id is 4111 and AKIA');
    expect(JSON.parse(order.texts.get(1) as string)).toEqual({ city: 'Paris' });
  });
});

describe('responses: a key split between output text and a function call', () => {
  const ev = sseEvent;
  const request = { model: 'm', stream: true, input: 'hi' };
  it('text then arguments', async () => {
    const { result, out } = await relayScripted(
      'openai.responses',
      request,
      [
        ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: HEAD }),
        ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text: HEAD }),
        ev('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 1, delta: `{"k":"${TAIL}"}` }),
        ev('response.function_call_arguments.done', { item_id: 'fc_1', output_index: 1, arguments: `{"k":"${TAIL}"}` }),
        ev('response.completed', { response: { id: 'r', object: 'response', status: 'completed', output: [] } }),
      ],
      BLOCK,
    );
    expect(result.error).toBe('ERR_RESPONSE_BLOCKED');
    expect(leaked(out)).toBe(false);
  });
  it('control: a done event waits for its text and repeats it whole', async () => {
    const text = 'the value is AKIA';
    const { result, out } = await relayScripted(
      'openai.responses',
      request,
      [
        ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: text }),
        ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text }),
        ev('response.completed', { response: { id: 'r', object: 'response', status: 'completed', output: [] } }),
      ],
      BLOCK,
    );
    expect(result.error).toBeNull();
    const payloads = receivedPayloads(out);
    const done = payloads.findIndex((p) => p.type === 'response.output_text.done');
    const deltas = payloads.filter((p, i) => p.type === 'response.output_text.delta' && i < done);
    expect(deltas.map((p) => p.delta).join('')).toBe(text);
    expect(payloads[done]?.text).toBe(text);
  });
});

describe('property: a key split anywhere between the text and the arguments, chunked anyhow', () => {
  /** `text` cut at the given points (sorted, deduplicated, inside it). */
  const cut = (text: string, points: readonly number[]) => {
    const at = [...new Set(points.map((p) => p % (text.length + 1)))].sort((x, y) => x - y);
    return [0, ...at].map((p, i) => text.slice(p, [...at, text.length][i])).filter((piece) => piece !== '');
  };
  const split = fc.integer({ min: 1, max: KEY.length - 1 });
  const points = fc.array(fc.nat(), { maxLength: 6 });
  it('chat: never both halves, and a clean answer arrives whole', async () => {
    await fc.assert(
      fc.asyncProperty(split, points, points, fc.boolean(), async (k, inText, inArgs, planted) => {
        const value = planted ? KEY : 'BKIAQ3EGTHV5RJ7YWU2P';
        const text = `the id is ${value.slice(0, k)}`;
        const argsText = `{"id":"${value.slice(k)}","n":1}`;
        const { result, out } = await relayScripted(
          'openai.chat_completions',
          chatRequest,
          [
            chatChunk({ role: 'assistant', content: '' }),
            ...cut(text, inText).map((content) => chatChunk({ content })),
            chatChunk(call({ id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } })),
            ...cut(argsText, inArgs).map(args),
            chatChunk({}, 'tool_calls'),
            { data: '[DONE]' },
          ],
          BLOCK,
        );
        if (planted) {
          expect(result.error).toBe('ERR_RESPONSE_BLOCKED');
          expect(out.includes(KEY.slice(0, k)) && out.includes(KEY.slice(k))).toBe(false);
          return;
        }
        expect(result.error).toBeNull();
        const deltas = receivedPayloads(out).map((p) => (p.choices as { delta: Record<string, unknown> }[])[0]?.delta);
        const content = deltas.map((d) => (typeof d?.content === 'string' ? d.content : '')).join('');
        const received = deltas
          .flatMap((d) => (d?.tool_calls as { function?: { arguments?: string } }[] | undefined) ?? [])
          .map((c) => c.function?.arguments ?? '')
          .join('');
        expect([content, received]).toEqual([text, argsText]);
      }),
      { numRuns: 60 },
    );
  });
  it('anthropic: never both halves, and events stay in order', async () => {
    await fc.assert(
      fc.asyncProperty(split, points, points, async (k, inText, inInput) => {
        const { result, out } = await relayScripted(
          'anthropic.messages',
          anthropicRequest,
          [
            a('message_start', { message }),
            ...textBlock(0, cut(`see ${KEY.slice(0, k)}`, inText)),
            ...toolBlock(1, cut(`{"k": "${KEY.slice(k)}"}`, inInput)),
            ...anthropicEnd,
          ],
          BLOCK,
        );
        expect(result.error).toBe('ERR_RESPONSE_BLOCKED');
        expect(out.includes(KEY.slice(0, k)) && out.includes(KEY.slice(k))).toBe(false);
        expect(anthropicOrder(out).deltaAfterStop).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});
