// What the pipeline writes into the ledger: the decision body and the outcome body (schemas/audit-record.v1.json).
// Invariants: only summaries go in (types, locations, keyed fingerprints, digests), never prompt text, finding values
// or tokens; every number is a safe integer. The ledger re-validates all of it before it signs anything.
import { countsOf, type Classification } from '../classification/index.ts';
import type { Principal } from '../identity/index.ts';
import type { JsonValue } from '../ledger/index.ts';
import type { Obligations, PolicyInput, Reason, RuntimeDecision } from '../policy/index.ts';
import type { Usage } from '../providers/index.ts';
import type { ReservationRecord, SettlementRecord } from './limits-stage.ts';
import type { Attempt, ServedBy } from '../upstreams/index.ts';

export interface DecisionBody {
  principal: Principal | null;
  request: {
    api: string;
    model: string | null;
    stream: boolean;
    max_tokens: number | null;
    message_count: number;
    body_hmac_sha256: string;
  } | null;
  classification: ClassificationRecord | null;
  policy: { revision: string; sha256: string } | null;
  /** The exact policy input, so `proctor replay` can re-evaluate the decision. */
  policy_input: PolicyInput | null;
  decision: {
    allow: boolean;
    /** The stage that decided: transport, identify, parse, classify, decide, route, redact, reserve, record or
     * internal (an unexpected error); a refusal carries its stage, nothing infers it. */
    stage: string;
    reasons: Reason[];
    obligations: Obligations | null;
  } | null;
  /** The upstreams the request may go to, in the order they will be tried (the first is `upstream`). */
  route: { upstream: string; candidates: string[] } | null;
  /** What the redact obligation replaced in the forwarded request (types → placeholders written); null when none
   * asked. */
  redaction?: { types: Record<string, number> } | null;
  /** What the limits stage reserved before forwarding (absent when no limits stage runs). */
  reservation?: ReservationRecord | null;
  /** The shadow (candidate) policy's version and decision, only where it differs from the active one's. */
  shadow?: {
    revision: string;
    sha256: string;
    decision: { allow: boolean; reasons: Reason[]; obligations: Obligations };
  } | null;
}

export interface OutcomeBody {
  decision_hash: string;
  status: number;
  /** The upstream that gave the answer (or the last one tried). */
  upstream: string;
  upstream_status: number | null;
  /** Every attempt in order (fallback and retries included): upstream, status or error code, latency. */
  attempts?: Attempt[];
  latency_ms: number;
  usage: Usage | null;
  /** What the request cost, in micro-USD, at pricing_version (absent when no limits stage runs). */
  cost_micro_usd?: number;
  pricing_version?: string;
  /** How the reservation was settled: basis, tokens billed, price entry. */
  settlement?: SettlementRecord;
  error: string | null;
  /** Findings in the model's answer (types and counts, never values); null when no answer was screened. */
  response_classification: { finding_count: number; types: Record<string, number> } | null;
  response_action: 'none' | 'redacted' | 'blocked';
  /** Gateway upstreams: who served behind the gateway, as it reported (upstreams/attribution.ts); else absent. */
  served_by?: ServedBy | null;
}

export interface RecordedFinding {
  type: string;
  category: string;
  path: string;
  start: number;
  end: number;
  confidence: number;
  fingerprint: string;
}

/**
 * The decision record's `classification`: exact counts of every finding (finding_count, per type, per category), and
 * the first findings in full (at most the request's cap, so a dense prompt's record stays small); `truncated` is true
 * when findings past the cap were counted but not listed.
 */
export interface ClassificationRecord {
  finding_count: number;
  types: Record<string, number>;
  categories: Record<string, number>;
  truncated: boolean;
  findings: RecordedFinding[];
}

/** `segments`: the request's, for each finding's record path (its `label` when the path holds client-chosen names). */
export function classificationRecord(
  classification: Classification,
  segments: readonly { path: string; label?: string }[],
): ClassificationRecord {
  const counts = countsOf(classification, segments.length);
  return {
    finding_count: counts.total,
    types: { ...counts.types },
    categories: { ...counts.categories },
    truncated: classification.truncated === true,
    findings: recordFindings(classification, segments),
  };
}

function recordFindings(
  classification: Classification,
  segments: readonly { path: string; label?: string }[],
): RecordedFinding[] {
  return classification.findings.map((f) => ({
    type: f.type,
    category: f.category,
    path: segments[f.segment]?.label ?? f.path,
    start: f.start,
    end: f.end,
    confidence: f.confidence,
    fingerprint: f.fingerprint,
  }));
}

/** The record's policy, shadow and decision for one policy call: the version that decided, and the shadow's decision
 * only where it differs. */
export function decidedFields({
  decision,
  version,
  shadow,
}: RuntimeDecision): Pick<DecisionBody, 'policy' | 'shadow' | 'decision'> {
  return {
    policy: version === null ? null : { revision: version.revision, sha256: version.sha256 },
    shadow:
      shadow === null
        ? null
        : {
            revision: shadow.version.revision,
            sha256: shadow.version.sha256,
            decision: {
              allow: shadow.decision.allow,
              reasons: shadow.decision.reasons,
              obligations: shadow.decision.obligations,
            },
          },
    decision: { allow: decision.allow, stage: 'decide', reasons: decision.reasons, obligations: decision.obligations },
  };
}

/** A decision body before any stage has filled it in: each stage sets its field, a refusal sets `decision`. */
export function emptyDecisionBody(): DecisionBody {
  return {
    principal: null,
    request: null,
    classification: null,
    policy: null,
    policy_input: null,
    decision: null,
    route: null,
  };
}

/** The query columns stored beside a decision record. */
export function decisionIndex(record: DecisionBody): { subject: string | null; policyVersion: string | null } {
  return {
    subject: record.principal?.sub ?? null,
    policyVersion: record.policy ? `${record.policy.revision}@sha256:${record.policy.sha256}` : null,
  };
}

/** Typed bodies are JSON by construction; the ledger's canonicaliser rejects anything that is not. */
export function toJsonObject(body: DecisionBody | OutcomeBody): Record<string, JsonValue> {
  return body as unknown as Record<string, JsonValue>;
}
