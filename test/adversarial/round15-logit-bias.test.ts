// Round 15 of the attacker's review (session 17, A22): forwarded-but-uninspected members and the answer's odd members.
// One hole: a card number cut into the token-id keys of a legacy completions request's `logit_bias`
// ({"411111":1,"111111":2,"1111":3}, the bias values giving the order) is forwarded: the adapter lets up to 300 keys
// of six digits through unclassified ("a key cannot carry a value"), 1800 digits in all (closed: C35 refuses
// logit_bias on completions as chat does). Held (probed, not kept
// here): an AWS key in prediction, response_format and tool schemas (description, default, enum, property names),
// metadata keys, user, stop, message and function names, tool-call ids, refusal, data: URLs, file_data, input_audio,
// Anthropic documents, cache_control, tool_result documents, mcp_servers tokens, thinking signatures (refused, as
// unknown members or by the classifier); a card in seed, top_k, dimensions (refused); on the answer side logprobs
// bytes and top_logprobs, refusal, annotations, audio, usage extras, ids, citations, server tool results, Responses
// instructions/metadata/reasoning, base64 embeddings: all withheld with the key, passed with a plain word.
import { describe, expect, it } from 'vitest';
import { parseCompletion } from '../../src/providers/openai-completions.ts';
import { RequestError } from '../../src/providers/types.ts';
import { prompt } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

const COMPLETIONS = 'openai.completions' as typeof CHAT;
const hi = [{ role: 'user', content: 'hi' }];
/** 4111111111111111 (Luhn-valid test card) in three token-id keys, the bias value giving each piece's place. */
const CARD_BIAS = { '411111': 1, '111111': 2, '1111': 3 };
/** 4012888888881881 (another test card), the bias values negative this time. */
const CARD2_BIAS = { '401288': -3, '888888': -2, '1881': -1 };
/** 4111111111111111 in two bias values of eight digits each (each under the nine digits a number is classified at). */
const CARD_IN_VALUES = { '10': 41.111111, '11': 11.111111 };
/** The card's pieces in an order neither the keys nor the biases give (the reader knows: middle, last, first). */
const CARD_ANY_ORDER = { '111111': 1, '1111': 2, '411111': 3 };
/** The adapter's refusal of a body, as the client's error shows it (code and param), or null when it is accepted. */
function refusalOf(body: unknown): { code: string; param: string | null } | null {
  try {
    parseCompletion(new TextEncoder().encode(JSON.stringify(body)));
    return null;
  } catch (e) {
    if (!(e instanceof RequestError)) throw e;
    return { code: e.code, param: e.param };
  }
}
const completions = (logit_bias: Record<string, number>) => ({ model: 'echo-1', prompt: 'hi', logit_bias });
const chat = (logit_bias: Record<string, number>) => ({ model: 'echo-1', messages: hi, logit_bias });

describe('a number cut into logit_bias token ids', () => {
  // HOLE closed in src/providers/openai-completions.ts: logit_bias keys (up to 300 token ids of six digits) were
  // forwarded unclassified, so three keys carried a card in the order of their bias values. Classifying the keys
  // joined in key order and in bias order would read these two, not the next variant (an order the client agrees
  // with a reader of the upstream's logs, or digits in the bias values): logit_bias is refused, as chat refuses it.
  it('openai.completions: a card in three logit_bias keys is refused', async () => {
    expect(await forwarded(COMPLETIONS, completions(CARD_BIAS))).toBe('');
  });
  // HOLE closed in src/providers/openai-completions.ts: the same with another card and negative biases.
  it('openai.completions: a second card in three logit_bias keys is refused', async () => {
    expect(await forwarded(COMPLETIONS, completions(CARD2_BIAS))).toBe('');
  });
  it('variant: openai.completions: a card in two bias values of eight digits is refused', async () => {
    expect(await forwarded(COMPLETIONS, completions(CARD_IN_VALUES))).toBe('');
  });
  it('variant: openai.completions: a card in keys whose order neither keys nor biases give is refused', async () => {
    expect(await forwarded(COMPLETIONS, completions(CARD_ANY_ORDER))).toBe('');
  });
  it('openai.completions: any logit_bias is refused in the API shape, naming the member', () => {
    expect(refusalOf(completions({ '50256': -100 }))).toEqual({
      code: 'ERR_REQUEST_UNKNOWN_FIELD',
      param: 'logit_bias',
    });
  });
  it('control: openai.chat_completions refuses any logit_bias (the card map and an ordinary one)', async () => {
    expect(await forwarded(CHAT, chat(CARD_BIAS))).toBe('');
    expect(await forwarded(CHAT, chat({ '50256': -100 }))).toBe('');
  });
  it('control: openai.completions: the card in the prompt is refused', async () => {
    expect(await forwarded(COMPLETIONS, { model: 'echo-1', prompt: 'card 4111111111111111' })).toBe('');
  });
  it('control: openai.completions: an ordinary logit_bias is refused, the same request without it forwarded', async () => {
    expect(await forwarded(COMPLETIONS, completions({ '50256': -100 }))).toBe('');
    expect(await forwarded(COMPLETIONS, { model: 'echo-1', prompt: 'hi', stop: ['1111'] })).toContain('1111');
  });
  it('control: a card in a chat message is refused', async () => {
    expect(await forwarded(CHAT, prompt('4111111111111111'))).toBe('');
  });
});
