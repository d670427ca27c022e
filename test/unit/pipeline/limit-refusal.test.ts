// One refusal for a limits error on both front doors: the LLM APIs' denial (limitDenial) and the MCP proxy's JSON-RPC
// error (src/mcp/limits.ts) give the same code, message, record reason and headers for every LimitsErrorCode (the case
// table is exhaustive over the union), and the MCP proxy answers and records ERR_MODEL_NOT_PRICED, which it used to
// flatten into ERR_LIMITS_UNAVAILABLE.
import { describe, expect, it } from 'vitest';
import {
  type AppliedLimit,
  LimitExceeded,
  type Limiter,
  LimitsError,
  type LimitsErrorCode,
} from '../../../src/limits/index.ts';
import { MCP_FAILURES } from '../../../src/mcp/errors.ts';
import { limitRefusal as mcpRefusal } from '../../../src/mcp/limits.ts';
import { limitDenial } from '../../../src/pipeline/denial.ts';
import { FAILURES, LIMIT_REFUSALS, limitRefusal } from '../../../src/pipeline/index.ts';
import { defaultEngine, harness } from '../../helpers/mcp-harness.ts';
import { createMemoryLimiter } from '../../helpers/memory-limiter.ts';

const passed: AppliedLimit & { requested: number } = {
  scope: 'mcp_tool_subject',
  name: 'crm/lookup',
  period: 'minute',
  metric: 'requests',
  limit: 5,
  used: 5,
  requested: 1,
};

/** Every limits error code, each with an error the limiter throws and the code both front doors answer it with. */
const CASES = {
  ERR_LIMIT_EXCEEDED: {
    error: new LimitExceeded(passed, 12, { 'x-ratelimit-limit-requests': '5' }),
    code: 'ERR_LIMIT_EXCEEDED',
  },
  ERR_LIMITS_UNAVAILABLE: {
    error: new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limits store is unavailable'),
    code: 'ERR_LIMITS_UNAVAILABLE',
  },
  ERR_MODEL_NOT_PRICED: {
    error: new LimitsError('ERR_MODEL_NOT_PRICED', "model 'm' on upstream 'up' has no price in pricing table p1"),
    code: 'ERR_MODEL_NOT_PRICED',
  },
  ERR_LIMIT_SCOPE_UNRESOLVED: {
    error: new LimitsError('ERR_LIMIT_SCOPE_UNRESOLVED', 'the policy set a tenant limit, but the caller has no tenant'),
    code: 'ERR_LIMIT_SCOPE_UNRESOLVED',
  },
  ERR_PRICING_INVALID: {
    error: new LimitsError('ERR_PRICING_INVALID', 'pricing file invalid'),
    code: 'ERR_LIMITS_UNAVAILABLE',
  },
  ERR_LIMITS_INVALID: {
    error: new LimitsError('ERR_LIMITS_INVALID', 'out of range'),
    code: 'ERR_LIMITS_UNAVAILABLE',
  },
} satisfies Record<LimitsErrorCode, { error: LimitsError; code: string }>;

describe('a limits error refused by the LLM APIs and by the MCP proxy', () => {
  it('the shared table decides every limits error code', () => {
    expect(Object.keys(LIMIT_REFUSALS).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: the same code, message, record reason and headers on both`, () => {
      const http = limitDenial(c.error);
      const mcp = mcpRefusal(c.error);
      expect(http.code).toBe(c.code);
      expect(mcp.code).toBe(c.code);
      expect(mcp.message).toBe(http.message);
      expect(mcp.reason).toBe(http.recordMessage);
      expect(mcp.headers).toEqual(http.extra.headers);
      expect(http.stage).toBe('reserve');
      // Each front door has a status for it; the LLM APIs' is the refusal's.
      expect(Object.hasOwn(MCP_FAILURES, c.code)).toBe(true);
      expect(limitRefusal(c.error).status).toBe(FAILURES[c.code as keyof typeof FAILURES].status);
    });
  }

  it('a passed limit: retry-after and the limit in error.data, the message as the 429 states it', () => {
    const mcp = mcpRefusal(CASES.ERR_LIMIT_EXCEEDED.error);
    expect(mcp.headers).toMatchObject({ 'retry-after': '12', 'x-ratelimit-limit-requests': '5' });
    expect(mcp.data).toEqual({ retry_after_seconds: 12, limit: passed });
    expect(mcp.message).toBe(CASES.ERR_LIMIT_EXCEEDED.error.message);
    expect(mcp.reason).toContain('(used 5, requested 1)');
  });

  it('anything but a limits error fails closed as unavailable on both, with retry-after 1', () => {
    const r = limitRefusal(new TypeError('boom'));
    expect(r).toMatchObject({ code: 'ERR_LIMITS_UNAVAILABLE', status: 503, headers: { 'retry-after': '1' } });
    expect(mcpRefusal(new TypeError('boom'))).toMatchObject({ code: 'ERR_LIMITS_UNAVAILABLE' });
    // The code without a LimitExceeded behind it names no limit: a limiter bug, not a 429.
    expect(limitDenial(new LimitsError('ERR_LIMIT_EXCEEDED', 'no limit')).code).toBe('ERR_LIMITS_UNAVAILABLE');
  });

  it('the MCP proxy answers ERR_MODEL_NOT_PRICED as such: -32003, recorded at stage reserve, nothing forwarded', async () => {
    const refusing: Limiter = {
      ...createMemoryLimiter(),
      reserveRequests: async () => {
        throw CASES.ERR_MODEL_NOT_PRICED.error;
      },
    };
    const h = harness(await defaultEngine(), { limits: refusing });
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'lookup', arguments: { q: 'x' } } };
    const reply = await h.handle(call, await h.session());
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ error: { code: -32003, data: { code: 'ERR_MODEL_NOT_PRICED' } } });
    expect(h.appended.map((a) => a.body['decision'])).toMatchObject([
      { allow: false, stage: 'reserve', reasons: [{ code: 'ERR_MODEL_NOT_PRICED' }] },
    ]);
    expect(h.calls).toEqual([]);
  });
});
