// The MCP request path, in order: server by name → identify (token for this resource only) → parse (closed
// JSON-RPC) → admit (a call or a listing counts on the subject's request rate, limits.ts) → session (bound to the
// principal and server) → per method: answered here (initialize, ping, notifications) or classify → decide → reserve →
// RECORD → forward → screen → settle → RECORD outcome (calls.ts). Invariants: nothing reaches an upstream
// server before its decision record is committed; every refusal after the server is known is recorded (a denial with
// the stage that refused); the caller's token never leaves Proctor; messages to the client carry codes, not values.
import { createHash, randomUUID } from 'node:crypto';
import { IdentityError, type Principal, type RequestHeaders } from '../identity/index.ts';
import { bodyDigest } from '../ledger/index.ts';
import { decisionIndex, toJsonObject } from '../pipeline/index.ts';
import { describeError } from '../observability/index.ts';
import { MCP_FAILURES, McpError, type McpErrorCode } from './errors.ts';
import { PROTOCOL_VERSIONS, parseMessage, type ClientMessage } from './messages.ts';
import { challenge, resourceMetadata } from './metadata.ts';
import { emptyDecision, type McpDecisionBody } from './records.ts';
import { createSessionStore, type McpSession } from './sessions.ts';
import { createUpstream, type McpUpstream } from './upstream.ts';
import { runCall, runListing } from './calls.ts';
import { admitCall, listingRefusals } from './limits.ts';
import type { CallContext, McpDeps, McpHead, McpReply, McpRequest } from './types.ts';

