// An attacker's MCP client against Proctor's MCP proxy, with real parts (PostgreSQL ledger, OIDC provider, the
// checked-in bundle, server-everything behind a pass-through that records what the upstream receives). Each attack
// asserts what the client got, what the ledger holds (never the planted value) and what reached the upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LLM_AUDIENCE, MCP_RESOURCE, PLANTED_KEY, startMcpStack, type McpStack } from '../helpers/mcp-stack.ts';

let stack: McpStack;
let alice: string;
let bob: string;

beforeAll(async () => {
  stack = await startMcpStack();
  alice = await stack.token({ sub: 'alice' });
  bob = await stack.token({ sub: 'bob' });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const VERSION = '2025-06-18';

interface Sent {
  status: number;
  headers: Headers;
  body: { error?: { code: number; data?: { code: string; request_id: string } }; result?: unknown } | null;
  requestId: string | null;
}

async function post(token: string, message: unknown, headers: Record<string, string> = {}): Promise<Sent> {
  const response = await fetch(`${stack.base}/mcp/everything`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: typeof message === 'string' ? message : JSON.stringify(message),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? null : JSON.parse(text),
    requestId: response.headers.get('x-proctor-request-id'),
  };
}

async function session(token: string): Promise<Record<string, string>> {
  const opened = await post(token, {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 'attacker', version: '1' } },
  });
  expect(opened.status).toBe(200);
  const id = opened.headers.get('mcp-session-id') as string;
  return { 'mcp-session-id': id, 'mcp-protocol-version': VERSION };
}

