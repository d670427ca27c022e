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

/** What a tool name is shown as when it is not recorded as sent: the policy input is recorded, and MUST NOT carry a
 * value. The same token as a gateway's withheld attribution (upstreams/attribution.ts): no digest of the name, so
 * nothing in the record can be tested against a guessed name. */
export const WITHHELD_TOOL_NAME = '[WITHHELD]';

/** Longest tool name recorded as sent (the adapters' own limit is 64 characters; MCP's 128). */
const MAX_PLAIN_TOOL_NAME = 64;
/**
 * Most digits a tool name recorded as sent may hold, in all: fewer than any national id, phone or card number has
 * (a nine-digit SSN in `t_219099999`, or split as `t_219_09_9999`, is withheld), more than versions and dates use
 * (`get_v2`, `report_2024`).
 */
const MAX_PLAIN_TOOL_NAME_DIGITS = 5;

/**
 * A plain identifier: 1 to 64 of A-Z a-z 0-9 _ - . with at most MAX_PLAIN_TOOL_NAME_DIGITS digits. Anything else
 * could carry a value the classifier does not flag (bare digits with no context), so it is withheld. One pass.
 */
export function isPlainToolName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_PLAIN_TOOL_NAME) return false;
  let digits = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d || c === 0x2e))
      return false;
  }
  return digits <= MAX_PLAIN_TOOL_NAME_DIGITS;
}

/**
 * The request's tool names for the policy (the input is recorded in the ledger): each as sent only when it is a plain
 * identifier (isPlainToolName) and no tool-definition segment with exactly that text is touched by a finding, a piece
 * of a value split across segments included (exact counts, so a name past the findings cap is withheld too); every
 * other name is WITHHELD_TOOL_NAME.
 */
function toolNamesFor(request: NormalizedRequest, piecesPerSegment: readonly number[]): string[] {
  const flagged = new Set<string>();
  request.segments.forEach((segment, i) => {
    if (segment.location === 'tools' && (piecesPerSegment[i] ?? 0) > 0) flagged.add(segment.text);
  });
  return request.toolNames.map((name) => (flagged.has(name) || !isPlainToolName(name) ? WITHHELD_TOOL_NAME : name));
}
