// Builders the adversarial rounds share: request bodies as the SDKs send them, answers and stream events as the
// providers write them, "what went upstream" for one request through the in-process pipeline, and the MCP proxy in
// front of a hostile tool server. Each builder gives an ordinary, valid value; a test passes in only what it attacks,
// so a body's field order (what the document-order readings see) is the same wherever it is built.
import type { PolicyEngine } from '../../src/policy/index.ts';
import { harness } from '../helpers/mcp-harness.ts';
import { recordingPipeline } from './recording-pipeline.ts';

type Json = Record<string, unknown>;

/** One request body through the in-process pipeline: the status and the bytes that went upstream. */
export async function forwarded(api: 'openai.chat_completions' | 'anthropic.messages', body: unknown) {
  const { handler, sent } = await recordingPipeline();
  const reply = await handler.handle({
    requestId: 'adversarial',
    api,
    headers: {},
    body: new TextEncoder().encode(JSON.stringify(body)),
  });
  return { status: reply.status, upstream: sent.join('\n') };
}

/** A chat request of one user message per text. */
export const prompt = (...contents: string[]) => ({
  model: 'echo-1',
  messages: contents.map((content) => ({ role: 'user', content })),
});

/** An Anthropic tool_use block. */
export const toolUse = (input: Json, id = 'toolu_1', name = 'f') => ({ type: 'tool_use', id, name, input });

/** An Anthropic request whose assistant turn is `content`, answered by a tool_result for toolu_1. */
export const anthropicToolTurn = (content: unknown[], resultFor = 'toolu_1') => ({
  model: 'echo-1',
  max_tokens: 5,
  messages: [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: resultFor, content: 'ok' }] },
  ],
});

/** An Anthropic request whose assistant turn is one tool_use of `f` with `input`. */
export const anthropicToolRequest = (input: Json) => anthropicToolTurn([toolUse(input)]);

/** A chat request whose assistant turn calls `f` (call `id`) with `args`, answered by the tool. */
export const chatToolRequest = (args: string, id = 'call_1') => ({
  model: 'echo-1',
  messages: [
    { role: 'user', content: 'hi' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id, type: 'function', function: { name: 'f', arguments: args } }],
    },
    { role: 'tool', tool_call_id: id, content: 'ok' },
  ],
});

/** An Anthropic message answer holding `content` (a tool_use stop). */
export const anthropicAnswer = (content: unknown[], model = 'c') => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model,
  content,
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 1 },
});

/** A chat answer whose one choice's message is `message` after its role; `over` set before the choices. */
export const chatAnswer = (over: Json, message: Json, finish = 'stop') => ({
  id: 'x',
  object: 'chat.completion',
  created: 0,
  model: 'm',
  ...over,
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
});

/** A chat stream request. */
export const CHAT_STREAM = { model: 'echo-1', stream: true, messages: [{ role: 'user', content: 'hi' }] };
/** An Anthropic stream request. */
export const ANTHROPIC_STREAM = {
  model: 'echo-1',
  max_tokens: 50,
  stream: true,
  messages: [{ role: 'user', content: 'hi' }],
};

/** One chat stream chunk: one choice with `delta` and `finish`, `over` set before the choices. */
export const chatChunk = (delta: Json, finish: string | null = null, over: Json = {}) => ({
  data: {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'g',
    ...over,
    choices: [{ index: 0, delta, finish_reason: finish }],
  },
});

/** A named SSE event whose data carries its type first (the Anthropic and Responses streams). */
export const sseEvent = (type: string, data: Json): { event: string; data: Json } => ({
  event: type,
  data: { type, ...data },
});

/** Anthropic's message_start, its message with `over`. */
export const messageStart = (over: Json = {}) =>
  sseEvent('message_start', {
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
      ...over,
    },
  });

/** One Anthropic content block streamed in one delta: a text, or a tool_use's input as one input_json_delta. */
export function streamedBlock(index: number, block: { text: string } | { id: string; name: string; json: string }) {
  const start = 'text' in block ? { type: 'text', text: '' } : { type: 'tool_use', id: block.id, name: block.name };
  const delta =
    'text' in block ? { type: 'text_delta', text: block.text } : { type: 'input_json_delta', partial_json: block.json };
  return [
    sseEvent('content_block_start', { index, content_block: 'text' in block ? start : { ...start, input: {} } }),
    sseEvent('content_block_delta', { index, delta }),
    sseEvent('content_block_stop', { index }),
  ];
}

