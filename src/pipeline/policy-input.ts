// Builds policy-input.v1 for one request from the stages before the decision. Invariants: counts only, never a
// finding's value or a prompt's text; every count in `classification` is exact (past the findings cap too) and each
// of types, categories and where adds up to finding_count; the upstream catalogue is the routing candidates for this
// request, in routing order; the time is the one given (the policy never reads a clock).
import { countsOf, type Classification } from '../classification/index.ts';
import type { UpstreamSettings } from '../config/index.ts';
import type { Principal } from '../identity/index.ts';
import { type FindingLocation, isoTimeOf, type PolicyInput } from '../policy/index.ts';
import type { NormalizedRequest } from '../providers/index.ts';

export function buildPolicyInput(
  principal: Principal,
  request: NormalizedRequest,
  classification: Classification,
  upstreams: readonly UpstreamSettings[],
  now: Date,
  usage?: PolicyInput['usage'],
): PolicyInput {
  // The classifier was given exactly these segments; a finding outside them is a bug, and the pipeline denies.
  for (const f of classification.findings) {
    if (request.segments[f.segment] === undefined)
      throw new Error(`finding refers to segment ${f.segment}, which the request does not have`);
  }
  // Exact counts of every finding, kept or not: the cap on kept findings never changes what the policy sees.
  const counts = countsOf(classification, request.segments.length);
  return {
    principal: principalInput(principal),
    request: {
      api: request.api,
      model: request.model,
      stream: request.stream,
      max_tokens: request.maxTokens,
      message_count: request.messageCount,
      estimated_prompt_tokens: request.estimatedPromptTokens,
      tools: { count: request.toolNames.length, names: toolNamesFor(request, counts.touched) },
    },
    classification: classificationInput(classification, request.segments),
    upstreams: upstreams.map((u) => ({
      name: u.name,
      provider: u.kind,
      region: u.region,
      baa: u.baa,
      zero_data_retention: u.zeroDataRetention,
      models: [...u.models],
    })),
    time: timeOf(now),
    ...(usage === undefined ? {} : { usage: { ...usage } }),
  };
}

/** The input's time: the instant, and the same instant as ISO 8601 (the engine checks they agree). */
function timeOf(now: Date): PolicyInput['time'] {
  const unixMs = now.getTime();
  return { unix_ms: unixMs, iso: isoTimeOf(unixMs) };
}

/** The principal as the policy sees it (no token fingerprint: the input is recorded and replayed). */
export function principalInput(principal: Principal): PolicyInput['principal'] {
  return {
    iss: principal.iss,
    sub: principal.sub,
    client_id: principal.client_id,
    groups: [...principal.groups],
    tenant: principal.tenant,
  };
}

/** Exact counts of every finding, kept or not, and where they are (each segment's location); they add up. */
export function classificationInput(
  classification: Classification,
  segments: readonly { location: FindingLocation }[],
): PolicyInput['classification'] {
  const counts = countsOf(classification, segments.length);
  if (counts.segments.length !== segments.length) {
    throw new Error(`classification counts ${counts.segments.length} segments, the request has ${segments.length}`);
  }
  const where: Record<FindingLocation, number> = {
    system: 0,
    user: 0,
    assistant: 0,
    tool: 0,
    tool_arguments: 0,
    tools: 0,
  };
  counts.segments.forEach((n, i) => {
    where[(segments[i] as { location: FindingLocation }).location] += n;
  });
  return {
    finding_count: counts.total,
    types: { ...counts.types },
    categories: { ...counts.categories },
    max_confidence: counts.maxConfidence,
    where,
    // Present only when findings were cut, so inputs of every other request are unchanged.
    ...(classification.truncated === true ? { truncated: true } : {}),
  };
}

/** What a tool name that holds a finding is shown as: the policy input is recorded, and MUST NOT carry a value. */
export const WITHHELD_TOOL_NAME = '[WITHHELD]';

/**
 * The request's tool names for the policy, each withheld when a tool-definition segment with exactly that text is
 * touched by a finding, a piece of a value split across segments included (exact counts, so a name past the findings
 * cap is withheld too): the input is recorded in the ledger.
 */
function toolNamesFor(request: NormalizedRequest, piecesPerSegment: readonly number[]): string[] {
  const flagged = new Set<string>();
  request.segments.forEach((segment, i) => {
    if (segment.location === 'tools' && (piecesPerSegment[i] ?? 0) > 0) flagged.add(segment.text);
  });
  return request.toolNames.map((name) => (flagged.has(name) ? WITHHELD_TOOL_NAME : name));
}
