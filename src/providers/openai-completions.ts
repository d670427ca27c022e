// OpenAI legacy completions (`POST /v1/completions`): a prompt (string or strings) and an optional suffix, both read
// by the model. Invariants as for chat: only the fields named here pass; token-array prompts are refused (they cannot
// be classified); logprobs and echo are refused because they return text the screen does not read; logit_bias is
// refused as chat completions refuses it (its keys and values spell digits in an order the client chooses).
import { isPlainObject, MODEL_PATTERN, type Json } from './json-body.ts';
import { arrayOf, bool, either, int, nul, num, object, text, type ObjectShape } from './shape.ts';
import { normalizedRequest, parseShaped, PROMPT_TEXTS, rebuild } from './shaped-request.ts';
import { RequestError, type NormalizedRequest, type Usage } from './types.ts';

/**
 * Why `logit_bias` is refused rather than classified: each token id is six digits and each bias up to eight, 300 of
 * each, and the order that joins them is whatever the client agrees with a reader of the upstream's logs (key order,
 * bias order, any other): no joined text the classifier could read covers every order, so no closed world holds.
 */
const LOGIT_BIAS_REFUSED =
  'token-id keys and bias values spell digits in an order the client chooses, so they cannot be classified';
const NOT_SCREENED = 'returns text the answer screen does not read, so it is not supported';

export const COMPLETION_REQUEST: ObjectShape = object(
  {
    model: text({ pattern: MODEL_PATTERN, counted: false }),
    prompt: PROMPT_TEXTS,
    suffix: text({ location: 'user' }),
    max_tokens: int(1),
    temperature: num(0, 2),
    top_p: num(0, 1),
    n: int(1, 16),
    best_of: int(1, 20),
    stream: bool,
    stream_options: object({ include_usage: bool }),
    stop: either(text(), arrayOf(text(), 4)),
    presence_penalty: num(-2, 2),
    frequency_penalty: num(-2, 2),
    seed: int(Number.MIN_SAFE_INTEGER),
    // Accepted only when they ask for nothing (null / false / 0) and then dropped: their answers carry unscreened text.
    logprobs: either(nul, bool, int(0, 5)),
    echo: either(nul, bool),
  },
  {
    required: ['model', 'prompt'],
    refused: { user: 'identity comes from the access token, never from the body', logit_bias: LOGIT_BIAS_REFUSED },
    check: (body) => {
      // One choice per stream: the hold-back scanners screen each choice apart, so a value split across two streamed
      // choices could not be found (the non-streamed screen joins them).
      if (body.stream === true && ((body.n as number | undefined) ?? 1) > 1) {
        throw new RequestError(
          'ERR_REQUEST_UNSUPPORTED',
          'several choices (n > 1) are not supported with stream=true',
          'n',
        );
      }
      if (body.stream === true && ((body.best_of as number | undefined) ?? 1) > 1) {
        throw new RequestError('ERR_REQUEST_UNSUPPORTED', 'best_of > 1 is not supported with stream=true', 'best_of');
      }
      // A list of prompts streams one choice per prompt, interleaved: refused for the same reason, before anything is
      // reserved or forwarded (the stream parser would otherwise fail at the second choice, after the upstream billed).
      if (body.stream === true && Array.isArray(body.prompt) && body.prompt.length > 1) {
        throw new RequestError(
          'ERR_REQUEST_UNSUPPORTED',
          'several prompts (a prompt list) are not supported with stream=true',
          'prompt',
        );
      }
      for (const key of ['logprobs', 'echo'] as const) {
        if (body[key] !== undefined && body[key] !== null && body[key] !== false && body[key] !== 0) {
          throw new RequestError('ERR_REQUEST_UNSUPPORTED', `'${key}' ${NOT_SCREENED}`, key);
        }
        delete body[key];
      }
      if (body.stream_options !== undefined && body.stream !== true) {
        throw new RequestError(
          'ERR_REQUEST_INVALID',
          "'stream_options' is only valid with stream=true",
          'stream_options',
        );
      }
    },
  },
);

export function parseCompletion(raw: Uint8Array): NormalizedRequest {
  const { body, inspected, bodySha256 } = parseShaped(raw, COMPLETION_REQUEST);
  return normalizedRequest({
    api: 'openai.completions',
    body,
    inspected,
    bodySha256,
    maxTokens: (body.max_tokens ?? null) as number | null,
    outputs: completionOutputs(body),
    messageCount: typeof body.prompt === 'string' ? 1 : (body.prompt as unknown[]).length,
    toolCalls: 0,
    toolNames: [],
  });
}

/**
 * The completions the upstream generates and bills, each up to max_tokens: every prompt of a list is a completion of
 * its own, and each generates `best_of` candidates (`n` are returned; OpenAI requires best_of ≥ n, the larger counts
 * if a server does not).
 */
function completionOutputs(body: Json): number {
  const prompts = typeof body.prompt === 'string' ? 1 : (body.prompt as unknown[]).length;
  return prompts * Math.max((body.n as number | undefined) ?? 1, (body.best_of as number | undefined) ?? 1);
}

export function completionUpstreamBody(request: NormalizedRequest, maxTokensCap: number | null): Json {
  const body = rebuild(COMPLETION_REQUEST, request.body);
  if (request.stream) body.stream_options = { include_usage: true };
  if (maxTokensCap !== null)
    body.max_tokens = Math.min(maxTokensCap, (body.max_tokens as number | undefined) ?? maxTokensCap);
  return body;
}

/** `usage` in OpenAI's prompt/completion shape (chat, completions and embeddings share it). */
export function readOpenAiUsage(response: unknown): Usage | null {
  if (!isPlainObject(response) || !isPlainObject(response.usage)) return null;
  const u = response.usage;
  if (!Number.isSafeInteger(u.prompt_tokens)) return null;
  const prompt = u.prompt_tokens as number;
  const completion = Number.isSafeInteger(u.completion_tokens) ? (u.completion_tokens as number) : 0;
  const total = Number.isSafeInteger(u.total_tokens) ? (u.total_tokens as number) : prompt + completion;
  return withCached(
    { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total },
    u.prompt_tokens_details,
  );
}

/** Adds `cached_input_tokens` from an OpenAI `*_tokens_details` object when it reports a sane count. */
export function withCached(usage: Usage, details: unknown): Usage {
  if (!isPlainObject(details)) return usage;
  const cached = details.cached_tokens;
  if (typeof cached !== 'number' || !Number.isSafeInteger(cached) || cached <= 0) return usage;
  return { ...usage, cached_input_tokens: Math.min(cached, usage.prompt_tokens) };
}
