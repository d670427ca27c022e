// OpenAI's stream padding (`obfuscation`: a random string on every delta event of the Responses API, and on chat
// chunks, unless the request sends `stream_options.include_obfuscation: false`). A new random value per event was a
// new field per event for the screen: classified once per delta, and read by the hold-back scanner as a run of its
// own between two deltas, so an answer of short deltas held behind a long match (a private-key block) passed
// MAX_HELD_RUNS and was refused. The padding is dropped unread: relayed answers keep their text, the padding never
// reaches the client (whatever it holds), and an event repeating its neighbours' fields is not classified again.
import { describe, expect, it } from 'vitest';
import type { ClassifyOptions, TextSegment } from '../../src/classification/index.ts';
import { classifier } from './recording-pipeline.ts';
import { receivedPayloads, relayScripted, type ScriptedEvent } from './relay-harness.ts';

const BLOCK = { redact: [] as string[], block: ['AWS_ACCESS_KEY'] };
const SECRET = 'AKIAQ3EGTHV5ZR7NCO4X';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Padding as OpenAI sends it: 1 to 15 random alphanumerics, different every event (a fixed LCG: reproducible). */
function paddings(count: number): string[] {
  let x = 12_345;
  return Array.from({ length: count }, (_, i) => {
    let s = '';
    for (let k = 0; k <= i % 15; k += 1) {
      x = (x * 1_103_515_245 + 12_345) >>> 0;
      s += ALNUM[x % ALNUM.length];
    }
    return s;
  });
}

/** A Responses stream of one message whose text arrives as `deltas`, each delta event padded with `pad[i]`. */
function responses(deltas: readonly string[], pad: readonly string[]): ScriptedEvent[] {
  const text = deltas.join('');
  let sequence = 0;
  const ev = (type: string, data: Record<string, unknown>): ScriptedEvent => ({
    event: type,
    data: { type, sequence_number: sequence++, ...data },
  });
  const at = { item_id: 'msg_1', output_index: 0, content_index: 0 };
  const part = (t: string) => ({ type: 'output_text', text: t, annotations: [] });
  const item = (t: string | null) => ({
    type: 'message',
    id: 'msg_1',
    status: t === null ? 'in_progress' : 'completed',
    role: 'assistant',
    content: t === null ? [] : [part(t)],
  });
  const response = (output: unknown[]) => ({
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    status: output.length === 0 ? 'in_progress' : 'completed',
    model: 'm',
    output,
    ...(output.length === 0 ? {} : { usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } }),
  });
  return [
    ev('response.created', { response: response([]) }),
    ev('response.output_item.added', { output_index: 0, item: item(null) }),
    ev('response.content_part.added', { ...at, part: part('') }),
    ...deltas.map((delta, i) =>
      ev('response.output_text.delta', { ...at, delta, logprobs: [], obfuscation: pad[i % pad.length] }),
    ),
    ev('response.output_text.done', { ...at, text, logprobs: [] }),
    ev('response.content_part.done', { ...at, part: part(text) }),
    ev('response.output_item.done', { output_index: 0, item: item(text) }),
    ev('response.completed', { response: response([item(text)]) }),
  ];
}

/** A chat stream whose content arrives as `deltas`, each chunk padded with `pad[i]`. */
function chat(deltas: readonly string[], pad: readonly string[]): ScriptedEvent[] {
  const chunk = (delta: Record<string, unknown>, i: number, finish: string | null = null) => ({
    data: {
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      obfuscation: pad[i % pad.length],
    },
  });
  return [
    chunk({ role: 'assistant', content: '' }, 0),
    ...deltas.map((content, i) => chunk({ content }, i)),
    chunk({}, 0, 'stop'),
    { data: '[DONE]' },
  ];
}

const REQUESTS = {
  'openai.responses': { model: 'm', stream: true, input: 'hi' },
  'openai.chat_completions': { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
} as const;
const BUILD = { 'openai.responses': responses, 'openai.chat_completions': chat } as const;
type Api = keyof typeof BUILD;

/** The client's text: the deltas it received, joined. */
function textOf(api: Api, out: string): string {
  return receivedPayloads(out)
    .map((p) =>
      api === 'openai.responses'
        ? p.type === 'response.output_text.delta'
          ? (p.delta as string)
          : ''
        : (((p.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content ?? '') as string),
    )
    .join('');
}

/** A private-key block: a validated match the scanner holds whole until its end line arrives. */
const KEY_BLOCK = [
  'here it is:',
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEA7'.repeat(40),
  '-----END RSA PRIVATE KEY-----',
  'ok',
].join('\n');

describe.each(['openai.responses', 'openai.chat_completions'] as const)('%s: padding on every delta', (api) => {
  it('an answer of one-character deltas, each padded, held behind a long match, is relayed, not refused', async () => {
    const deltas = [...KEY_BLOCK];
    const { result, out } = await relayScripted(api, REQUESTS[api], BUILD[api](deltas, paddings(deltas.length)), BLOCK);
    expect(result.error).toBeNull();
    expect(textOf(api, out)).toBe(KEY_BLOCK);
    expect(out).not.toContain('obfuscation');
  });

  it('a secret in the padding never reaches the client, and the answer is relayed without it', async () => {
    const deltas = ['Hello', ' there', ', friend.'];
    const { result, out } = await relayScripted(api, REQUESTS[api], BUILD[api](deltas, [SECRET]), BLOCK);
    expect(out).not.toContain(SECRET);
    expect(result.error).toBeNull();
    expect(textOf(api, out)).toBe('Hello there, friend.');
  });

  it('delta events that differ only in their padding are screened once (fields not classified again)', async () => {
    const deltas = Array.from({ length: 200 }, (_, i) => `w${i} `);
    let calls = 0;
    const fieldClassifier = {
      classify(segments: readonly TextSegment[], options?: ClassifyOptions) {
        calls += 1;
        return classifier.classify(segments, options);
      },
    };
    const { result } = await relayScripted(api, REQUESTS[api], BUILD[api](deltas, paddings(deltas.length)), BLOCK, {
      fieldClassifier,
    });
    expect(result.error).toBeNull();
    expect(calls).toBeLessThan(20);
  });
});
