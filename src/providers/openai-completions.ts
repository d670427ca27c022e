// OpenAI legacy completions (`POST /v1/completions`): a prompt (string or strings) and an optional suffix, both read
// by the model. Invariants as for chat: only the fields named here pass; token-array prompts are refused (they cannot
// be classified); logprobs and echo are refused because they return text the screen does not read.
import { createHash } from 'node:crypto';
import { checkFields, isBoolean, isNumberIn, isPlainObject, isPositiveInt, isStop, isStreamOptions, MODEL_PATTERN, newCollected, addSegment, parseJsonObject, type Json } from './json-body.ts';
import { estimatePromptTokens } from './token-estimate.ts';
import { RequestError, type NormalizedRequest, type TextSegment, type Usage } from './types.ts';

const FIELDS = {
  model: (v) => typeof v === 'string' && MODEL_PATTERN.test(v),
  prompt: (v) => typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.length <= 2048),
  suffix: (v) => typeof v === 'string',
  max_tokens: isPositiveInt,
  temperature: (v) => isNumberIn(v, 0, 2),
  top_p: (v) => isNumberIn(v, 0, 1),
  n: (v) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 16,
  best_of: (v) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 20,
  stream: isBoolean,
  stream_options: isStreamOptions,
  stop: isStop,
  presence_penalty: (v) => isNumberIn(v, -2, 2),
  frequency_penalty: (v) => isNumberIn(v, -2, 2),
  seed: (v) => Number.isSafeInteger(v),
  logit_bias: isPlainObject,
} satisfies Record<string, (v: unknown) => boolean>;

export function parseCompletion(raw: Uint8Array): NormalizedRequest {
  const body = parseJsonObject(raw);
  for (const key of ['logprobs', 'echo'] as const) {
    if (body[key] !== undefined && body[key] !== null && body[key] !== false) {
      throw new RequestError('ERR_REQUEST_UNSUPPORTED', `'${key}' returns text the answer screen does not read, so it is not supported`, key);
    }
    delete body[key];
  }
  checkFields(body, FIELDS, ['model', 'prompt']);
  if (body.stream_options !== undefined && body.stream !== true) {
    throw new RequestError('ERR_REQUEST_INVALID', "'stream_options' is only valid with stream=true", 'stream_options');
  }
  const collected = newCollected();
  const prompts = typeof body.prompt === 'string' ? [body.prompt] : (body.prompt as unknown[]);
  prompts.forEach((p, i) => {
    const path = typeof body.prompt === 'string' ? 'prompt' : `prompt[${i}]`;
    if (typeof p !== 'string') throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${path}: only text prompts can be classified (token arrays are refused)`, path);
    addSegment(collected, path, p, 'user');
  });
  if (typeof body.suffix === 'string') addSegment(collected, 'suffix', body.suffix, 'user');
  return {
    api: 'openai.completions',
    model: body.model as string,
    stream: body.stream === true,
    maxTokens: (body.max_tokens ?? null) as number | null,
    messageCount: prompts.length,
    estimatedPromptTokens: estimatePromptTokens({ textBytes: collected.textBytes, messages: prompts.length, toolCalls: 0 }),
    toolNames: [],
    segments: collected.segments,
    body,
    bodySha256: createHash('sha256').update(raw).digest('hex'),
  };
}

export function completionUpstreamBody(request: NormalizedRequest, maxTokensCap: number | null): Json {
  const body: Json = { ...request.body };
  if (request.stream) body.stream_options = { include_usage: true };
  if (maxTokensCap !== null) body.max_tokens = Math.min(maxTokensCap, (body.max_tokens as number | undefined) ?? maxTokensCap);
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
  return withCached({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: total }, u.prompt_tokens_details);
}

/** Adds `cached_input_tokens` from an OpenAI `*_tokens_details` object when it reports a sane count. */
export function withCached(usage: Usage, details: unknown): Usage {
  if (!isPlainObject(details)) return usage;
  const cached = details.cached_tokens;
  if (typeof cached !== 'number' || !Number.isSafeInteger(cached) || cached <= 0) return usage;
  return { ...usage, cached_input_tokens: Math.min(cached, usage.prompt_tokens) };
}
