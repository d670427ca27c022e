// policy-input.v1 for one MCP request: the principal, the request summarised as api mcp.<method>, the classification
// counts of what would go upstream (tool name in `tools`, arguments in `tool_arguments`), the server as the only
// upstream, and `mcp` (server, method, name, the tool's advertised annotations). Invariants: counts only; a name
// is here only once the classifier found nothing in it (the input is recorded); the time is the one given.
import type { Classification } from '../classification/index.ts';
import type { McpServerSettings } from '../config/index.ts';
import type { Principal } from '../identity/index.ts';
import type { McpInput, PolicyInput } from '../policy/index.ts';
import { classificationInput, isPlainToolName, principalInput, WITHHELD_TOOL_NAME } from '../pipeline/index.ts';
import type { RequestSegment } from '../providers/index.ts';

export type McpPolicyMethod = McpInput['method'];

/** The record's and the input's `api` for each method (policy-input.v1: family.operation). */
export const API_OF = {
  'tools/call': 'mcp.tools_call',
  'tools/list': 'mcp.tools_list',
  'resources/read': 'mcp.resources_read',
  'resources/list': 'mcp.resources_list',
  'prompts/get': 'mcp.prompts_get',
  'prompts/list': 'mcp.prompts_list',
} as const satisfies Record<McpPolicyMethod, string>;

export const NO_ANNOTATIONS: McpInput['annotations'] = {
  read_only: null,
  destructive: null,
  idempotent: null,
  open_world: null,
};

export interface McpRequestSummary {
  server: McpServerSettings;
  method: McpPolicyMethod;
  /** The tool or prompt name or resource URI (only once classification has passed it); null for a list. */
  name: string | null;
  annotations: McpInput['annotations'];
  segments: readonly RequestSegment[];
  /** ceil(UTF-8 bytes of what goes upstream / 3), as the LLM APIs estimate. */
  estimatedTokens: number;
}

export function mcpPolicyInput(
  principal: Principal,
  request: McpRequestSummary,
  classification: Classification,
  now: Date,
  usage?: PolicyInput['usage'],
): PolicyInput {
  const { server } = request;
  return {
    principal: principalInput(principal),
    request: {
      api: API_OF[request.method],
      model: modelOf(server.name, request.method, request.name),
      stream: false,
      max_tokens: null,
      message_count: 0,
      estimated_prompt_tokens: request.estimatedTokens,
      tools:
        request.method === 'tools/call' && request.name !== null
          ? { count: 1, names: [request.name] }
          : { count: 0, names: [] },
    },
    classification: classificationInput(classification, request.segments),
    upstreams: [
      {
        name: server.name,
        provider: 'mcp',
        region: server.region,
        baa: server.baa,
        zero_data_retention: server.zeroDataRetention,
        models: ['*'],
      },
    ],
    time: { unix_ms: now.getTime(), iso: now.toISOString() },
    ...(usage ? { usage } : {}),
    mcp: {
      version: 1,
      server: server.name,
      method: request.method,
      name: request.name,
      annotations: request.annotations,
    },
  };
}

/** What records and reports show as the "model" of an MCP request: server/tool for tools and prompts, else the
 * server. */
export function modelOf(server: string, method: McpPolicyMethod, name: string | null): string {
  return (method === 'tools/call' || method === 'prompts/get') && name !== null ? `${server}/${name}` : server;
}

/**
 * A tool or prompt name as records and the policy input show it (they are recorded): as sent when the server lists it
 * (`listed`: a tools/call name found in the server's tool list) or when it is a plain identifier (isPlainToolName: at
 * most five digits, as chat tool names), else WITHHELD_TOOL_NAME: bare digits the classifier does not flag
 * (`t_219099999`) stay out. A resource URI is shown as sent.
 */
export function mcpRecordedName(method: McpPolicyMethod, name: string, listed: boolean): string {
  if (method === 'resources/read' || listed || isPlainToolName(name)) return name;
  return WITHHELD_TOOL_NAME;
}
