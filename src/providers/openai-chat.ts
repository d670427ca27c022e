// OpenAI chat completions: the request's closed shape, parsed into a NormalizedRequest, the body that goes upstream,
// and usage. Invariants: the body forwarded is rebuilt by the shape walk (shape.ts) from what it inspected; every
// string in it (names, ids, stop sequences, schemas included) is a classified segment or an enum token; an unknown
// field is a 400 naming it; content this stage cannot classify (images, audio, files) is refused.
import { MODEL_PATTERN, type Json } from './json-body.ts';
import {
  arrayOf,
  bool,
  either,
  int,
  json,
  nul,
  nullable,
  num,
  object,
  oneOf,
  text,
  variant,
  type ObjectShape,
} from './shape.ts';
import { normalizedRequest, parseShaped, rebuild } from './shaped-request.ts';
import { RequestError, type NormalizedRequest, type SegmentLocation } from './types.ts';

const ROLES: Readonly<Record<string, SegmentLocation>> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  tool: 'tool',
};
/** OpenAI's rule for function and schema names. */
export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const textPart = object({ type: oneOf('text'), text: text() }, { required: ['type', 'text'] });

const toolCall = object(
  {
    id: text({ location: 'tool_arguments' }),
    type: oneOf('function'),
    function: object(
      {
        name: text({ pattern: TOOL_NAME, location: 'tool_arguments' }),
        arguments: text({ location: 'tool_arguments' }),
      },
      { required: ['name', 'arguments'] },
    ),
  },
  { required: ['id', 'function'] },
);

const parts = arrayOf(variant('type', { text: textPart }), 4096, 1);
const authored = (role: string) =>
  object(
    { role: oneOf(role), content: either(text(), parts), name: text() },
    { required: ['role', 'content'], locate: () => ROLES[role] },
  );
/** Messages by role: each role's own fields (tool calls are the assistant's, a tool call id the tool message's). */
const message = variant(
  'role',
  {
    system: authored('system'),
    developer: authored('developer'),
    user: authored('user'),
    assistant: object(
      {
        role: oneOf('assistant'),
        content: either(text(), parts, nul),
        name: text(),
        tool_calls: arrayOf(toolCall, 128),
        refusal: nullable(text()),
      },
      { required: ['role'], locate: () => 'assistant', check: checkAssistant },
    ),
    tool: object(
      { role: oneOf('tool'), content: either(text(), parts), tool_call_id: text() },
      { required: ['role', 'content', 'tool_call_id'], locate: () => 'tool' },
    ),
  },
  { invalidTag: true },
);

const tool = variant(
  'type',
  {
    function: object(
      {
        type: oneOf('function'),
        function: object(
          {
            name: text({ pattern: TOOL_NAME }),
            description: text(),
            parameters: json({ object: true }),
            strict: nullable(bool),
          },
          { required: ['name'] },
        ),
      },
      { required: ['type', 'function'], locate: () => 'tools', sizeAsJson: true },
    ),
  },
  { reportAt: 'tag' },
);

const responseFormat = variant('type', {
  text: object({ type: oneOf('text') }),
  json_object: object({ type: oneOf('json_object') }),
  json_schema: object(
    {
      type: oneOf('json_schema'),
      json_schema: object(
        {
          name: text({ pattern: TOOL_NAME }),
          description: text(),
          schema: json({ object: true }),
          strict: nullable(bool),
        },
        { required: ['name'] },
      ),
    },
    { required: ['type', 'json_schema'] },
  ),
});

