// The MCP proxy's seams: what it is given (interfaces, so tests pass real parts or fakes) and the transport-neutral
// request and reply the HTTP layer adapts.
import type { Classification, ClassifyOptions, TextSegment } from '../classification/index.ts';
import type { McpServerSettings, McpSettings } from '../config/index.ts';
import type { Principal, RequestHeaders } from '../identity/index.ts';
import type { Ledger } from '../ledger/index.ts';
import type { Limiter } from '../limits/index.ts';
import type { Log } from '../pipeline/index.ts';
import type { PolicyRuntime } from '../policy/index.ts';
import type { McpUpstream } from './upstream.ts';
import type { SubjectUsage } from '../limits/index.ts';
import type { McpDecisionBody } from './records.ts';

export interface McpDeps {
  settings: McpSettings;
  /** MUST check that the token was issued for settings.resource (its audience) and nothing else. */
  authenticator: {
    authenticate(headers: RequestHeaders): Promise<Principal>;
    /** Throws IdentityError once the principal's token has expired (identity/authenticator.ts); absent: not checked. */
    recheck?(principal: Principal): void;
  };
  classifier: { classify(segments: readonly TextSegment[], options?: ClassifyOptions): Classification };
  /** Classifies arguments and results (large ones off the event loop); default `classifier`. */
  requestClassifier?: {
    classify(segments: readonly TextSegment[], options?: ClassifyOptions): Classification | Promise<Classification>;
  };
  policy: Pick<PolicyRuntime, 'decide'>;
  ledger: Pick<Ledger, 'append'>;
  clock: { now(): Date };
  /** The LLM APIs' limiter (docs/mcp.md#limits): calls are admitted, reserved and settled on it (tests pass an
   * in-memory one). */
  limits: Limiter;
  /** Key of request.body_hmac_sha256 (the LLM pipeline's). */
  bodyDigestKey: Uint8Array;
  maxFindings?: number;
  /** Replaces the SDK client per server (tests of failure paths). */
  upstreamFor?: (server: McpServerSettings) => McpUpstream;
  log: Log;
}

/** A request as its head tells it, before its body is read. */
export interface McpHead {
  requestId: string;
  /** The server's name from /mcp/{server}. */
  server: string;
  method: 'POST' | 'GET' | 'DELETE';
  headers: RequestHeaders;
  /** Identified from the head by the transport (the proxy's identifyHead), which then read the body: the proxy MUST
   * NOT identify again (a DPoP proof is good once). Absent: the proxy checks the origin and identifies itself. */
  principal?: Principal;
}

export interface McpRequest extends McpHead {
  body: Uint8Array;
}

/** A JSON body (null: none), or an SSE stream written event by event (`data` is one JSON-RPC message). */
export type McpReply =
  | { status: number; headers: Record<string, string>; body: unknown }
  | {
      status: number;
      headers: Record<string, string>;
      stream: (write: (data: string) => Promise<void>, signal: AbortSignal) => Promise<void>;
    };

/** One call on its way: what the call's stages share. */
export interface CallContext {
  deps: McpDeps;
  upstream: McpUpstream;
  principal: Principal;
  request: McpRequest;
  record: McpDecisionBody;
  bodyHmac: string;
  /** The subject's usage before this call, read when it was admitted (calls only; the policy input's `usage`). */
  usage?: SubjectUsage;
}

/** How a forwarded call ended, for its settlement: the server's answer (200) or none, and the outcome's error. */
export interface Ended {
  upstreamStatus: number | null;
  error: string | null;
  upstream: string;
}
