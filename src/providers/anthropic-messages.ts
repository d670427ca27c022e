// Anthropic messages (`POST /v1/messages`): `system` (string or text blocks), messages whose content is a string or
// text / tool_use / tool_result blocks, and tools with an `input_schema`. Invariants: as for OpenAI, only fields named
// here pass; `metadata` is refused (identity comes from the token); non-text blocks (images, documents) are refused;
// every string inside a tool_use input or a tool's schema is a segment.
import { createHash } from 'node:crypto';
import { addSegment, checkFields, collectJsonStrings, isBoolean, isNumberIn, isPlainObject, isPositiveInt, MODEL_PATTERN, newCollected, parseJsonObject, type Collected, type Json } from './json-body.ts';
import { estimatePromptTokens, utf8Bytes } from './token-estimate.ts';
import { RequestError, type NormalizedRequest, type SegmentLocation, type TextSegment, type Usage } from './types.ts';

const FIELDS = {
  model: (v) => typeof v === 'string' && MODEL_PATTERN.test(v),
  messages: (v) => Array.isArray(v) && v.length > 0 && v.length <= 4096,
  system: (v) => typeof v === 'string' || Array.isArray(v),
  max_tokens: isPositiveInt,
  stream: isBoolean,
  stop_sequences: (v) => Array.isArray(v) && v.length <= 16 && v.every((s) => typeof s === 'string'),
  temperature: (v) => isNumberIn(v, 0, 1),
  top_p: (v) => isNumberIn(v, 0, 1),
  top_k: isPositiveInt,
  tools: (v) => Array.isArray(v) && v.length <= 128 && v.every(isPlainObject),
  tool_choice: isPlainObject,
} satisfies Record<string, (v: unknown) => boolean>;

const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function parseAnthropicMessages(raw: Uint8Array): NormalizedRequest {
  const body = parseJsonObject(raw);
  checkFields(body, FIELDS, ['model', 'messages', 'max_tokens']);
  const collected = newCollected();
  if (typeof body.system === 'string') addSegment(collected, 'system', body.system, 'system');
  else if (Array.isArray(body.system)) body.system.forEach((block, i) => textBlock(block, `system[${i}]`, collected, 'system'));
  (body.messages as unknown[]).forEach((m, i) => validateMessage(m, i, collected));
  const toolNames = ((body.tools as Json[] | undefined) ?? []).map((tool, i) => validateTool(tool, i, collected));
  const messages = (body.messages as unknown[]).length;
  return {
    api: 'anthropic.messages',
    model: body.model as string,
    stream: body.stream === true,
    maxTokens: body.max_tokens as number,
    messageCount: messages,
    estimatedPromptTokens: estimatePromptTokens({ textBytes: collected.textBytes, messages, toolCalls: collected.toolCalls }),
    toolNames,
    segments: collected.segments,
    body,
    bodySha256: createHash('sha256').update(raw).digest('hex'),
  };
}