const call = (name: string, args: unknown, id = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** Sends `message` in a fresh session and checks nothing of the call reached the upstream. */
async function refused(message: unknown, token = alice): Promise<Sent> {
  const headers = await session(token);
  const before = stack.upstreamSeen.length;
  const sent = await post(token, message, headers);
  const reached = stack.upstreamSeen.slice(before).filter((s) => s.body.includes('tools/call'));
  expect(reached).toEqual([]);
  return sent;
}

async function recordsOf(sent: Sent): Promise<string> {
  return JSON.stringify(await stack.records(sent.requestId as string));
}

describe('identity the MCP way', () => {
  it('answers no token with 401 and a challenge pointing at the protected resource metadata', async () => {
    const response = await fetch(`${stack.base}/mcp/everything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    const url = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(url).toBe('https://proctor.test/.well-known/oauth-protected-resource/mcp');
    const metadata = (await (await fetch(`${stack.base}/.well-known/oauth-protected-resource/mcp`)).json()) as {
      authorization_servers: string[];
    };
    expect(metadata).toMatchObject({ resource: MCP_RESOURCE, bearer_methods_supported: ['header'] });
    expect(metadata.authorization_servers).toHaveLength(1);
  });

  it('refuses a browser page of another origin (DNS rebinding) before reading its token', async () => {
    const sent = await post(alice, { jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: 'http://evil.example' });
    expect(sent.status).toBe(403);
    expect(sent.body?.error?.data?.code).toBe('ERR_MCP_ORIGIN');
    const [decision] = await stack.records(sent.requestId as string);
    expect(decision).toMatchObject({ principal: null, decision: { allow: false, stage: 'transport' } });
  });

  it('refuses a token issued for another resource (the LLM APIs) with ERR_TOKEN_AUDIENCE', async () => {
    const other = await stack.token({ audience: LLM_AUDIENCE });
    const sent = await post(other, { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(sent.status).toBe(401);
    expect(sent.body?.error?.data?.code).toBe('ERR_TOKEN_AUDIENCE');
    expect(sent.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const [decision] = await stack.records(sent.requestId as string);
    expect(decision).toMatchObject({ decision: { allow: false, stage: 'identify' } });
  });

  it('never passes the caller token upstream: the upstream sees Proctor credential only', async () => {
    const client = await stack.connect(alice);
    await client.callTool({ name: 'echo', arguments: { message: 'whose token?' } });
    const seen = stack.upstreamSeen.filter((s) => s.body.includes('whose token?'));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toBe('Bearer proctor-own-mcp-credential');
    expect(stack.upstreamSeen.some((s) => s.authorization?.includes(alice))).toBe(false);
  });
});

describe('sessions', () => {
  it('refuses a session id presented by another principal (fixation) as unknown, and records it', async () => {
    const alices = await session(alice);
    const sent = await post(bob, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, alices);
    expect(sent.status).toBe(404);
    expect(sent.body?.error?.data?.code).toBe('ERR_MCP_SESSION_UNKNOWN');
    const [decision] = await stack.records(sent.requestId as string);
    expect(decision).toMatchObject({ principal: { sub: 'bob' }, decision: { allow: false, stage: 'session' } });
    // Alice's session still works for her.
    expect((await post(alice, { jsonrpc: '2.0', id: 2, method: 'ping' }, alices)).status).toBe(200);
  });

  it('refuses a session id Proctor never issued, a missing one, and a protocol version other than negotiated', async () => {
    const made = { 'mcp-session-id': 'A'.repeat(43), 'mcp-protocol-version': VERSION };
    expect((await post(alice, { jsonrpc: '2.0', id: 1, method: 'ping' }, made)).status).toBe(404);
    const none = await post(alice, { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(none.body?.error?.data?.code).toBe('ERR_MCP_SESSION_REQUIRED');
    const headers = await session(alice);
    const wrong = await post(
      alice,
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { ...headers, 'mcp-protocol-version': '2025-03-26' },
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body?.error?.data?.code).toBe('ERR_MCP_PROTOCOL_VERSION');
  });

  it('ends a session on DELETE by its holder only', async () => {
    const headers = await session(alice);
    const byBob = await fetch(`${stack.base}/mcp/everything`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${bob}`, ...headers },
    });
    expect(byBob.status).toBe(404);
    const byAlice = await fetch(`${stack.base}/mcp/everything`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${alice}`, ...headers },
    });
    expect(byAlice.status).toBe(200);
    expect((await post(alice, { jsonrpc: '2.0', id: 1, method: 'ping' }, headers)).status).toBe(404);
  });
});

describe('secrets in calls never leave, nor enter a record', () => {
  it('a secret as the tool name', async () => {
    const sent = await refused(call(PLANTED_KEY, {}));
    expect(sent.body?.error?.data?.code).toBe('ERR_MCP_CLASSIFIED_NAME');
    const records = await recordsOf(sent);
    expect(records).not.toContain(PLANTED_KEY);
    expect(records).toContain('"stage":"classify"');
  });

  it('a secret in an argument value, deep in nested arrays and objects', async () => {
    const sent = await refused(call('echo', { message: 'hi', extra: [{ deep: [`key ${PLANTED_KEY}`] }] }));
    expect(sent.body?.error?.data?.code).toBe('ERR_POLICY_DENIED');
    const records = await recordsOf(sent);
    expect(records).toContain('SECRET_DETECTED');
    expect(records).not.toContain(PLANTED_KEY);
  });

  it('a secret as an argument key (the record names it by position only)', async () => {
    const sent = await refused(call('echo', { message: 'hi', [PLANTED_KEY]: 'x' }));
    expect(sent.body?.error?.data?.code).toBe('ERR_POLICY_DENIED');
    expect(await recordsOf(sent)).not.toContain(PLANTED_KEY);
  });

  it('a secret as a prompt argument and as a resource URI', async () => {
    const prompt = await refused({
      jsonrpc: '2.0',
      id: 1,
      method: 'prompts/get',
      params: { name: 'args-prompt', arguments: { city: PLANTED_KEY } },
    });
    expect(prompt.body?.error?.data?.code).toBe('ERR_POLICY_DENIED');
    const resource = await refused({
      jsonrpc: '2.0',
      id: 1,
      method: 'resources/read',
      params: { uri: `demo://resource/${PLANTED_KEY}` },
    });
    expect(resource.body?.error?.data?.code).toBe('ERR_MCP_CLASSIFIED_NAME');
    expect(await recordsOf(resource)).not.toContain(PLANTED_KEY);
  });

  it('a result carrying a secret is withheld, and the outcome says so', async () => {
    const headers = await session(alice);
    const sent = await post(alice, call('get-env', {}), headers);
    expect(sent.status).toBe(200);
    expect(sent.body?.error?.data?.code).toBe('ERR_RESPONSE_BLOCKED');
    expect(JSON.stringify(sent.body)).not.toContain(PLANTED_KEY);
    const [decision, outcome] = await stack.records(sent.requestId as string);
    expect(decision).toMatchObject({ decision: { allow: true } });
    expect(outcome).toMatchObject({ response_action: 'blocked', error: 'ERR_RESPONSE_BLOCKED' });
    expect(
      (outcome as { response_classification: { types: Record<string, number> } }).response_classification.types,
    ).toHaveProperty('AWS_ACCESS_KEY');
  });

  it('a tool the server does not list is not called', async () => {
    const sent = await refused(call('no-such-tool', {}));
    expect(sent.body?.error?.data?.code).toBe('ERR_MCP_TOOL_UNKNOWN');
  });

  it('a write tool is refused to a reader and its decision replays to the same deny', async () => {
    const sent = await refused(call('toggle-simulated-logging', {}));
    expect(sent.body?.error?.data?.code).toBe('ERR_POLICY_DENIED');
    expect(await recordsOf(sent)).toContain('WRITE_TOOL_NOT_PERMITTED');
  });
});

