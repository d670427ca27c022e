// One MCP call through the stages: classify (the name and every argument string and key) → decide (mcp policy
// input) → reserve (limits.ts) → RECORD the decision → then answer.ts: forward with Proctor's credential →
// screen the result (every string and key, whatever field it is in) → settle → RECORD the outcome → answer
// (JSON, or SSE with screened progress). Listings are decided once for the caller and once per tool (what tools/list
// shows is what tools/call would allow with no findings). Invariants: forwarding starts only after the decision
// record is committed; an answer whose outcome is not recorded is withheld; an answer that cannot be screened is
// withheld; upstream error text is never relayed.
import { ClassificationError, countsOf, type Classification } from '../classification/index.ts';
import type { RequestSegment } from '../providers/index.ts';
import { classificationRecord, classifyDenial, decidedFields, decisionIndex, toJsonObject } from '../pipeline/index.ts';
import type { Decision } from '../policy/index.ts';
import { describeError } from '../observability/index.ts';
import { McpError } from './errors.ts';
import { forwardAndScreen } from './answer.ts';
import { emptyTail, progressNote, type ProgressTail } from './progress.ts';
import { forwardedSegments, type ClientMessage } from './messages.ts';
import {
  API_OF,
  mcpPolicyInput,
  mcpRecordedName,
  modelOf,
  NO_ANNOTATIONS,
  type McpRequestSummary,
} from './policy-input.ts';
import type { McpSession } from './sessions.ts';
import { callCounters, reserveCall, settleCall, type CallMethod } from './limits.ts';
import type { CallOptions, McpUpstream } from './upstream.ts';
import type { CallContext, Ended, McpDeps, McpReply } from './types.ts';