/** Anthropic's message_delta (stop reason `end_turn` unless `delta` says otherwise) and message_stop. */
export const messageEnd = (delta: Json = {}) => [
  sseEvent('message_delta', {
    delta: { stop_reason: 'end_turn', stop_sequence: null, ...delta },
    usage: { output_tokens: 3 },
  }),
  sseEvent('message_stop', {}),
];

/** One progress notification from an MCP server. */
export type Progress = { progress: number; total?: number; message?: string };

/**
 * The MCP proxy in front of a hostile server: its tool reports `progress`, then answers `result` (or throws `fails`).
 * The returned call initialises a session and calls the tool asking for progress (or lists the tools); it gives every
 * data payload the client received, joined, and what the proxy logged.
 */
export function hostileServer(
  engine: PolicyEngine,
  progress: readonly Progress[],
  result: Json,
  options: { listed?: Json[]; fails?: Error } = {},
) {
  const listed = options.listed ?? [{ name: 'lookup', inputSchema: { type: 'object' } }];
  const { handle: post, logged } = harness(engine, {
    sub: 'mallory',
    upstream: {
      tools: async () =>
        listed.map((entry) => ({
          name: String(entry.name),
          annotations: { read_only: true, destructive: false, idempotent: true, open_world: false },
          entry,
        })),
      callTool: async (_name, _args, callOptions) => {
        for (const p of progress) callOptions.onProgress?.(p);
        if (options.fails !== undefined) throw options.fails;
        return result;
      },
    },
  });
  return async (method: 'tools/call' | 'tools/list' = 'tools/call') => {
    const opened = await post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'm', version: '1' } },
    });
    const session = {
      'mcp-session-id': opened.headers['mcp-session-id'] as string,
      'mcp-protocol-version': '2025-11-25',
    };
    const params = method === 'tools/list' ? {} : { name: 'lookup', arguments: {}, _meta: { progressToken: 'p' } };
    const reply = await post({ jsonrpc: '2.0', id: 1, method, params }, session);
    const out: string[] = [];
    if (!('stream' in reply)) out.push(JSON.stringify(reply.body));
    else await reply.stream(async (data) => void out.push(data), new AbortController().signal);
    return { out: out.join('\n'), logged: JSON.stringify(logged) };
  };
}

/** An MCP tool result of one text. */
export const textResult = (text: string) => ({ content: [{ type: 'text', text }] });

/**
 * A Responses stream of one message item whose text is `text`, in one delta: `itemStatus` in output_item.done, `final`
 * the completed response's status.
 */
export function responsesEvents(text: string, itemStatus = 'completed', final = 'completed') {
  let sequence = 0;
  const event = (type: string, data: Json) => sseEvent(type, { sequence_number: sequence++, ...data });
  const response = (status: string, output: unknown[]) => ({
    id: 'resp_1',
    object: 'response',
    created_at: 0,
    status,
    model: 'm',
    output,
  });
  const part = (t: string) => ({ type: 'output_text', text: t, annotations: [] });
  const item = (status: string, content: unknown[]) => ({
    type: 'message',
    id: 'msg_1',
    status,
    role: 'assistant',
    content,
  });
  const at = { item_id: 'msg_1', output_index: 0, content_index: 0 };
  return [
    event('response.created', { response: response('in_progress', []) }),
    event('response.output_item.added', { output_index: 0, item: item('in_progress', []) }),
    event('response.content_part.added', { ...at, part: part('') }),
    event('response.output_text.delta', { ...at, delta: text }),
    event('response.output_text.done', { ...at, text }),
    event('response.content_part.done', { ...at, part: part(text) }),
    event('response.output_item.done', { output_index: 0, item: item(itemStatus, [part(text)]) }),
    event('response.completed', { response: response(final, [item('completed', [part(text)])]) }),
  ];
}