export function createMcpProxy(deps: McpDeps) {
  const { settings, clock } = deps;
  const metadata = resourceMetadata(settings);
  // Browsers send Origin; MCP clients outside a browser do not. Only pages of the resource's own origin are accepted.
  const allowedOrigins: ReadonlySet<string> = new Set([new URL(settings.resource).origin]);
  const sessions = createSessionStore({
    maxSessions: settings.maxSessions,
    idleMs: settings.sessionIdleSeconds * 1000,
    clock,
  });
  const refusals = listingRefusals(clock);
  const upstreams = new Map<string, McpUpstream>(
    settings.servers.map((s) => [s.name, deps.upstreamFor?.(s) ?? createUpstream(s, { clock })]),
  );

  async function handle(request: McpRequest): Promise<McpReply> {
    const upstream = upstreams.get(request.server);
    if (upstream === undefined)
      return errorReply(request, null, new McpError('ERR_MCP_SERVER_UNKNOWN', 'no such server'));
    const record = emptyDecision(request.server, request.method === 'POST' ? 'unknown' : request.method);
    let message: ClientMessage | null = null;
    try {
      // 0 and 1, unless the transport ran them from the request's head before reading its body (identifyHead)
      const principal = request.principal ?? (await originAndIdentity(request.headers));
      record.principal = principal;
      if (request.method !== 'POST') return sessionRequest(request, principal, record);
      // 2. parse: one closed JSON-RPC message
      message = parseMessage(request.body);
      record.mcp.method = message.method;
      if (message.kind === 'request' && message.method === 'initialize') return initialize(request, principal, message);
      // A call or a listing counts against the subject's request rate from here on, whatever becomes of it
      // (docs/mcp.md#limits)
      const usage = isCall(message) || isListing(message) ? await admitCall(deps.limits, principal) : undefined;
      // 3. session: held by this principal for this server, at the revision it negotiated
      const session = sessionOf(request, principal);
      if (message.kind === 'notification') return { status: 202, headers: {}, body: null };
      if (message.method === 'ping') return rpcResult(message.id, {}, session);
      const context: CallContext = {
        deps,
        upstream,
        principal,
        request,
        record,
        bodyHmac: bodyHmacOf(request.body),
        ...(usage ? { usage } : {}),
      };
      if (isListing(message)) return await runListing(context, message, session);
      return await runCall(context, message, session, wantsStream(request.headers, message));
    } catch (error) {
      return deny(request, record, message, toMcpError(error));
    }
  }

  /** 0. a browser's request from another origin (DNS rebinding) is refused before anything else is read; 1. identify:
   * a token issued for this resource (its audience), checked like the LLM APIs' tokens. */
  async function originAndIdentity(headers: RequestHeaders): Promise<Principal> {
    const origin = header(headers, 'origin');
    if (origin !== undefined && !allowedOrigins.has(origin))
      throw new McpError('ERR_MCP_ORIGIN', 'requests from this Origin are not accepted');
    return identify(headers);
  }

  /** The server, stage 0 and stage 1 from the request's head alone, so that the transport runs them before it reads a
   * byte of the body: the principal to hand to `handle`, or an error `refuseHead` answers. */
  async function identifyHead(request: McpHead): Promise<Principal> {
    if (!upstreams.has(request.server)) throw new McpError('ERR_MCP_SERVER_UNKNOWN', 'no such server');
    return originAndIdentity(request.headers);
  }

  /** A request identifyHead refused: recorded as a denial (an unknown server's is not: there is none to record it
   * for), then answered. */
  async function refuseHead(request: McpHead, error: unknown): Promise<McpReply> {
    const refused = toMcpError(error);
    if (refused instanceof McpError && refused.code === 'ERR_MCP_SERVER_UNKNOWN')
      return errorReply(request, null, refused);
    return deny(
      request,
      emptyDecision(request.server, request.method === 'POST' ? 'unknown' : request.method),
      null,
      refused,
    );
  }

  async function identify(headers: RequestHeaders): Promise<Principal> {
    try {
      return await deps.authenticator.authenticate(headers);
    } catch (error) {
      if (error instanceof IdentityError) throw error;
      throw new McpError('ERR_INTERNAL', 'identity check failed', { cause: error });
    }
  }

  function initialize(request: McpRequest, principal: Principal, message: ClientMessage & { kind: 'request' }) {
    if (header(request.headers, 'mcp-session-id') !== undefined)
      throw new McpError('ERR_MCP_INVALID', 'initialize opens a session; it cannot name one');
    const asked = message.params.value.protocolVersion ?? '';
    const version = (PROTOCOL_VERSIONS as readonly string[]).includes(asked) ? asked : PROTOCOL_VERSIONS[0];
    const session = sessions.open(principal, request.server, version);
    if (session === null) throw new McpError('ERR_MCP_SESSIONS_FULL', 'too many open sessions; retry later');
    return rpcResult(
      message.id,
      {
        protocolVersion: version,
        // Only what Proctor proxies: tools, resources (read, no subscriptions) and prompts, no list-changed relay.
        capabilities: { tools: {}, resources: {}, prompts: {} },
        serverInfo: { name: `proctor/${request.server}`, version: '1' },
      },
      session,
    );
  }

  function sessionOf(request: McpRequest, principal: Principal): McpSession {
    const id = header(request.headers, 'mcp-session-id');
    if (id === undefined) throw new McpError('ERR_MCP_SESSION_REQUIRED', 'Mcp-Session-Id is required after initialize');
    const session = sessions.find(id, principal, request.server);
    if (session === null) throw new McpError('ERR_MCP_SESSION_UNKNOWN', 'no such session; initialize a new one');
    if (header(request.headers, 'mcp-protocol-version') !== session.protocolVersion)
      throw new McpError(
        'ERR_MCP_PROTOCOL_VERSION',
        'MCP-Protocol-Version must be the revision the session negotiated',
      );
    return session;
  }

  /** GET opens no server-initiated stream (405, as the transport allows); DELETE ends the caller's own session. */
  function sessionRequest(request: McpRequest, principal: Principal, record: McpDecisionBody): McpReply {
    record.mcp.method = request.method;
    if (request.method === 'GET') {
      sessionOf(request, principal);
      return { status: 405, headers: { allow: 'POST, DELETE' }, body: null };
    }
    const id = header(request.headers, 'mcp-session-id');
    if (id === undefined || !sessions.close(id, principal, request.server))
      throw new McpError('ERR_MCP_SESSION_UNKNOWN', 'no such session');
    return { status: 200, headers: {}, body: null };
  }

  /** A refusal, recorded (the ledger refusing it too: 503, nothing was forwarded), then answered. */
  async function deny(
    request: Pick<McpRequest, 'requestId'>,
    record: McpDecisionBody,
    message: ClientMessage | null,
    error: McpError | IdentityError,
  ): Promise<McpReply> {
    const stage = stageOf(record, error);
    if (error.code === 'ERR_AUDIT_UNAVAILABLE') return errorReply(request, message, error);
    // A policy's own denial keeps its stage and reasons (and its input, for replay); any other refusal is stated.
    const reasons =
      record.decision && !record.decision.allow
        ? record.decision.reasons
        : [{ code: error.code, message: error instanceof McpError ? error.reason : error.message }];
    if (!record.decision || record.decision.allow)
      record.decision = { allow: false, stage, reasons, obligations: null };
    record.route = null;
    // A listing refused for a limit past its recorded share (limits.ts listingRefusals): answered, not recorded.
    const unrecorded =
      message !== null &&
      isListing(message) &&
      error instanceof McpError &&
      record.principal !== null &&
      !refusals.record(record.principal, record.mcp.server, error);
    if (unrecorded) return errorReply(request, message, error, reasons);
    if (!(await appendDenial(request.requestId, record))) {
      return errorReply(request, message, new McpError('ERR_AUDIT_UNAVAILABLE', 'the audit ledger is unavailable'));
    }
    return errorReply(request, message, error, reasons);
  }

  async function appendDenial(requestId: string, record: McpDecisionBody): Promise<boolean> {
    const index = { ...decisionIndex(record), decision: 'deny' };
    try {
      await deps.ledger.append('decision', requestId, toJsonObject(record), index);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_RECORD_INVALID') {
        deps.log('error', 'ledger append failed', { request_id: requestId, error: describeError(error) });
        return false;
      }
      // A value no record can store (a NUL in a claim, say): the refusal is recorded with Proctor's own values only.
      const bare = { ...emptyDecision(record.mcp.server, record.mcp.method), decision: record.decision };
      return deps.ledger.append('decision', requestId, toJsonObject(bare), index).then(
        () => true,
        () => false,
      );
    }
  }

  function errorReply(
    request: Pick<McpRequest, 'requestId'>,
    message: ClientMessage | null,
    error: McpError | IdentityError,
    reasons?: { code: string; message: string }[],
  ): McpReply {
    const headers: Record<string, string> = { 'x-proctor-request-id': request.requestId, 'x-proctor-decision': 'deny' };
    let status: number;
    let rpc: number;
    if (error instanceof IdentityError) {
      status = error.status;
      rpc = -32001;
      if (status === 401) headers['www-authenticate'] = challenge(metadata.url, error.code);
    } else {
      ({ status, rpc } = MCP_FAILURES[error.code]);
      if (error.code === 'ERR_AUDIT_UNAVAILABLE' || error.code === 'ERR_CLASSIFIER_BUSY') headers['retry-after'] = '1';
      Object.assign(headers, error.headers);
    }
    const id = message?.kind === 'request' ? message.id : null;
    return {
      status,
      headers,
      body: {
        jsonrpc: '2.0',
        id,
        error: {
          code: rpc,
          message: error.message,
          data: {
            code: error.code,
            request_id: request.requestId,
            ...(reasons ? { reasons } : {}),
            ...(error instanceof McpError ? error.data : {}),
          },
        },
      },
    };
  }

  function bodyHmacOf(body: Uint8Array): string {
    return bodyDigest(deps.bodyDigestKey, createHash('sha256').update(body).digest('hex'));
  }

  /** A body the transport refused before reading it: recorded (with the caller, if identified) and answered here. */
  async function reject(
    request: McpHead,
    code: 'ERR_REQUEST_TOO_LARGE' | 'ERR_REQUEST_NOT_JSON',
    message: string,
  ): Promise<McpReply> {
    if (!upstreams.has(request.server))
      return errorReply(request, null, new McpError('ERR_MCP_SERVER_UNKNOWN', 'no such server'));
    const record = emptyDecision(request.server, request.method);
    try {
      record.principal = request.principal ?? (await identify(request.headers));
    } catch (error) {
      return deny(request, record, null, toMcpError(error));
    }
    record.decision = { allow: false, stage: 'transport', reasons: [{ code, message }], obligations: null };
    return deny(request, record, null, new McpError(code, message));
  }

  return {
    identifyHead,
    /** identifyHead's principal again once the body has arrived: throws (for refuseHead) when its token expired. */
    recheckHead: (principal: Principal): void => deps.authenticator.recheck?.(principal),
    refuseHead,
    reject,
    handle: async (request: McpRequest): Promise<McpReply> => {
      try {
        return await handle(request);
      } catch (error) {
        deps.log('error', 'unexpected MCP proxy error', {
          request_id: request.requestId,
          error: describeError(error),
        });
        return errorReply(request, null, new McpError('ERR_INTERNAL', 'internal error; nothing was forwarded'));
      }
    },
    metadata,
    newRequestId: () => randomUUID(),
    close: async () => {
      await Promise.all([...upstreams.values()].map((u) => u.close()));
    },
  };
}

