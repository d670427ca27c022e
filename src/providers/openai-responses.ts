// OpenAI Responses API (`POST /v1/responses`): `input` (a string or message / function_call / function_call_output
// items), `instructions`, function tools. Invariants: state the model would read that Proctor never saw is refused
// (`previous_response_id`, `conversation`, stored prompts); every text part, call argument, call output, instruction
// and tool definition is a segment; non-text parts are refused.
import { isPlainObject, MODEL_PATTERN, type Json } from './json-body.ts';
import {
  arrayOf,
  bool,
  either,
  int,
  json,
  nullable,
  num,
  object,
  oneOf,
  text,
  variant,
  type ObjectShape,
} from './shape.ts';
import { normalizedRequest, parseShaped, rebuild } from './shaped-request.ts';
import { TOOL_NAME } from './openai-chat.ts';
import type { NormalizedRequest, SegmentLocation, Usage } from './types.ts';
import { withCached } from './openai-completions.ts';

const ROLES: Readonly<Record<string, SegmentLocation>> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
};
const STORED = 'makes the model read stored text Proctor never classified, so it is not supported';
const ITEM_STATUS = oneOf('in_progress', 'completed', 'incomplete');

const textPart = object(
  {
    type: oneOf('input_text', 'output_text'),
    text: text(),
    // Accepted only empty: an annotation is text (titles, URLs) this shape does not read.
    annotations: arrayOf(text(), 0),
  },
  { required: ['type', 'text'] },
);

const items = {
  message: object(
    {
      type: oneOf('message'),
      role: oneOf(...Object.keys(ROLES)),
      content: either(text(), arrayOf(variant('type', { input_text: textPart, output_text: textPart }), 4096, 1)),
      id: text(),
      status: ITEM_STATUS,
    },
    {
      required: ['role', 'content'],
      locate: (m) => (typeof m.role === 'string' && Object.hasOwn(ROLES, m.role) ? ROLES[m.role] : undefined),
    },
  ),
  function_call: object(
    {
      type: oneOf('function_call'),
      call_id: text(),
      name: text({ pattern: TOOL_NAME }),
      arguments: text(),
      id: text(),
      status: ITEM_STATUS,
    },
    { required: ['type', 'call_id', 'name', 'arguments'], locate: () => 'tool_arguments' },
  ),
  function_call_output: object(
    {
      type: oneOf('function_call_output'),
      call_id: text(),
      output: text(),
      id: text(),
      status: ITEM_STATUS,
    },
    { required: ['type', 'call_id', 'output'], locate: () => 'tool' },
  ),
};

const tool = variant(
  'type',
  {
    function: object(
      {
        type: oneOf('function'),
        name: text({ pattern: TOOL_NAME }),
        description: text(),
        parameters: nullable(json({ object: true })),
        strict: nullable(bool),
      },
      { required: ['type', 'name'], locate: () => 'tools', sizeAsJson: true },
    ),
  },
  { reportAt: 'tag' },
);

const format = variant('type', {
  text: object({ type: oneOf('text') }),
  json_object: object({ type: oneOf('json_object') }),
  json_schema: object(
    {
      type: oneOf('json_schema'),
      name: text({ pattern: TOOL_NAME }),
      description: text(),
      schema: json({ object: true }),
      strict: nullable(bool),
    },
    { required: ['type', 'name', 'schema'] },
  ),
});

export const RESPONSES_REQUEST: ObjectShape = object(
  {
    model: text({ pattern: MODEL_PATTERN, counted: false }),
    input: either(
      text({ location: 'user' }),
      arrayOf(variant('type', items, { fallback: 'message', reportAt: 'tag' }), 4096, 1),
    ),
    instructions: text({ location: 'system' }),
    tools: arrayOf(tool, 128),
    tool_choice: either(
      oneOf('none', 'auto', 'required'),
      object({ type: oneOf('function'), name: text({ pattern: TOOL_NAME }) }, { required: ['type', 'name'] }),
    ),
    max_output_tokens: int(1),
    temperature: num(0, 2),
    top_p: num(0, 1),
    stream: bool,
    parallel_tool_calls: bool,
    store: bool,
    text: object({ format, verbosity: oneOf('low', 'medium', 'high') }),
    reasoning: object({
      effort: nullable(oneOf('none', 'minimal', 'low', 'medium', 'high', 'xhigh')),
      summary: nullable(oneOf('auto', 'concise', 'detailed')),
    }),
    truncation: oneOf('auto', 'disabled'),
  },
  {
    required: ['model', 'input'],
    unsupported: { previous_response_id: STORED, conversation: STORED, prompt: STORED },
    refused: { user: 'identity comes from the access token, never from the body' },
  },
);

export function parseResponsesRequest(raw: Uint8Array): NormalizedRequest {
  const { body, inspected, bodySha256 } = parseShaped(raw, RESPONSES_REQUEST);
  const input = Array.isArray(body.input) ? (body.input as Json[]) : null;
  return normalizedRequest({
    api: 'openai.responses',
    body,
    inspected,
    bodySha256,
    maxTokens: (body.max_output_tokens ?? null) as number | null,
    outputs: 1, // one response: the API has no candidate count (no `n`)
    messageCount: input === null ? 1 : input.length,
    toolCalls: input === null ? 0 : input.filter((item) => item.type === 'function_call').length,
    toolNames: ((body.tools as Json[] | undefined) ?? []).map((t) => t.name as string),
  });
}

export function responsesUpstreamBody(request: NormalizedRequest, maxTokensCap: number | null): Json {
  const body = rebuild(RESPONSES_REQUEST, request.body);
  if (maxTokensCap !== null)
    body.max_output_tokens = Math.min(maxTokensCap, (body.max_output_tokens as number | undefined) ?? maxTokensCap);
  return body;
}

export function readResponsesUsage(response: unknown): Usage | null {
  if (!isPlainObject(response) || !isPlainObject(response.usage)) return null;
  const u = response.usage;
  if (!Number.isSafeInteger(u.input_tokens) || !Number.isSafeInteger(u.output_tokens)) return null;
  const total = Number.isSafeInteger(u.total_tokens)
    ? (u.total_tokens as number)
    : (u.input_tokens as number) + (u.output_tokens as number);
  return withCached(
    { prompt_tokens: u.input_tokens as number, completion_tokens: u.output_tokens as number, total_tokens: total },
    u.input_tokens_details,
  );
}
