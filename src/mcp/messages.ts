// The client's JSON-RPC message, read in a closed world: one object (a batch array is refused: protocol revisions
// since 2025-06-18 have none), only `jsonrpc`, `id`, `method` and `params`, a method Proctor serves, and params walked
// by a closed shape per method (providers/shape.ts): every string and every property name that could go upstream is
// a segment to classify; tool arguments are free-form JSON, walked whole. What goes upstream is the walk's output.
// Invariants: an unknown field, method or shape is refused (McpError), never copied; depth is bounded by the walk.
import { either, inspect, int, json, object, refuse, RequestError, text } from '../providers/index.ts';
import type { Inspected, RequestSegment, Shape } from '../providers/index.ts';
import { McpError } from './errors.ts';

/** Protocol revisions served (Streamable HTTP with MCP-Protocol-Version); the first is offered to newer clients. */
export const PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18'] as const;

/** MCP's tool-name rule (1 to 128 of A-Z a-z 0-9 _ - .), prompt names too: a closed alphabet, still classified. */
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const ID_TEXT = /^[\x21-\x7e]{1,128}$/;

/** The client's request id or progress token: echoed to the client only, never sent upstream nor recorded. */
const id = either(text({ pattern: ID_TEXT, counted: false }), int(0));
const meta = object({ progressToken: id });
const listing = object({
  cursor: refuse('Proctor answers every page at once and never issues a cursor', 'string'),
  _meta: meta,
});

/** Methods with the shape of their params; forwarded ones carry their texts as segments. */
const PARAMS = {
  initialize: object(
    {
      protocolVersion: text({ pattern: /^\d{4}-\d{2}-\d{2}$/, counted: false }),
      capabilities: json({ object: true }),
      clientInfo: json({ object: true }),
      _meta: meta,
    },
    // clientInfo and the client's capabilities are read by no one upstream: Proctor's upstream sessions are its own.
    { required: ['protocolVersion', 'capabilities', 'clientInfo'] },
  ),
  ping: object({ _meta: meta }),
  'tools/list': listing,
  'resources/list': listing,
  'prompts/list': listing,
  'tools/call': object(
    {
      name: text({ pattern: NAME, location: 'tools' }),
      arguments: json({ object: true, location: 'tool_arguments' }),
      _meta: meta,
    },
    { required: ['name'] },
  ),
  'resources/read': object(
    { uri: text({ pattern: /^[\x21-\x7e]{1,2048}$/, location: 'tools' }), _meta: meta },
    { required: ['uri'] },
  ),
  'prompts/get': object(
    {
      name: text({ pattern: NAME, location: 'tools' }),
      arguments: json({ object: true, location: 'tool_arguments' }),
      _meta: meta,
    },
    { required: ['name'] },
  ),
  'notifications/initialized': object({ _meta: meta }),
  'notifications/cancelled': object({ requestId: id, reason: text({ counted: false }), _meta: meta }),
  'notifications/roots/list_changed': object({ _meta: meta }),
} satisfies Record<string, Shape>;

export type McpMethod = keyof typeof PARAMS;
type Notification = 'notifications/initialized' | 'notifications/cancelled' | 'notifications/roots/list_changed';

export type ClientMessage =
  | { kind: 'request'; id: string | number; method: Exclude<McpMethod, Notification>; params: Inspected<Params> }
  | { kind: 'notification'; method: Notification; params: Inspected<Params> };

/** Params as rebuilt by the walk (only the fields of the method's shape). */
export interface Params {
  name?: string;
  uri?: string;
  arguments?: Record<string, unknown>;
  protocolVersion?: string;
  _meta?: { progressToken?: string | number };
}

const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'method', 'params']);

/** Parses one POST body. MUST throw McpError for anything but a single, closed, known JSON-RPC request/notification. */
export function parseMessage(raw: Uint8Array): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    // The parser's message quotes the client's bytes: not kept.
    throw new McpError('ERR_MCP_PARSE', 'the body is not JSON (UTF-8)');
  }
  if (Array.isArray(value)) throw new McpError('ERR_MCP_BATCH', 'JSON-RPC batches are not accepted');
  if (typeof value !== 'object' || value === null) throw new McpError('ERR_MCP_INVALID', 'not a JSON-RPC message');
  const message = value as Record<string, unknown>;
  for (const key of Object.keys(message)) {
    if (!ENVELOPE_KEYS.has(key)) throw new McpError('ERR_MCP_INVALID', 'the message has a field JSON-RPC does not');
  }
  if (message['jsonrpc'] !== '2.0') throw new McpError('ERR_MCP_INVALID', 'jsonrpc must be "2.0"');
  const method = message['method'];
  if (typeof method !== 'string') {
    // A response or an error from the client: Proctor never sends the client a request (sampling, elicitation…).
    throw new McpError('ERR_MCP_INVALID', 'only requests and notifications are accepted');
  }
  if (!Object.hasOwn(PARAMS, method)) throw new McpError('ERR_MCP_METHOD', 'method not served by Proctor');
  const known = method as McpMethod;
  const rawParams = Object.hasOwn(message, 'params') ? message['params'] : {};
  let params: Inspected<Params>;
  try {
    params = inspect<Params>(PARAMS[known], rawParams, 'tool_arguments', 'params');
  } catch (error) {
    if (error instanceof RequestError) throw new McpError('ERR_MCP_PARAMS', error.message, { cause: error });
    throw error;
  }
  const isNotification = known.startsWith('notifications/');
  if (isNotification) {
    if (Object.hasOwn(message, 'id')) throw new McpError('ERR_MCP_INVALID', 'a notification has no id');
    return { kind: 'notification', method: known as Notification, params };
  }
  const rid = message['id'];
  const validId =
    (typeof rid === 'string' && ID_TEXT.test(rid)) || (typeof rid === 'number' && Number.isSafeInteger(rid));
  if (!validId) throw new McpError('ERR_MCP_INVALID', 'a request needs an id (string or integer)');
  if (known === 'prompts/get') checkPromptArguments(params.value.arguments);
  return { kind: 'request', id: rid as string | number, method: known as Exclude<McpMethod, Notification>, params };
}

/** Prompt arguments are a map of strings (the walk already classified every key and value). */
function checkPromptArguments(args: Record<string, unknown> | undefined): void {
  if (args === undefined) return;
  if (!Object.values(args).every((v) => typeof v === 'string'))
    throw new McpError('ERR_MCP_PARAMS', 'params.arguments: prompt arguments must be strings');
}

/** The segments of a message that reach the upstream (tools, resources and prompts); none for the others. */
export function forwardedSegments(message: ClientMessage): RequestSegment[] {
  return message.params.segments.filter((s) => s.location === 'tools' || s.location === 'tool_arguments');
}
