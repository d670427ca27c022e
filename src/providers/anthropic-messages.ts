// Anthropic messages (`POST /v1/messages`): `system` (string or text blocks), messages whose content is a string or
// text / tool_use / tool_result blocks, and tools with an `input_schema`. Invariants: as for OpenAI, only fields named
// here pass; `metadata` is refused (identity comes from the token); non-text blocks (images, documents) are refused;
// every string inside a tool_use input or a tool's schema is a segment.
import { isPlainObject, MODEL_PATTERN, type Json } from './json-body.ts';
import { arrayOf, bool, either, int, json, num, object, oneOf, text, variant, type ObjectShape } from './shape.ts';
import { normalizedRequest, parseShaped, rebuild } from './shaped-request.ts';
import { TOOL_NAME } from './openai-chat.ts';
import type { NormalizedRequest, Usage } from './types.ts';

const cacheControl = object({ type: oneOf('ephemeral'), ttl: oneOf('5m', '1h') }, { required: ['type'] });
const textBlock = object(
  { type: oneOf('text'), text: text(), cache_control: cacheControl },
  { required: ['type', 'text'] },
);

const blocks = {
  text: textBlock,
  tool_use: object(
    {
      type: oneOf('tool_use'),
      id: text(),
      name: text({ pattern: TOOL_NAME }),
      // A JSON object the model reads whole: every string and property name in it is text.
      input: json({ object: true, location: 'tool_arguments' }),
      cache_control: cacheControl,
    },
    { required: ['type', 'id', 'name', 'input'], locate: () => 'tool_arguments' },
  ),
  tool_result: object(
    {
      type: oneOf('tool_result'),
      tool_use_id: text(),
      content: either(text(), arrayOf(variant('type', { text: textBlock }), 4096)),
      is_error: bool,
      cache_control: cacheControl,
    },
    { required: ['type', 'tool_use_id'], locate: () => 'tool' },
  ),
};

/** Messages by role: tool calls come from the assistant, their results from the user. */
const message = variant(
  'role',
  {
    user: object(
      {
        role: oneOf('user'),
        content: either(text(), arrayOf(variant('type', { text: blocks.text, tool_result: blocks.tool_result }), 4096)),
      },
      { required: ['role', 'content'], locate: () => 'user' },
    ),
    assistant: object(
      {
        role: oneOf('assistant'),
        content: either(text(), arrayOf(variant('type', { text: blocks.text, tool_use: blocks.tool_use }), 4096)),
      },
      { required: ['role', 'content'], locate: () => 'assistant' },
    ),
  },
  { invalidTag: true },
);

const tool = object(
  {
    type: oneOf('custom'),
    name: text({ pattern: TOOL_NAME }),
    description: text(),
    input_schema: json({ object: true }),
    cache_control: cacheControl,
  },
  {
    required: ['name', 'input_schema'],
    locate: () => 'tools',
    sizeAsJson: true,
  },
);

const parallel = { disable_parallel_tool_use: bool };
const toolChoice = variant('type', {
  auto: object({ type: oneOf('auto'), ...parallel }),
  any: object({ type: oneOf('any'), ...parallel }),
  none: object({ type: oneOf('none') }),
  tool: object(
    { type: oneOf('tool'), name: text({ pattern: TOOL_NAME }), ...parallel },
    { required: ['type', 'name'] },
  ),
});

export const ANTHROPIC_REQUEST: ObjectShape = object(
  {
    model: text({ pattern: MODEL_PATTERN, counted: false }),
    messages: arrayOf(message, 4096, 1),
    system: either(text({ location: 'system' }), arrayOf(variant('type', { text: textBlock }), 4096)),
    max_tokens: int(1),
    stream: bool,
    stop_sequences: arrayOf(text(), 16),
    temperature: num(0, 1),
    top_p: num(0, 1),
    top_k: int(1),
    tools: arrayOf(tool, 128),
    tool_choice: toolChoice,
  },
  {
    required: ['model', 'messages', 'max_tokens'],
    refused: { metadata: 'identity comes from the access token, never from the body' },
  },
);

export function parseAnthropicMessages(raw: Uint8Array): NormalizedRequest {
  const { body, inspected, bodySha256 } = parseShaped(raw, ANTHROPIC_REQUEST);
  const messages = body.messages as Json[];
  const toolCalls = messages.reduce(
    (n, m) => n + (Array.isArray(m.content) ? (m.content as Json[]).filter((b) => b.type === 'tool_use').length : 0),
    0,
  );
  return normalizedRequest({
    api: 'anthropic.messages',
    body,
    inspected,
    bodySha256,
    maxTokens: body.max_tokens as number,
    outputs: 1, // one message: the API has no candidate count
    messageCount: messages.length,
    toolCalls,
    toolNames: ((body.tools as Json[] | undefined) ?? []).map((t) => t.name as string),
  });
}

export function anthropicUpstreamBody(request: NormalizedRequest, maxTokensCap: number | null): Json {
  const body = rebuild(ANTHROPIC_REQUEST, request.body);
  if (maxTokensCap !== null) body.max_tokens = Math.min(maxTokensCap, body.max_tokens as number);
  return body;
}

export function readAnthropicUsage(response: unknown): Usage | null {
  if (!isPlainObject(response) || !isPlainObject(response.usage)) return null;
  const u = response.usage;
  if (!Number.isSafeInteger(u.input_tokens) || !Number.isSafeInteger(u.output_tokens)) return null;
  const cache = anthropicCacheCounts(u);
  const prompt = (u.input_tokens as number) + cache.reads + cache.writes;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: u.output_tokens as number,
    total_tokens: prompt + (u.output_tokens as number),
  };
  return { ...usage, ...anthropicCacheUsage(cache) };
}

/** Anthropic's prompt-cache counts from a usage object (absent or malformed: 0). Its input_tokens exclude them. */
export interface AnthropicCacheCounts {
  reads: number;
  writes: number;
  writes1h: number;
}

export function anthropicCacheCounts(
  u: Record<string, unknown>,
  previous: AnthropicCacheCounts = { reads: 0, writes: 0, writes1h: 0 },
): AnthropicCacheCounts {
  const count = (value: unknown, otherwise: number) =>
    Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : otherwise;
  const reads = count(u.cache_read_input_tokens, previous.reads);
  const writes = count(u.cache_creation_input_tokens, previous.writes);
  const breakdown = isPlainObject(u.cache_creation) ? u.cache_creation : null;
  const writes1h = breakdown ? count(breakdown.ephemeral_1h_input_tokens, 0) : previous.writes1h;
  return { reads, writes, writes1h: Math.min(writes1h, writes) };
}

/** The Usage fields for prompt-cache counts: only those the provider reported as non-zero. */
export function anthropicCacheUsage(
  c: AnthropicCacheCounts,
): Pick<Usage, 'cached_input_tokens' | 'cache_write_tokens' | 'cache_write_1h_tokens'> {
  return {
    ...(c.reads > 0 ? { cached_input_tokens: c.reads } : {}),
    ...(c.writes > 0 ? { cache_write_tokens: c.writes } : {}),
    ...(c.writes1h > 0 ? { cache_write_1h_tokens: c.writes1h } : {}),
  };
}
