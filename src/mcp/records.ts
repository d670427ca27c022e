// The MCP proxy's records: the LLM pipeline's decision and outcome bodies (schemas/audit-record.v1.json), with `mcp`
// beside them: the server, the method, and for a listing how many entries the caller's policy let through.
// Invariants: the tool or prompt name and the resource URI enter a record only once classification has passed them;
// arguments and results never do (their findings are located by path, keys by position, values fingerprinted).
import { emptyDecisionBody, type DecisionBody, type OutcomeBody } from '../pipeline/index.ts';
import type { McpPolicyMethod } from './policy-input.ts';

export interface McpDecisionBody extends DecisionBody {
  mcp: { server: string; method: McpPolicyMethod | string; name: string | null };
}

export interface McpOutcomeBody extends OutcomeBody {
  /** Listings only: entries the server listed and entries the caller was shown. */
  mcp?: { listed: number; shown: number };
}

export function emptyDecision(server: string, method: string): McpDecisionBody {
  return { ...emptyDecisionBody(), mcp: { server, method, name: null } };
}
