// Round 15 of the attacker's review (session 17, A22): forwarded-but-uninspected members and the answer's odd members.
// One hole: a card number cut into the token-id keys of a legacy completions request's `logit_bias`
// ({"411111":1,"111111":2,"1111":3}, the bias values giving the order) is forwarded: the adapter lets up to 300 keys
// of six digits through unclassified ("a key cannot carry a value"), 1800 digits in all. Held (probed, not kept
// here): an AWS key in prediction, response_format and tool schemas (description, default, enum, property names),
// metadata keys, user, stop, message and function names, tool-call ids, refusal, data: URLs, file_data, input_audio,
// Anthropic documents, cache_control, tool_result documents, mcp_servers tokens, thinking signatures (refused, as
// unknown members or by the classifier); a card in seed, top_k, dimensions (refused); on the answer side logprobs
// bytes and top_logprobs, refusal, annotations, audio, usage extras, ids, citations, server tool results, Responses
// instructions/metadata/reasoning, base64 embeddings: all withheld with the key, passed with a plain word.
import { describe, expect, it } from 'vitest';
import { prompt } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

const COMPLETIONS = 'openai.completions' as typeof CHAT;
const hi = [{ role: 'user', content: 'hi' }];
/** 4111111111111111 (Luhn-valid test card) in three token-id keys, the bias value giving each piece's place. */
const CARD_BIAS = { '411111': 1, '111111': 2, '1111': 3 };
/** 4012888888881881 (another test card), the bias values negative this time. */
const CARD2_BIAS = { '401288': -3, '888888': -2, '1881': -1 };
const completions = (logit_bias: Record<string, number>) => ({ model: 'echo-1', prompt: 'hi', logit_bias });
const chat = (logit_bias: Record<string, number>) => ({ model: 'echo-1', messages: hi, logit_bias });

describe('a number cut into logit_bias token ids', () => {
  // HOLE (open, src/providers/openai-completions.ts): logit_bias keys (TOKEN_ID, up to 300) are forwarded and never
  // classified; one key holds no value, but three keys do, in the order of their bias values or their own. Fix: hand
  // the keys to the classifier as one text (in key order and in bias-value order), or cap the map at a few keys, or
  // refuse logit_bias as chat completions does (it is no member of the chat adapter).
  it.fails('openai.completions: a card in three logit_bias keys is refused', async () => {
    expect(await forwarded(COMPLETIONS, completions(CARD_BIAS))).toBe('');
  });
  // HOLE (open, src/providers/openai-completions.ts): the same with another card and negative biases.
  it.fails('openai.completions: a second card in three logit_bias keys is refused', async () => {
    expect(await forwarded(COMPLETIONS, completions(CARD2_BIAS))).toBe('');
  });
  it('control: openai.chat_completions refuses any logit_bias (the card map and an ordinary one)', async () => {
    expect(await forwarded(CHAT, chat(CARD_BIAS))).toBe('');
    expect(await forwarded(CHAT, chat({ '50256': -100 }))).toBe('');
  });
  it('control: openai.completions: the card in the prompt is refused', async () => {
    expect(await forwarded(COMPLETIONS, { model: 'echo-1', prompt: 'card 4111111111111111' })).toBe('');
  });
  it('control: openai.completions: an ordinary logit_bias is forwarded', async () => {
    expect(await forwarded(COMPLETIONS, completions({ '50256': -100 }))).toContain('50256');
  });
  it('control: a card in a chat message is refused', async () => {
    expect(await forwarded(CHAT, prompt('4111111111111111'))).toBe('');
  });
});