function textBlock(block: unknown, at: string, collected: Collected, location: SegmentLocation): void {
  const ok = isPlainObject(block) && block.type === 'text' && typeof block.text === 'string'
    && Object.keys(block).every((k) => k === 'type' || k === 'text' || (k === 'cache_control' && isPlainObject(block.cache_control)));
  if (!ok) throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${at}: only text blocks can be classified, so only text blocks are accepted here`, at);
  addSegment(collected, `${at}.text`, block.text as string, location);
}

function validateMessage(message: unknown, i: number, collected: Collected): void {
  const at = `messages[${i}]`;
  if (!isPlainObject(message)) throw new RequestError('ERR_REQUEST_INVALID', `${at} must be an object`, at);
  for (const key of Object.keys(message)) {
    if (key !== 'role' && key !== 'content') throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${at}.${key}'`, `${at}.${key}`);
  }
  if (message.role !== 'user' && message.role !== 'assistant') throw new RequestError('ERR_REQUEST_INVALID', `${at}.role must be user or assistant`, `${at}.role`);
  const location: SegmentLocation = message.role;
  if (typeof message.content === 'string') {
    addSegment(collected, `${at}.content`, message.content, location);
    return;
  }
  if (!Array.isArray(message.content)) throw new RequestError('ERR_REQUEST_INVALID', `${at}.content must be a string or an array of blocks`, `${at}.content`);
  message.content.forEach((block, j) => {
    const p = `${at}.content[${j}]`;
    if (!isPlainObject(block)) throw new RequestError('ERR_REQUEST_INVALID', `${p} must be an object`, p);
    const keys = Object.keys(block).filter((k) => k !== 'cache_control');
    const only = (allowed: string[]) => {
      const extra = keys.find((k) => !allowed.includes(k));
      if (extra !== undefined) throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${p}.${extra}'`, `${p}.${extra}`);
    };
    if (block.type === 'text') {
      textBlock(block, p, collected, location);
    } else if (block.type === 'tool_use' && message.role === 'assistant') {
      only(['type', 'id', 'name', 'input']);
      if (typeof block.id !== 'string' || typeof block.name !== 'string' || !isPlainObject(block.input)) {
        throw new RequestError('ERR_REQUEST_INVALID', `${p} must have string id and name and an object input`, p);
      }
      collectJsonStrings(block.input, `${p}.input`, collected, 'tool_arguments');
      collected.textBytes += utf8Bytes(block.name) + utf8Bytes(JSON.stringify(block.input));
      collected.toolCalls += 1;
    } else if (block.type === 'tool_result' && message.role === 'user') {
      only(['type', 'tool_use_id', 'content', 'is_error']);
      if (typeof block.tool_use_id !== 'string') throw new RequestError('ERR_REQUEST_INVALID', `${p}.tool_use_id must be a string`, `${p}.tool_use_id`);
      if (block.is_error !== undefined && typeof block.is_error !== 'boolean') throw new RequestError('ERR_REQUEST_INVALID', `${p}.is_error must be a boolean`, `${p}.is_error`);
      if (typeof block.content === 'string') addSegment(collected, `${p}.content`, block.content, 'tool');
      else if (Array.isArray(block.content)) block.content.forEach((inner, k) => textBlock(inner, `${p}.content[${k}]`, collected, 'tool'));
      else if (block.content !== undefined) throw new RequestError('ERR_REQUEST_INVALID', `${p}.content must be a string or text blocks`, `${p}.content`);
    } else {
      throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${p}: only text, tool_use (assistant) and tool_result (user) blocks are supported`, p);
    }
  });
}

function validateTool(tool: Json, i: number, collected: Collected): string {
  const at = `tools[${i}]`;
  for (const key of Object.keys(tool)) {
    if (!['name', 'description', 'input_schema', 'cache_control', 'type'].includes(key)) {
      throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${at}.${key}'`, `${at}.${key}`);
    }
  }
  if (tool.type !== undefined && tool.type !== 'custom') throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${at}.type: only custom (client) tools are supported`, `${at}.type`);
  if (typeof tool.name !== 'string' || !TOOL_NAME_PATTERN.test(tool.name)) {
    throw new RequestError('ERR_REQUEST_INVALID', `${at}.name must be 1-64 letters, digits, '_' or '-'`, `${at}.name`);
  }
  if (!isPlainObject(tool.input_schema)) throw new RequestError('ERR_REQUEST_INVALID', `${at}.input_schema must be an object`, `${at}.input_schema`);
  if (tool.description !== undefined) {
    if (typeof tool.description !== 'string') throw new RequestError('ERR_REQUEST_INVALID', `${at}.description must be a string`, `${at}.description`);
    collected.segments.push({ path: `${at}.description`, text: tool.description, location: 'tools' });
  }
  collectJsonStrings(tool.input_schema, `${at}.input_schema`, collected, 'tools');
  collected.textBytes += utf8Bytes(JSON.stringify(tool));
  return tool.name;
}

export function anthropicUpstreamBody(request: NormalizedRequest, maxTokensCap: number | null): Json {
  const body: Json = { ...request.body };
  if (maxTokensCap !== null) body.max_tokens = Math.min(maxTokensCap, body.max_tokens as number);
  return body;
}

export function readAnthropicUsage(response: unknown): Usage | null {
  if (!isPlainObject(response) || !isPlainObject(response.usage)) return null;
  const u = response.usage;
  if (!Number.isSafeInteger(u.input_tokens) || !Number.isSafeInteger(u.output_tokens)) return null;
  const cache = anthropicCacheCounts(u);
  const prompt = (u.input_tokens as number) + cache.reads + cache.writes;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: u.output_tokens as number, total_tokens: prompt + (u.output_tokens as number) };
  return { ...usage, ...anthropicCacheUsage(cache) };
}

/** Anthropic's prompt-cache counts from a usage object (absent or malformed: 0). Its input_tokens exclude them. */
export interface AnthropicCacheCounts {
  reads: number;
  writes: number;
  writes1h: number;
}

export function anthropicCacheCounts(u: Record<string, unknown>, previous: AnthropicCacheCounts = { reads: 0, writes: 0, writes1h: 0 }): AnthropicCacheCounts {
  const count = (value: unknown, otherwise: number) => (Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : otherwise);
  const reads = count(u.cache_read_input_tokens, previous.reads);
  const writes = count(u.cache_creation_input_tokens, previous.writes);
  const breakdown = isPlainObject(u.cache_creation) ? u.cache_creation : null;
  const writes1h = breakdown ? count(breakdown.ephemeral_1h_input_tokens, 0) : previous.writes1h;
  return { reads, writes, writes1h: Math.min(writes1h, writes) };
}

/** The Usage fields for prompt-cache counts: only those the provider reported as non-zero. */
export function anthropicCacheUsage(c: AnthropicCacheCounts): Pick<Usage, 'cached_input_tokens' | 'cache_write_tokens' | 'cache_write_1h_tokens'> {
  return {
    ...(c.reads > 0 ? { cached_input_tokens: c.reads } : {}),
    ...(c.writes > 0 ? { cache_write_tokens: c.writes } : {}),
    ...(c.writes1h > 0 ? { cache_write_1h_tokens: c.writes1h } : {}),
  };
}