type Request = Extract<ClientMessage, { kind: 'request' }>;
const NO_FINDINGS: Classification = { findings: [] };
/** What a rule about a tool's name may match: MCP's tool-name alphabet (the listing's per-tool decisions). */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** tools/call, resources/read, prompts/get. */
export async function runCall(
  context: CallContext,
  message: Request,
  session: McpSession,
  stream: boolean,
): Promise<McpReply> {
  const { deps, upstream, record } = context;
  const started = deps.clock.now();
  const method = message.method as CallMethod;
  const params = message.params.value;
  const name = (method === 'resources/read' ? params.uri : params.name) as string;
  const segments = forwardedSegments(message);
  record.request = {
    api: API_OF[method],
    model: null,
    stream,
    max_tokens: null,
    message_count: 0,
    body_hmac_sha256: context.bodyHmac,
  };
  // 1. classify what would go upstream: the name and every string and key of the arguments
  const classification = await classify(deps, segments);
  record.classification = classificationRecord(classification, segments);
  const touched = countsOf(classification, segments.length).touched;
  // The name enters the record and the policy input only once classification has passed it.
  if (segments.some((s, i) => (s.path === 'params.name' || s.path === 'params.uri') && (touched[i] ?? 0) > 0))
    throw new McpError(
      'ERR_MCP_CLASSIFIED_NAME',
      'the tool, prompt or resource name holds data classified as sensitive',
    );
  // It is recorded as sent once the server lists it or when it is a plain identifier (mcpRecordedName).
  const shown = (listed: boolean) => {
    const recorded = mcpRecordedName(method, name, listed);
    record.mcp.name = recorded;
    if (record.request !== null) record.request.model = modelOf(upstream.server.name, method, recorded);
    return recorded;
  };
  shown(false);
  // 2. the tool as the server lists it (closed world: an unlisted tool is not called; its annotations are the input's)
  const annotations = method === 'tools/call' ? (await toolNamed(upstream, name)).annotations : NO_ANNOTATIONS;
  // 3. decide
  const decision = decide(context, classification, {
    server: upstream.server,
    method,
    name: shown(method === 'tools/call'),
    annotations,
    segments,
    estimatedTokens: Math.ceil(segments.reduce((n, s) => n + Buffer.byteLength(s.text), 0) / 3),
  });
  const redactable = decision.obligations.redact.filter(
    (t) => (countsOf(classification, segments.length).types[t] ?? 0) > 0,
  );
  if (redactable.length > 0)
    throw new McpError(
      'ERR_MCP_REDACTION_UNSUPPORTED',
      'the policy asks to redact the arguments; MCP calls are not redacted',
    );
  // 4. reserve one request on the subject's, the server's and the tool's counters (docs/mcp.md#limits)
  const limiter = deps.limits;
  const held = await reserveCall(
    limiter,
    context.principal,
    decision,
    callCounters(upstream.server, context.principal, method, name),
  );
  record.reservation = held.record;
  // 5. record the decision: MUST be committed before anything goes upstream
  let decisionHash: string;
  try {
    decisionHash = await appendDecision(context);
  } catch (error) {
    await settleCall(limiter, held.reservation, { forwarded: false });
    record.reservation = null; // released: a denial recorded instead holds nothing
    throw error;
  }
  const headers = { ...held.reservation.headers, ...admittedHeaders(context, session) };
  const settle = (ended: Ended) => settleCall(limiter, held.reservation, { forwarded: true, ...ended });
  const forward = (options: CallOptions) =>
    method === 'tools/call'
      ? upstream.callTool(name, params.arguments ?? {}, options)
      : method === 'resources/read'
        ? upstream.readResource(name, options)
        : upstream.getPrompt(name, (params.arguments ?? {}) as Record<string, string>, options);
  const complete = (options: CallOptions, shown?: ProgressTail) =>
    forwardAndScreen(context, decisionHash, decision, started, message.id, () => forward(options), settle, shown);
  if (!stream) {
    const answer = await complete({});
    return { status: answer.status, headers, body: answer.body };
  }
  const token = params._meta?.progressToken as string | number;
  return {
    status: 200,
    headers: { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-store' },
    stream: async (write, signal) => {
      let queue = Promise.resolve();
      // The tail of the progress relayed so far: each notification is read after it, and the result after all of it.
      const shown = emptyTail();
      const onProgress: CallOptions['onProgress'] = (p) => {
        const note = progressNote(deps, token, p, shown);
        if (note === null) return;
        queue = queue.then(() => write(JSON.stringify(note)));
      };
      const answer = await complete({ onProgress, signal }, shown);
      await queue;
      await write(JSON.stringify(answer.body));
    },
  };
}

/** tools/list, resources/list, prompts/list: one decision for the listing, the entries the caller may use, screened. */
export async function runListing(context: CallContext, message: Request, session: McpSession): Promise<McpReply> {
  const { deps, upstream, record } = context;
  const started = deps.clock.now();
  const method = message.method as 'tools/list' | 'resources/list' | 'prompts/list';
  record.request = {
    api: API_OF[method],
    model: upstream.server.name,
    stream: false,
    max_tokens: null,
    message_count: 0,
    body_hmac_sha256: context.bodyHmac,
  };
  record.classification = classificationRecord(NO_FINDINGS, []);
  const summary = { server: upstream.server, annotations: NO_ANNOTATIONS, segments: [], estimatedTokens: 0 };
  const decision = decide(context, NO_FINDINGS, { ...summary, method, name: null });
  // Counted at admission; checked, as GET /v1/models is, against the decision's request limits with a request-only
  // hold on the subject's counters and the scoped ones, and on the server's counters (a caller over its requests a
  // minute on the server lists no more), released at once (no server or tool counter counts it).
  const counters = callCounters(upstream.server, context.principal, method, null);
  const held = await reserveCall(deps.limits, context.principal, decision, counters);
  await settleCall(deps.limits, held.reservation, { forwarded: false });
  const decisionHash = await appendDecision(context);
  let listed = 0;
  let shown = 0;
  const list = async (): Promise<Record<string, unknown>> => {
    if (method !== 'tools/list') {
      const kind = method === 'resources/list' ? 'resources' : 'prompts';
      const items = await upstream.list(kind);
      listed = shown = items.length;
      return { [kind]: items };
    }
    const tools = await upstream.tools();
    // What the caller may call: each tool decided as a call of it with nothing sensitive in it (not recorded).
    const allowed = tools.filter((tool) => {
      if (!TOOL_NAME.test(tool.name)) return false;
      const input = mcpPolicyInput(
        context.principal,
        { ...summary, method: 'tools/call', name: tool.name, annotations: tool.annotations },
        NO_FINDINGS,
        started,
      );
      const verdict = deps.policy.decide(input).decision;
      return verdict.allow && verdict.obligations.upstreams.includes(upstream.server.name);
    });
    listed = tools.length;
    shown = allowed.length;
    return { tools: allowed.map((t) => t.entry) };
  };
  // the listing's hold was released above (docs/mcp.md#limits): nothing to settle
  const answer = await forwardAndScreen(context, decisionHash, decision, started, message.id, list, null);
  answer.outcome.mcp = { listed, shown };
  return { status: answer.status, headers: admittedHeaders(context, session), body: answer.body };
}

function decide(context: CallContext, classification: Classification, summary: McpRequestSummary): Decision {
  const { deps, record, principal } = context;
  const input = mcpPolicyInput(principal, summary, classification, deps.clock.now(), context.usage);
  record.policy_input = input;
  const decided = deps.policy.decide(input);
  const { decision } = decided;
  Object.assign(record, decidedFields(decided));
  if (!decision.allow) {
    const codes = decision.reasons.map((r) => r.code).join(', ');
    throw new McpError('ERR_POLICY_DENIED', `denied by policy${codes ? `: ${codes}` : ''}`);
  }
  if (!decision.obligations.upstreams.includes(summary.server.name))
    throw new McpError('ERR_NO_UPSTREAM', 'the policy permits no call to this server');
  record.route = { upstream: summary.server.name, candidates: [summary.server.name] };
  return decision;
}

async function appendDecision(context: CallContext): Promise<string> {
  const { deps, record, request } = context;
  try {
    const index = { ...decisionIndex(record), decision: 'allow' };
    return (await deps.ledger.append('decision', request.requestId, toJsonObject(record), index)).hash;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_RECORD_INVALID')
      throw new McpError('ERR_REQUEST_INVALID', 'the request holds a value its audit record cannot store', {
        cause: error,
      });
    deps.log('error', 'ledger append failed', { request_id: request.requestId, error: describeError(error) });
    throw new McpError('ERR_AUDIT_UNAVAILABLE', 'the audit ledger is unavailable; nothing was forwarded', {
      cause: error,
    });
  }
}

async function classify(deps: McpDeps, segments: readonly RequestSegment[]): Promise<Classification> {
  try {
    return await (deps.requestClassifier ?? deps.classifier).classify(segments, {
      maxFindings: deps.maxFindings ?? 256,
    });
  } catch (error) {
    if (error instanceof ClassificationError && error.code === 'ERR_CLASSIFIER_BUSY')
      throw new McpError('ERR_CLASSIFIER_BUSY', 'every classifier is busy; retry shortly', { cause: error });
    // A bound the client's arguments pass is the client's to fix: the LLM APIs' refusal, its message and record.
    const denial = classifyDenial(error);
    if (denial.code === 'ERR_REQUEST_TOO_COMPLEX')
      throw new McpError(denial.code, denial.message, { cause: error, reason: denial.recordMessage });
    throw new McpError('ERR_CLASSIFICATION_FAILED', 'the call could not be classified, so it was not forwarded', {
      cause: error,
    });
  }
}

async function toolNamed(upstream: McpUpstream, name: string) {
  let tools;
  try {
    tools = await upstream.tools();
  } catch (error) {
    throw new McpError('ERR_UPSTREAM_UNREACHABLE', "the server's tool list could not be read", { cause: error });
  }
  const tool = tools.find((t) => t.name === name);
  if (tool === undefined) throw new McpError('ERR_MCP_TOOL_UNKNOWN', 'the server lists no such tool');
  return tool;
}

function admittedHeaders(context: CallContext, session: McpSession): Record<string, string> {
  return {
    'mcp-session-id': session.id,
    'x-proctor-request-id': context.request.requestId,
    'x-proctor-decision': 'allow',
    'x-proctor-policy-version': context.record.policy?.revision ?? 'none',
  };
}