export type McpProxy = ReturnType<typeof createMcpProxy>;

/** tools/list, resources/list, prompts/list: decided and recorded, counted as a call is (not forwarded as one). */
function isListing(message: ClientMessage): message is Extract<ClientMessage, { kind: 'request' }> {
  return (
    message.kind === 'request' &&
    (message.method === 'tools/list' || message.method === 'resources/list' || message.method === 'prompts/list')
  );
}

function isCall(message: ClientMessage): boolean {
  return (
    message.kind === 'request' &&
    (message.method === 'tools/call' || message.method === 'resources/read' || message.method === 'prompts/get')
  );
}

function rpcResult(id: string | number, result: unknown, session: McpSession): McpReply {
  return {
    status: 200,
    headers: { 'mcp-session-id': session.id },
    body: { jsonrpc: '2.0', id, result },
  };
}

/** An answer as SSE only when the client accepts it and asked for progress (which is then relayed, screened). */
function wantsStream(headers: RequestHeaders, message: ClientMessage): boolean {
  const accept = header(headers, 'accept') ?? '';
  return /\btext\/event-stream\b/i.test(accept) && message.params.value._meta?.progressToken !== undefined;
}

export function header(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  if (Array.isArray(value) && value.length > 1) throw new McpError('ERR_MCP_INVALID', `the ${name} header is repeated`);
  return first === undefined || first === '' ? undefined : first;
}

