// OpenAI chat completions: parse and validate the client's body into a NormalizedRequest, build the body that goes
// upstream, and read usage from the answer. Invariants: only fields named here are forwarded (an unknown field is a
// 400 naming it, never passed through unseen); every text the model will see becomes a segment for the classifier;
// content this stage cannot classify (images, audio, files) is refused rather than forwarded unscanned.
import { createHash } from 'node:crypto';
import { estimatePromptTokens, utf8Bytes } from './token-estimate.ts';
import { collectJsonStrings, isNumberIn, isPlainObject, isStreamOptions, MODEL_PATTERN, parseJsonObject, type Collected, type Json } from './json-body.ts';
import { RequestError, type NormalizedRequest, type SegmentLocation } from './types.ts';
const ROLES = new Map<string, SegmentLocation>([['system', 'system'], ['developer', 'system'], ['user', 'user'], ['assistant', 'assistant'], ['tool', 'tool']]);
/** OpenAI's rule for function names. */
const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Top-level fields accepted, each with its check. `user` is absent on purpose: identity comes from the token. */
const FIELDS = {
  model: (v) => typeof v === 'string' && MODEL_PATTERN.test(v),
  messages: (v) => Array.isArray(v) && v.length > 0 && v.length <= 4096,
  max_tokens: isPositiveInt,
  max_completion_tokens: isPositiveInt,
  stream: (v) => typeof v === 'boolean',
  stream_options: isStreamOptions,
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
  if (body.stream === true && body.logprobs === true) {
    throw new RequestError('ERR_REQUEST_UNSUPPORTED', 'logprobs carry answer text a stream cannot screen: not supported with stream=true', 'logprobs');
  }
  if (body.stream_options !== undefined && body.stream !== true) {
    throw new RequestError('ERR_REQUEST_INVALID', "'stream_options' is only valid with stream=true", 'stream_options');
  }

  const collected: Collected = { segments: [], textBytes: 0, toolCalls: 0 };
  const messages = (body.messages as unknown[]).map((m, i) => validateMessage(m, i, collected));
  const toolNames = ((body.tools as Json[] | undefined) ?? []).map((tool, i) => validateTool(tool, i, collected));

  const forwarded: Json = { ...body, messages };
  const maxTokens = (body.max_completion_tokens ?? body.max_tokens ?? null) as number | null;
  return {
    api: 'openai.chat_completions',
    model: body.model as string,
    stream: body.stream === true,
    maxTokens,
    messageCount: messages.length,
    estimatedPromptTokens: estimatePromptTokens({ textBytes: collected.textBytes, messages: messages.length, toolCalls: collected.toolCalls }),
    toolNames,
    segments: collected.segments,
    body: forwarded,
    bodySha256: createHash('sha256').update(raw).digest('hex'),
  };
}

/** The body sent upstream: the validated fields, re-serialised, with the decision's max_tokens cap applied. */
export function chatUpstreamBody(request: NormalizedRequest, maxTokensCap: number | null): Json {
  const body: Json = { ...request.body };
  // Usage is read from the stream's last chunk: asked for whether or not the client did (the relay hides it then).
  if (request.stream) body.stream_options = { include_usage: true };
  if (maxTokensCap !== null) {
    const field = body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
    body[field] = Math.min(maxTokensCap, (body[field] as number | undefined) ?? maxTokensCap);
  }
  return body;
}

function validateMessage(message: unknown, i: number, collected: Collected): Json {
  const at = `messages[${i}]`;
  if (!isPlainObject(message)) throw new RequestError('ERR_REQUEST_INVALID', `${at} must be an object`, at);
  const allowed = new Set(['role', 'content', 'name', 'tool_calls', 'tool_call_id', 'refusal']);
  for (const key of Object.keys(message)) {
    if (!allowed.has(key)) throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${at}.${key}'`, `${at}.${key}`);
  }
  const location = typeof message.role === 'string' ? ROLES.get(message.role) : undefined;
  if (location === undefined) {
    throw new RequestError('ERR_REQUEST_INVALID', `${at}.role must be one of ${[...ROLES.keys()].join(', ')}`, `${at}.role`);
  }
  const segment = (path: string, text: string, where: SegmentLocation = location) => {
    collected.segments.push({ path, text, location: where });
    collected.textBytes += utf8Bytes(text);
  };
  for (const key of ['name', 'tool_call_id', 'refusal'] as const) {
    if (message[key] !== undefined && message[key] !== null && typeof message[key] !== 'string') {
      throw new RequestError('ERR_REQUEST_INVALID', `${at}.${key} must be a string`, `${at}.${key}`);
    }
  }
  if (typeof message.refusal === 'string') segment(`${at}.refusal`, message.refusal);
  const content = message.content;
  if (typeof content === 'string') {
    segment(`${at}.content`, content);
  } else if (Array.isArray(content)) {
    content.forEach((part, j) => {
      const p = `${at}.content[${j}]`;
      if (!isPlainObject(part) || part.type !== 'text' || typeof part.text !== 'string' || Object.keys(part).length !== 2) {
        throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${p}: only text parts can be classified, so only text parts are accepted`, p);
      }
      segment(`${p}.text`, part.text);
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
      segment(`${p}.function.arguments`, fn.arguments, 'tool_arguments');
      collected.textBytes += utf8Bytes(fn.name);
      collected.toolCalls += 1;
    });
  }
  return message;
}

/** Checks one tool definition, collects its description, and returns its name. */
function validateTool(tool: Json, i: number, collected: Collected): string {
  const at = `tools[${i}]`;
  if (tool.type !== 'function') {
    throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${at}.type: only function tools are supported`, `${at}.type`);
  }
  const fn = tool.function;
  if (!isPlainObject(fn) || typeof fn.name !== 'string' || !TOOL_NAME_PATTERN.test(fn.name)) {
    throw new RequestError('ERR_REQUEST_INVALID', `${at}.function.name must be 1-64 letters, digits, '_' or '-'`, `${at}.function.name`);
  }
  if (fn.description !== undefined && typeof fn.description !== 'string') {
    throw new RequestError('ERR_REQUEST_INVALID', `${at}.function.description must be a string`, `${at}.function.description`);
  }
  for (const key of Object.keys(fn)) {
    if (!TOOL_FUNCTION_FIELDS.has(key)) throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${at}.function.${key}'`, `${at}.function.${key}`);
  }
  for (const key of Object.keys(tool)) {
    if (key !== 'type' && key !== 'function') throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${at}.${key}'`, `${at}.${key}`);
  }
  if (typeof fn.description === 'string') {
    collected.segments.push({ path: `${at}.function.description`, text: fn.description, location: 'tools' });
  }
  if (fn.parameters !== undefined) collectJsonStrings(fn.parameters, `${at}.function.parameters`, collected, 'tools');
  // The whole definition (name, description, parameter schema) reaches the model as text.
  collected.textBytes += utf8Bytes(JSON.stringify(tool));
  return fn.name;
}

const TOOL_FUNCTION_FIELDS = new Set(['name', 'description', 'parameters', 'strict']);

function isPositiveInt(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 1;
}