describe('the closed JSON-RPC world', () => {
  it('refuses a batch array', async () => {
    const sent = await refused([call('echo', { message: 'a' }), call('echo', { message: 'b' }, 2)]);
    expect(sent.status).toBe(400);
    expect(sent.body?.error?.data?.code).toBe('ERR_MCP_BATCH');
  });

  it('refuses unknown envelope fields, unknown params fields and unknown _meta fields', async () => {
    const envelope = await refused({ ...call('echo', { message: 'a' }), sneaky: 1 });
    expect(envelope.body?.error?.data?.code).toBe('ERR_MCP_INVALID');
    const params = await refused({
      ...call('echo', { message: 'a' }),
      params: { name: 'echo', arguments: {}, task: {} },
    });
    expect(params.body?.error?.data?.code).toBe('ERR_MCP_PARAMS');
    const meta = await refused({
      ...call('echo', { message: 'a' }),
      params: { name: 'echo', arguments: { message: 'a' }, _meta: { trace: PLANTED_KEY } },
    });
    expect(meta.body?.error?.data?.code).toBe('ERR_MCP_PARAMS');
  });

  it('refuses methods Proctor does not serve and responses from the client', async () => {
    const sampling = await refused({ jsonrpc: '2.0', id: 1, method: 'sampling/createMessage', params: {} });
    expect(sampling.body?.error).toMatchObject({ code: -32601, data: { code: 'ERR_MCP_METHOD' } });
    const response = await refused({ jsonrpc: '2.0', id: 1, result: {} });
    expect(response.body?.error?.data?.code).toBe('ERR_MCP_INVALID');
  });

  it('refuses arguments nested past the depth limit, prototype keys, and a body past the size limit', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const nested = await refused(call('echo', { message: 'a', deep }));
    expect(nested.body?.error?.data?.code).toBe('ERR_MCP_PARAMS');
    const proto = await refused(
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"__proto__":{"x":1}}}}`,
    );
    expect(proto.body?.error?.data?.code).toBe('ERR_MCP_PARAMS');
    const big = await refused(call('echo', { message: 'a'.repeat(70_000) }));
    expect(big.status).toBe(413);
    expect(big.body?.error?.data?.code).toBe('ERR_REQUEST_TOO_LARGE');
    const [decision] = await stack.records(big.requestId as string);
    expect(decision).toMatchObject({
      principal: { sub: 'alice' },
      mcp: { server: 'everything', method: 'POST' },
      decision: { allow: false, stage: 'transport' },
    });
  });

  it('refuses a body that is not JSON and a non-UTF-8 body', async () => {
    const notJson = await refused('{"jsonrpc":');
    expect(notJson.body?.error).toMatchObject({ code: -32700 });
    const headers = await session(alice);
    const plain = await post(alice, 'hello', { ...headers, 'content-type': 'text/plain' });
    expect(plain.status).toBe(400);
    expect(plain.body?.error?.data?.code).toBe('ERR_REQUEST_NOT_JSON');
  });
});

describe('the ledger after the attacks', () => {
  it('verifies, and holds the planted key nowhere', async () => {
    const { code, report } = await stack.verify();
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
    const { rows } = await stack.db.query(
      "SELECT count(*)::int AS n FROM audit_records WHERE position($1 in convert_from(record, 'UTF8')) > 0",
      [PLANTED_KEY],
    );
    expect(rows[0].n).toBe(0);
  });
});