function toMcpError(error: unknown): McpError | IdentityError {
  if (error instanceof McpError || error instanceof IdentityError) return error;
  return new McpError('ERR_INTERNAL', 'internal error; nothing was forwarded', { cause: error });
}

function stageOf(record: McpDecisionBody, error: McpError | IdentityError): string {
  if (error instanceof McpError && error.code === 'ERR_MCP_ORIGIN') return 'transport';
  if (error instanceof IdentityError || record.principal === null) return 'identify';
  switch (error.code) {
    case 'ERR_MCP_SESSION_REQUIRED':
    case 'ERR_MCP_SESSION_UNKNOWN':
    case 'ERR_MCP_SESSIONS_FULL':
    case 'ERR_MCP_PROTOCOL_VERSION':
      return 'session';
    case 'ERR_MCP_CLASSIFIED_NAME':
    case 'ERR_CLASSIFICATION_FAILED':
    case 'ERR_CLASSIFIER_BUSY':
    case 'ERR_REQUEST_TOO_COMPLEX':
      return 'classify';
    case 'ERR_MCP_TOOL_UNKNOWN':
      return 'route';
    case 'ERR_LIMIT_EXCEEDED':
    case 'ERR_LIMIT_SCOPE_UNRESOLVED':
    case 'ERR_LIMITS_UNAVAILABLE':
    case 'ERR_MODEL_NOT_PRICED':
      return 'reserve';
    default:
      if (!record.request) return 'parse';
      if (!record.classification) return 'classify';
      if (!record.decision) return 'decide';
      return 'route';
  }
}

export type { McpErrorCode };
