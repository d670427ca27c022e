// OpenAI chat completions: parse and validate the client's body into a NormalizedRequest, build the body that goes
// upstream, and read usage from the answer. Invariants: only fields named here are forwarded (an unknown field is a
// 400 naming it, never passed through unseen); every text the model will see becomes a segment for the classifier;
// content this stage cannot classify (images, audio, files) is refused rather than forwarded unscanned.
import { createHash } from 'node:crypto';
import { RequestError, type NormalizedRequest, type Usage, type TextSegment } from './types.ts';

type Json = Record<string, unknown>;

const MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

/** Top-level fields accepted, each with its check. `user` is absent on purpose: identity comes from the token. */
const FIELDS = {
  model: (v) => typeof v === 'string' && MODEL_PATTERN.test(v),
  messages: (v) => Array.isArray(v) && v.length > 0 && v.length <= 4096,
  max_tokens: isPositiveInt,
  max_completion_tokens: isPositiveInt,
  stream: (v) => typeof v === 'boolean',
  temperature: (v) => isNumberIn(v, 0, 2),
  top_p: (v) => isNumberIn(v, 0, 1),
  n: (v) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 16,
  stop: (v) => typeof v === 'string' || (Array.isArray(v) && v.length <= 4 && v.every((s) => typeof s === 'string')),
  presence_penalty: (v) => isNumberIn(v, -2, 2),
  frequency_penalty: (v) => isNumberIn(v, -2, 2),
  seed: (v) => Number.isSafeInteger(v),
  response_format: isPlainObject,
  tools: (v) => Array.isArray(v) && v.length <= 128 && v.every(isPlainObject),
  tool_choice: (v) => typeof v === 'string' || isPlainObject(v),
  parallel_tool_calls: (v) => typeof v === 'boolean',
  logprobs: (v) => typeof v === 'boolean',
  top_logprobs: (v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 20,
  reasoning_effort: (v) => typeof v === 'string',
} satisfies Record<string, (v: unknown) => boolean>;

type Field = keyof typeof FIELDS;

export function parseChatCompletion(raw: Uint8Array): NormalizedRequest {
  const body = parseJsonObject(raw);
  for (const key of Object.keys(body)) {
    if (!(key in FIELDS)) {
      const hint = key === 'user' ? ' (identity comes from the access token, never from the body)' : '';
      throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${key}'${hint}`, key);
    }
    if (!FIELDS[key as Field](body[key])) throw new RequestError('ERR_REQUEST_INVALID', `invalid value for '${key}'`, key);
  }
  if (body.model === undefined) throw new RequestError('ERR_REQUEST_INVALID', "'model' is required", 'model');
  if (body.messages === undefined) throw new RequestError('ERR_REQUEST_INVALID', "'messages' is required", 'messages');
  if (body.stream === true) {
    throw new RequestError('ERR_REQUEST_UNSUPPORTED', 'streaming is not supported yet: send stream=false', 'stream');
  }

  const segments: TextSegment[] = [];
  const messages = (body.messages as unknown[]).map((m, i) => validateMessage(m, i, segments));
  (body.tools as Json[] | undefined)?.forEach((tool, i) => collectToolText(tool, i, segments));

  const forwarded: Json = { ...body, messages };
  const maxTokens = (body.max_completion_tokens ?? body.max_tokens ?? null) as number | null;
  return {
    api: 'openai.chat_completions',
    model: body.model as string,
    stream: false,
    maxTokens,
    messageCount: messages.length,
    segments,
    body: forwarded,
    bodySha256: createHash('sha256').update(raw).digest('hex'),
  };
}

/** The body sent upstream: the validated fields, re-serialised, with the decision's max_tokens cap applied. */
export function chatUpstreamBody(request: NormalizedRequest, maxTokensCap: number | null): Json {
  const body: Json = { ...request.body };
  if (maxTokensCap !== null) {
    const field = body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
    body[field] = Math.min(maxTokensCap, (body[field] as number | undefined) ?? maxTokensCap);
  }
  return body;
}

export function readChatUsage(response: unknown): Usage | null {
  if (!isPlainObject(response) || !isPlainObject(response.usage)) return null;
  const u = response.usage;
  const prompt = u.prompt_tokens;
  const completion = u.completion_tokens;
  if (!Number.isSafeInteger(prompt) || !Number.isSafeInteger(completion)) return null;
  const total = Number.isSafeInteger(u.total_tokens) ? (u.total_tokens as number) : (prompt as number) + (completion as number);
  return { prompt_tokens: prompt as number, completion_tokens: completion as number, total_tokens: total };
}

function validateMessage(message: unknown, i: number, segments: TextSegment[]): Json {
  const at = `messages[${i}]`;
  if (!isPlainObject(message)) throw new RequestError('ERR_REQUEST_INVALID', `${at} must be an object`, at);
  const allowed = new Set(['role', 'content', 'name', 'tool_calls', 'tool_call_id', 'refusal']);
  for (const key of Object.keys(message)) {
    if (!allowed.has(key)) throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${at}.${key}'`, `${at}.${key}`);
  }
  if (typeof message.role !== 'string' || !ROLES.has(message.role)) {
    throw new RequestError('ERR_REQUEST_INVALID', `${at}.role must be one of ${[...ROLES].join(', ')}`, `${at}.role`);
  }
  for (const key of ['name', 'tool_call_id', 'refusal'] as const) {
    if (message[key] !== undefined && message[key] !== null && typeof message[key] !== 'string') {
      throw new RequestError('ERR_REQUEST_INVALID', `${at}.${key} must be a string`, `${at}.${key}`);
    }
  }
  const content = message.content;
  if (typeof content === 'string') {
    segments.push({ path: `${at}.content`, text: content });
  } else if (Array.isArray(content)) {
    content.forEach((part, j) => {
      const p = `${at}.content[${j}]`;
      if (!isPlainObject(part) || part.type !== 'text' || typeof part.text !== 'string' || Object.keys(part).length !== 2) {
        throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${p}: only text parts can be classified, so only text parts are accepted`, p);
      }
      segments.push({ path: `${p}.text`, text: part.text });
    });
  } else if (!(content === null && message.role === 'assistant')) {
    throw new RequestError('ERR_REQUEST_INVALID', `${at}.content must be a string or an array of text parts`, `${at}.content`);
  }
  if (message.tool_calls !== undefined) {
    if (message.role !== 'assistant' || !Array.isArray(message.tool_calls)) {
      throw new RequestError('ERR_REQUEST_INVALID', `${at}.tool_calls is only valid as an array on assistant messages`, `${at}.tool_calls`);
    }
    message.tool_calls.forEach((call, k) => {
      const p = `${at}.tool_calls[${k}]`;
      const fn = isPlainObject(call) ? call.function : undefined;
      if (!isPlainObject(fn) || typeof fn.arguments !== 'string' || typeof fn.name !== 'string') {
        throw new RequestError('ERR_REQUEST_INVALID', `${p}.function must have string name and arguments`, p);
      }
      segments.push({ path: `${p}.function.arguments`, text: fn.arguments });
    });
  }
  return message;
}

function collectToolText(tool: Json, i: number, segments: TextSegment[]): void {
  const fn = tool.function;
  if (isPlainObject(fn) && typeof fn.description === 'string') {
    segments.push({ path: `tools[${i}].function.description`, text: fn.description });
  }
}

function parseJsonObject(raw: Uint8Array): Json {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new RequestError('ERR_REQUEST_NOT_JSON', 'request body is not valid UTF-8', null);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RequestError('ERR_REQUEST_NOT_JSON', 'request body is not valid JSON', null);
  }
  if (!isPlainObject(value)) throw new RequestError('ERR_REQUEST_INVALID', 'request body must be a JSON object', null);
  return value;
}

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPositiveInt(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 1;
}

function isNumberIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
}