export const CHAT_REQUEST: ObjectShape = object(
  {
    model: text({ pattern: MODEL_PATTERN, counted: false }),
    messages: arrayOf(message, 4096, 1),
    max_tokens: int(1),
    max_completion_tokens: int(1),
    stream: bool,
    stream_options: object({ include_usage: bool }),
    temperature: num(0, 2),
    top_p: num(0, 1),
    n: int(1, 16),
    stop: either(text(), arrayOf(text(), 4)),
    presence_penalty: num(-2, 2),
    frequency_penalty: num(-2, 2),
    seed: int(Number.MIN_SAFE_INTEGER),
    response_format: responseFormat,
    tools: arrayOf(tool, 128),
    tool_choice: either(
      oneOf('none', 'auto', 'required'),
      object(
        { type: oneOf('function'), function: object({ name: text({ pattern: TOOL_NAME }) }, { required: ['name'] }) },
        { required: ['type', 'function'] },
      ),
    ),
    parallel_tool_calls: bool,
    logprobs: bool,
    top_logprobs: int(0, 20),
    reasoning_effort: oneOf('none', 'minimal', 'low', 'medium', 'high', 'xhigh'),
  },
  {
    required: ['model', 'messages'],
    refused: {
      user: 'identity comes from the access token, never from the body',
      metadata: 'identity comes from the access token, never from the body',
    },
    check: (body) => {
      // One output cap: the reservation and the policy's cap bound the one field sent, so a second one the upstream
      // may read instead (many OpenAI-compatible servers read max_tokens alone) is refused, as OpenAI refuses it
      // (400 invalid_parameter_combination, param max_tokens).
      if (body.max_tokens !== undefined && body.max_completion_tokens !== undefined) {
        throw new RequestError(
          'ERR_REQUEST_INVALID',
          "Setting 'max_tokens' and 'max_completion_tokens' at the same time is not supported.",
          'max_tokens',
        );
      }
      // One choice per stream: the hold-back scanners screen each choice apart, so a value split across two streamed
      // choices could not be found (the non-streamed screen joins them).
      if (body.stream === true && ((body.n as number | undefined) ?? 1) > 1) {
        throw new RequestError(
          'ERR_REQUEST_UNSUPPORTED',
          'several choices (n > 1) are not supported with stream=true',
          'n',
        );
      }
      if (body.stream === true && body.logprobs === true) {
        throw new RequestError(
          'ERR_REQUEST_UNSUPPORTED',
          'logprobs carry answer text a stream cannot screen: not supported with stream=true',
          'logprobs',
        );
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

/** An assistant message says something: content (null allowed), or tool calls. */
function checkAssistant(m: Json, at: string): void {
  if (m.content === undefined && m.tool_calls === undefined) {
    throw new RequestError(
      'ERR_REQUEST_INVALID',
      `${at}.content must be a string or an array of text parts`,
      `${at}.content`,
    );
  }
}

export function parseChatCompletion(raw: Uint8Array): NormalizedRequest {
  const { body, inspected, bodySha256 } = parseShaped(raw, CHAT_REQUEST);
  const messages = body.messages as Json[];
  const toolCalls = messages.reduce((n, m) => n + (Array.isArray(m.tool_calls) ? m.tool_calls.length : 0), 0);
  return normalizedRequest({
    api: 'openai.chat_completions',
    body,
    inspected,
    bodySha256,
    maxTokens: (body.max_completion_tokens ?? body.max_tokens ?? null) as number | null,
    // Every choice is generated and billed, each up to the cap.
    outputs: (body.n ?? 1) as number,
    messageCount: messages.length,
    toolCalls,
    toolNames: ((body.tools as Json[] | undefined) ?? []).map((t) => (t.function as Json).name as string),
  });
}

/** The body sent upstream: the shape walk once more (after any redaction), with the decision's max_tokens cap. */
export function chatUpstreamBody(request: NormalizedRequest, maxTokensCap: number | null): Json {
  const body = rebuild(CHAT_REQUEST, request.body);
  // Usage is read from the stream's last chunk: asked for whether or not the client did (the relay hides it then).
  if (request.stream) body.stream_options = { include_usage: true };
  if (maxTokensCap !== null) {
    // One of the two caps at most (the shape refuses both), so the field capped is the one the upstream reads.
    const field = body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
    body[field] = Math.min(maxTokensCap, (body[field] as number | undefined) ?? maxTokensCap);
  }
  return body;
}
