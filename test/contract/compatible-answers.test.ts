// Answers as Anthropic and OpenAI-compatible servers (Ollama, vLLM) send them, through the real adapter and screen:
// the labels each dialect's SDK types name pass (Anthropic's usage.service_tier, Ollama's fp_ollama), vLLM's choice
// stop_reason is dropped unread (never relayed), and a key's vendor prefix in those places is still refused.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createClassifier } from '../../src/classification/index.ts';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { relayStream, type StreamSink } from '../../src/pipeline/stream-relay.ts';
import { adapterFor } from '../../src/providers/index.ts';

type Api = 'openai.chat_completions' | 'anthropic.messages';
const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const RULES = { redact: ['EMAIL'], block: ['GITHUB_TOKEN'] };
const TEXT = 'Hello! How can I help you today?';
const REQUEST: Record<Api, Record<string, unknown>> = {
  'openai.chat_completions': { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
  'anthropic.messages': { model: 'm', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] },
};
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/providers/compatible/${name}`, import.meta.url), 'utf8');

async function screen(api: Api, body: unknown) {
  return screenResponse(adapterFor(api), classifier, body, RULES);
}

async function relay(api: Api, sse: string) {
  const adapter = adapterFor(api);
  const request = adapter.parse(Buffer.from(JSON.stringify({ ...REQUEST[api], stream: true })));
  let out = '';
  const sink: StreamSink = {
    open: () => {},
    write: async (t) => void (out += t),
    end: () => {},
    signal: new AbortController().signal,
  };
  const events = (async function* () {
    yield Buffer.from(sse, 'utf8');
  })();
  const session = (adapter.openStream as NonNullable<typeof adapter.openStream>)(request);
  const result = await relayStream({
    events,
    session,
    sink,
    classifier,
    rules: RULES,
    estimatedPromptTokens: request.estimatedPromptTokens,
  });
  return { result, out };
}

describe('answers of real upstreams pass the answer path', () => {
  it.each([
    ['anthropic.messages', 'anthropic-service-tier.json'],
    ['openai.chat_completions', 'ollama-chat.json'],
    ['openai.chat_completions', 'vllm-chat-stop-null.json'],
    ['openai.chat_completions', 'vllm-chat-stop-string.json'],
  ] as const)('%s %s', async (api, name) => {
    const screened = await screen(api, JSON.parse(fixture(name)));
    expect(screened.blocked).toBeNull();
    expect(JSON.stringify(screened.body)).toContain(TEXT);
  });

  it('drops vLLM’s choice stop_reason from the answer the client receives', async () => {
    const screened = await screen('openai.chat_completions', JSON.parse(fixture('vllm-chat-stop-string.json')));
    expect(screened.blocked).toBeNull();
    expect(JSON.stringify(screened.body)).not.toContain('stop_reason');
    expect(JSON.stringify(screened.body)).not.toContain('</answer>');
  });

  it.each([
    ['anthropic.messages', 'anthropic-service-tier.sse'],
    ['openai.chat_completions', 'ollama-chat.sse'],
    ['openai.chat_completions', 'vllm-chat-stop-string.sse'],
  ] as const)('relays the stream %s %s', async (api, name) => {
    const { result, out } = await relay(api, fixture(name));
    expect(result.error).toBeNull();
    expect(result.finalEvent).not.toBeNull();
    expect(out).not.toContain('stop_reason":"</answer>');
  });
});

describe('a key’s vendor prefix in those labels is still refused', () => {
  const prefixed = (name: string, from: string, to: string) => JSON.parse(fixture(name).replace(from, to));
  it.each([
    ['anthropic.messages', 'anthropic-service-tier.json', '"service_tier": "standard"', '"service_tier": "ghp_"'],
    ['openai.chat_completions', 'ollama-chat.json', '"fp_ollama"', '"ghp_"'],
    ['openai.chat_completions', 'ollama-chat.json', '"fp_ollama"', '"fp_ghp_x"'],
    ['openai.chat_completions', 'ollama-chat.json', '"fp_ollama"', '"fp_akia"'],
    [
      'openai.chat_completions',
      'ollama-chat.json',
      '"model": "llama3.2",',
      '"model": "llama3.2", "stop_reason": "ghp_",',
    ],
  ] as const)('%s %s: %s as %s', async (api, name, from, to) => {
    expect((await screen(api, prefixed(name, from, to))).blocked?.error).toBe('ERR_UPSTREAM_BAD_RESPONSE');
  });
  it('ends a stream whose message_start carries another service tier', async () => {
    const sse = fixture('anthropic-service-tier.sse').replace('"service_tier":"standard"', '"service_tier":"ghp_"');
    const { result, out } = await relay('anthropic.messages', sse);
    expect(result.error).toBe('ERR_UPSTREAM_BAD_RESPONSE');
    expect(out).not.toContain('ghp_');
  });
});
