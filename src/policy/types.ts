// The policy stage's data contracts: policy-input.v1 in, policy-decision.v1 out, and the policy version.
// These mirror schemas/policy-input.v1.json and schemas/policy-decision.v1.json; the schemas are the authority and
// both are checked at run time on every evaluation.

export interface PolicyVersion {
  /** The bundle's `.manifest` revision (for our builds: `src-` + 12 hex of the sources' SHA-256). */
  revision: string;
  /** Hex SHA-256 of the bundle file's bytes. */
  sha256: string;
}

export interface Reason {
  code: string;
  message: string;
}

/** Usage limits the policy grants the principal; null in a field means unlimited. Enforced by the limits stage. */
export interface Limits {
  tokens_per_minute: number | null;
  requests_per_minute: number | null;
  spend_micro_usd_per_day: number | null;
  spend_micro_usd_per_month: number | null;
  /** Limits on shared buckets beside the subject's own (docs/limits.md); absent = none. */
  scoped?: ScopedLimit[];
}

/** A limit on a group, tenant, client (or the subject again); absent or null fields are unlimited. */
export interface ScopedLimit {
  scope: 'subject' | 'group' | 'tenant' | 'client';
  /** group: the group whose members share the bucket (absent: each of the caller's groups); tenant/client: overrides
   * the caller's. */
  name?: string;
  tokens_per_minute?: number | null;
  requests_per_minute?: number | null;
  spend_micro_usd_per_day?: number | null;
  spend_micro_usd_per_month?: number | null;
}

export interface Obligations {
  /** Names from input.upstreams that may carry the request, in preference order. */
  upstreams: string[];
  /** The most output tokens the request may use; null for no cap. */
  max_tokens: number | null;
  /** Finding types in the request to replace by placeholders before forwarding. */
  redact: string[];
  /** Finding types in the model's answer to redact, or to withhold the whole answer for. */
  response: { redact: string[]; block: string[] };
  /** null on a deny; an allow always states them. */
  limits: Limits | null;
}

export interface Decision {
  allow: boolean;
  reasons: Reason[];
  obligations: Obligations;
}

/** Where in a request findings can sit: a message's role (developer counts as system), tool-call arguments, tools. */
export type FindingLocation = 'system' | 'user' | 'assistant' | 'tool' | 'tool_arguments' | 'tools';

/** policy-input.v1 */
export interface PolicyInput {
  principal: { iss: string; sub: string; client_id: string | null; groups: string[]; tenant: string | null };
  request: {
    api: string;
    model: string;
    stream: boolean;
    max_tokens: number | null;
    message_count: number;
    /** A deliberate over-estimate without a tokenizer (see docs/policy-authoring.md). */
    estimated_prompt_tokens: number;
    /** The tools the request offers the model; count === names.length. */
    tools: { count: number; names: string[] };
  };
  classification: {
    finding_count: number;
    types: Record<string, number>;
    categories: Record<string, number>;
    /** The highest finding confidence, 0..100; 0 when there are no findings. */
    max_confidence: number;
    /** Findings per location; the counts add up to finding_count. */
    where: Record<FindingLocation, number>;
    /** True when the request had more findings than it keeps (its record lists the first ones); counts stay exact. */
    truncated?: boolean;
  };
  upstreams: {
    name: string;
    provider: string;
    region: string | null;
    baa: boolean;
    zero_data_retention: boolean;
    models: string[];
  }[];
  time: { unix_ms: number; iso: string };
  /** MCP requests only (request.api mcp.*): the server, method, name and the tool's advertised annotations. */
  mcp?: McpInput;
  /** The subject's usage so far in the current UTC windows, from the limits counters (settled plus in-flight). */
  usage?: {
    tokens_this_minute: number;
    requests_this_minute: number;
    spend_micro_usd_today: number;
    spend_micro_usd_this_month: number;
  };
}

/** policy-input.v1 `mcp`: a tool's annotations are the server's hints (null: not given). */
export interface McpInput {
  version: 1;
  server: string;
  method: 'tools/call' | 'tools/list' | 'resources/read' | 'resources/list' | 'prompts/get' | 'prompts/list';
  /** The tool or prompt name or resource URI (never one with findings: refused before); null for a list. */
  name: string | null;
  annotations: {
    read_only: boolean | null;
    destructive: boolean | null;
    idempotent: boolean | null;
    open_world: boolean | null;
  };
}

/** Reason codes the engine itself decides with, when the policy could not give a valid answer. All are denies. */
export type EngineReasonCode =
  | 'ERR_POLICY_INPUT_INVALID'
  | 'ERR_POLICY_EVALUATION'
  | 'ERR_POLICY_UNDEFINED'
  | 'ERR_POLICY_DECISION_INVALID'
  /** No valid bundle is active (the runtime has none). */
  | 'ERR_POLICY_UNAVAILABLE';

export interface PolicyEngine {
  readonly version: PolicyVersion;
  /**
   * Evaluates one input. MUST NOT throw: an invalid input, any engine error, an undefined result or a result that
   * does not match policy-decision.v1 is a deny whose single reason carries an EngineReasonCode.
   * The returned decision is a fresh object with reasons sorted by code, then message.
   */
  decide(input: PolicyInput): Decision;
}
