// MCP calls under limits, with real parts (docs/mcp.md#limits): the official SDK client through Proctor (real OIDC
// tokens, PostgreSQL ledger and limit leases, the checked-in OPA bundle) to server-everything. The server is
// configured with a per-caller limit on one tool; the policy's subject limit (requests_per_minute 60) is the LLM
// APIs' own counter. Oracles: the SDK's error, the chain's records, and what the upstream received.
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpStack, type McpStack } from '../helpers/mcp-stack.ts';

let stack: McpStack;
const SUM_LIMIT = 2;

beforeAll(async () => {
  stack = await startMcpStack({
    serverLimits: [
      { per: 'caller', tool: 'get-sum', requests_per_minute: SUM_LIMIT },
      { per: 'everyone', requests_per_minute: 1000 },
    ],
    // Minute windows are the database's clock: stopped 10 s into a minute, every burst here is inside one window.
    dbClock: new Date('2026-01-01T00:00:10Z'),
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const sum = { name: 'get-sum', arguments: { a: 1, b: 2 } };
/** tools/call requests for get-sum the upstream server received. */
const sumsUpstream = () =>
  stack.upstreamSeen.filter((s) => s.body.includes('"tools/call"') && s.body.includes('get-sum')).length;

async function refusal(call: Promise<unknown>): Promise<McpError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

describe('MCP limits per tool and server, on the LLM APIs limiter', () => {
  // Over the limit: retry-after, a denial at reserve, nothing forwarded; another tool works; a new session is still
  // over; another caller is not.
  it('refuses a caller over its per-tool limit, and only that caller and tool', async () => {
    const token = await stack.token({ sub: 'lena' });
    const client = await stack.connect(token);
    const before = await stack.lastSeq();
    for (let i = 0; i < SUM_LIMIT; i++) await client.callTool(sum);
    const reached = sumsUpstream();

    const refused = await refusal(client.callTool(sum));
    expect(refused.code).toBe(-32029);
    const data = refused.data as Record<string, unknown>;
    expect(data).toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
      limit: {
        scope: 'mcp_tool_subject',
        name: 'everything/get-sum',
        period: 'minute',
        metric: 'requests',
        limit: SUM_LIMIT,
        used: SUM_LIMIT,
        requested: 1,
      },
    });
    expect(data['retry_after_seconds']).toBeGreaterThanOrEqual(1);
    expect(data['retry_after_seconds']).toBeLessThanOrEqual(60);
    expect(sumsUpstream()).toBe(reached); // nothing forwarded

    // The refusal is a recorded denial at stage reserve, with no outcome; the allowed calls hold and settle one
    // request each on the tool's counter and the subject's.
    const written = (await stack.recordsAfter(before)).map((r) => r.record);
    const decisions = written.filter((r) => r['type'] === 'decision');
    expect(decisions).toHaveLength(SUM_LIMIT + 1);
    const denial = decisions[SUM_LIMIT] as Record<string, unknown>;
    expect(denial).toMatchObject({
      mcp: { server: 'everything', method: 'tools/call', name: 'get-sum' },
      decision: { allow: false, stage: 'reserve', reasons: [{ code: 'ERR_LIMIT_EXCEEDED' }] },
      route: null,
    });
    expect(written.filter((r) => r['request_id'] === denial['request_id'] && r['type'] === 'outcome')).toHaveLength(0);
    const allowed = decisions[0] as { reservation: { requests: number; tokens: number; limits: unknown[] } };
    expect(allowed.reservation).toMatchObject({ requests: 1, tokens: 0, spend_micro_usd: 0 });
    expect(allowed.reservation.limits).toEqual(
      expect.arrayContaining([
        {
          scope: 'mcp_tool_subject',
          name: 'everything/get-sum',
          period: 'minute',
          metric: 'requests',
          limit: 2,
          used: 1,
        },
        expect.objectContaining({ scope: 'mcp_server', name: 'everything', limit: 1000 }),
        expect.objectContaining({ scope: 'subject', name: 'lena', metric: 'requests', limit: 60 }),
      ]),
    );
    const outcome = written.find((r) => r['type'] === 'outcome');
    expect(outcome).toMatchObject({
      status: 200,
      cost_micro_usd: 0,
      settlement: { basis: 'estimate', requests: 1, tokens: 0, recorded: true },
    });

    // Another tool of the same server still works for the same caller.
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
    expect((echoed.content as { text?: string }[])[0]?.text).toBe('Echo: still here');

    // Limits belong to the caller, not the session: a new session of the same caller is still over.
    const again = await stack.connect(token);
    expect((await refusal(again.callTool(sum))).data).toMatchObject({ code: 'ERR_LIMIT_EXCEEDED' });
    expect(sumsUpstream()).toBe(reached);

    // Per caller: someone else's bucket is their own.
    const other = await stack.connect(await stack.token({ sub: 'omar' }));
    await other.callTool(sum);
    expect(sumsUpstream()).toBe(reached + 1);
  });

  it('counts every call on the subject rate the LLM APIs use, denied ones included', async () => {
    const client = await stack.connect(await stack.token({ sub: 'dora' }));
    const before = await stack.lastSeq();
    await client.callTool({ name: 'echo', arguments: { message: 'one' } });
    // Denied by policy (a secret in the arguments): counted at admission all the same.
    await refusal(client.callTool({ name: 'echo', arguments: { message: 'AKIAQ7ZR4HLXW2B5NC3E' } }));
    await client.callTool({ name: 'echo', arguments: { message: 'three' } });
    const decisions = (await stack.recordsAfter(before))
      .map((r) => r.record)
      .filter((r) => r['type'] === 'decision') as {
      decision: { allow: boolean };
      reservation?: { limits: unknown[] };
    }[];
    expect(decisions.map((d) => d.decision.allow)).toEqual([true, false, true]);
    const subjectUsed = (d: (typeof decisions)[number]) =>
      (d.reservation?.limits as { scope: string; metric: string; used: number }[]).find(
        (l) => l.scope === 'subject' && l.metric === 'requests',
      )?.used;
    expect(subjectUsed(decisions[0] as (typeof decisions)[number])).toBe(1);
    expect(subjectUsed(decisions[2] as (typeof decisions)[number])).toBe(3); // the denied call counted
    // The policy input carries the subject's usage before the call (admission read it).
    const third = decisions[2] as unknown as { policy_input: { usage: { requests_this_minute: number } } };
    expect(third.policy_input.usage.requests_this_minute).toBe(2);
  });

  // Listings are admitted as GET /v1/models is: counted on the subject's minute counter and checked against the
  // decision's requests a minute (the checked-in policy's 60), refused past it: uncounted, they flooded the ledger.
  it('counts listings on the subject rate: past the requests a minute, listings and calls are refused', async () => {
    const client = await stack.connect(await stack.token({ sub: 'lister' }));
    const before = await stack.lastSeq();
    const LISTINGS = 62;
    const listed: boolean[] = [];
    for (let i = 0; i < LISTINGS; i++)
      listed.push(
        await (i % 3 === 0 ? client.listTools() : i % 3 === 1 ? client.listResources() : client.listPrompts()).then(
          () => true,
          () => false,
        ),
      );
    const refused = await refusal(client.callTool({ name: 'echo', arguments: { message: 'after' } }));
    expect((refused.data as { code?: unknown }).code).toBe('ERR_LIMIT_EXCEEDED');
    const decisions = (await stack.recordsAfter(before))
      .map((r) => r.record)
      .filter((r) => r['type'] === 'decision') as { decision: { allow: boolean; stage: string }; mcp: unknown }[];
    expect(listed.filter(Boolean)).toHaveLength(60);
    expect(decisions).toHaveLength(LISTINGS + 1);
    expect(decisions.filter((d) => d.decision.allow)).toHaveLength(60);
    const denials = decisions.filter((d) => !d.decision.allow);
    expect(denials.map((d) => d.decision.stage)).toEqual(['reserve', 'reserve', 'reserve']);
    expect(denials[0]).toMatchObject({
      mcp: { method: 'tools/list' },
      decision: { reasons: [{ code: 'ERR_LIMIT_EXCEEDED' }] },
    });
  });

  it('leaves a ledger that verifies', async () => {
    const { code, report } = await stack.verify();
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
  });
});
