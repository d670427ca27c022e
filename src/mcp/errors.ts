// The MCP proxy's failures: one code each, with the HTTP status and the JSON-RPC error code it is answered with.
// Transport and session failures are HTTP errors (the client's transport must see them: 401 starts OAuth, 404 a new
// session); a call refused by a stage is a JSON-RPC error in a 200, as MCP clients expect for a failed request.
// Messages MUST NOT carry the client's values (tool names, arguments, tokens): they reach records as codes only.

export const MCP_FAILURES = {
  ERR_MCP_PARSE: { status: 400, rpc: -32700 },
  ERR_MCP_BATCH: { status: 400, rpc: -32600 },
  ERR_MCP_INVALID: { status: 400, rpc: -32600 },
  ERR_MCP_METHOD: { status: 200, rpc: -32601 },
  ERR_MCP_PARAMS: { status: 200, rpc: -32602 },
  /** No or a bad MCP-Protocol-Version header, or a version Proctor does not serve. */
  ERR_MCP_PROTOCOL_VERSION: { status: 400, rpc: -32600 },
  /** A request other than initialize without Mcp-Session-Id. */
  ERR_MCP_SESSION_REQUIRED: { status: 400, rpc: -32600 },
  /** An unknown or expired session, or one opened by another principal or for another server (fixation): 404. */
  ERR_MCP_SESSION_UNKNOWN: { status: 404, rpc: -32001 },
  ERR_MCP_SESSIONS_FULL: { status: 503, rpc: -32603 },
  /** A browser page of another origin (DNS rebinding): the transport spec requires the Origin header be checked. */
  ERR_MCP_ORIGIN: { status: 403, rpc: -32600 },
  ERR_MCP_SERVER_UNKNOWN: { status: 404, rpc: -32600 },
  /** A tool the server does not list (closed world: only advertised tools, with their annotations, are called). */
  ERR_MCP_TOOL_UNKNOWN: { status: 200, rpc: -32602 },
  ERR_MCP_CLASSIFIED_NAME: { status: 200, rpc: -32602 },
  ERR_POLICY_DENIED: { status: 200, rpc: -32003 },
  ERR_NO_UPSTREAM: { status: 200, rpc: -32003 },
  /** The policy asked to redact the request's arguments: MCP arguments are refused instead (never half-forwarded). */
  ERR_MCP_REDACTION_UNSUPPORTED: { status: 200, rpc: -32003 },
  ERR_CLASSIFICATION_FAILED: { status: 200, rpc: -32603 },
  ERR_CLASSIFIER_BUSY: { status: 503, rpc: -32603 },
  /** The arguments pass a classification bound (ERR_DECODE_BUDGET_EXCEEDED, ERR_NAME_PAIRS_EXCEEDED, named in the
   * message): the client's to fix, as a 413 is on the LLM APIs; not a server fault to retry. */
  ERR_REQUEST_TOO_COMPLEX: { status: 200, rpc: -32602 },
  ERR_RESPONSE_BLOCKED: { status: 200, rpc: -32004 },
  ERR_REDACTION_FAILED: { status: 200, rpc: -32603 },
  ERR_UPSTREAM_BAD_RESPONSE: { status: 200, rpc: -32005 },
  ERR_UPSTREAM_UNREACHABLE: { status: 200, rpc: -32005 },
  /** The upstream server answered the call with a JSON-RPC error (its message is not relayed: it is upstream text). */
  ERR_UPSTREAM_ERROR: { status: 200, rpc: -32005 },
  ERR_UPSTREAM_TIMEOUT: { status: 200, rpc: -32005 },
  /** A request limit (the subject's, a server's or a tool's) is reached: retry-after and the limit in error.data. */
  ERR_LIMIT_EXCEEDED: { status: 200, rpc: -32029 },
  /** The decision named a tenant or client limit for a caller without one. */
  ERR_LIMIT_SCOPE_UNRESOLVED: { status: 200, rpc: -32003 },
  /** A limits refusal of the LLM APIs (src/pipeline/limit-refusal.ts) no call can meet today (a call is not priced). */
  ERR_MODEL_NOT_PRICED: { status: 200, rpc: -32003 },
  /** The limits store cannot answer for this call (fail closed, retry-after: 1). */
  ERR_LIMITS_UNAVAILABLE: { status: 503, rpc: -32603 },
  ERR_AUDIT_UNAVAILABLE: { status: 503, rpc: -32603 },
  ERR_REQUEST_INVALID: { status: 400, rpc: -32600 },
  /** Transport: a body past server.body_limit_bytes, or one whose content-type is not JSON (never read). */
  ERR_REQUEST_TOO_LARGE: { status: 413, rpc: -32600 },
  ERR_REQUEST_NOT_JSON: { status: 400, rpc: -32700 },
  ERR_INTERNAL: { status: 500, rpc: -32603 },
} as const satisfies Record<string, { status: number; rpc: number }>;

export type McpErrorCode = keyof typeof MCP_FAILURES;

export class McpError extends Error {
  override readonly name = 'McpError';
  readonly code: McpErrorCode;
  /** Headers the refusal is answered with (a limit's retry-after and x-ratelimit-*). */
  readonly headers: Readonly<Record<string, string>>;
  /** Fields for the answer's error.data beside code and request_id (Proctor's own values only). */
  readonly data: Readonly<Record<string, unknown>>;
  /** The decision record's reason message (the client's message unless the refusal records another). */
  readonly reason: string;
  constructor(
    code: McpErrorCode,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string>; data?: Record<string, unknown>; reason?: string },
  ) {
    super(message, options);
    this.code = code;
    this.headers = options?.headers ?? {};
    this.data = options?.data ?? {};
    this.reason = options?.reason ?? message;
  }
}
