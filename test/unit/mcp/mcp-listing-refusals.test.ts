// Which refusals of MCP listings are recorded (src/mcp/limits.ts listingRefusals): a caller's first ones in a minute
// for a passed limit, as many as the limit's value, per limit and server; other refusals always.
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../src/identity/index.ts';
import { McpError } from '../../../src/mcp/errors.ts';
import { listingRefusals } from '../../../src/mcp/limits.ts';

const caller = (sub: string): Principal => ({
  iss: 'https://idp',
  sub,
  client_id: null,
  groups: [],
  tenant: null,
  token_fingerprint: 'f',
});
const over = (limit: number, scope = 'mcp_server_subject') =>
  new McpError('ERR_LIMIT_EXCEEDED', 'limit reached', {
    data: { retry_after_seconds: 5, limit: { scope, name: 'crm', period: 'minute', limit, used: limit, requested: 1 } },
  });

function clockAt(ms: number) {
  const clock = { ms, now: () => new Date(clock.ms) };
  return clock;
}

describe('listingRefusals', () => {
  it("records a caller's refusals up to the limit's value a minute, then none until the next minute", () => {
    const clock = clockAt(Date.UTC(2026, 0, 1, 0, 0, 10));
    const refusals = listingRefusals(clock);
    const seen = Array.from({ length: 6 }, () => refusals.record(caller('ann'), 'crm', over(3)));
    expect(seen).toEqual([true, true, true, false, false, false]);
    clock.ms += 60_000;
    expect(refusals.record(caller('ann'), 'crm', over(3))).toBe(true);
  });

  it('keeps callers, servers and limits apart', () => {
    const refusals = listingRefusals(clockAt(0));
    expect(refusals.record(caller('ann'), 'crm', over(1))).toBe(true);
    expect(refusals.record(caller('ann'), 'crm', over(1))).toBe(false);
    expect(refusals.record(caller('bob'), 'crm', over(1))).toBe(true);
    expect(refusals.record(caller('ann'), 'wiki', over(1))).toBe(true);
    expect(refusals.record(caller('ann'), 'crm', over(1, 'subject'))).toBe(true);
  });

  it('control: records every other refusal (no limit passed, another code)', () => {
    const refusals = listingRefusals(clockAt(0));
    for (let k = 0; k < 5; k++) {
      expect(refusals.record(caller('ann'), 'crm', new McpError('ERR_LIMITS_UNAVAILABLE', 'down'))).toBe(true);
      expect(refusals.record(caller('ann'), 'crm', new McpError('ERR_POLICY_DENIED', 'denied'))).toBe(true);
    }
  });

  it('remembers at most 4096 callers a minute; a new one past that is not recorded', () => {
    const refusals = listingRefusals(clockAt(0));
    for (let k = 0; k < 4096; k++) expect(refusals.record(caller(`c${k}`), 'crm', over(2))).toBe(true);
    expect(refusals.record(caller('late'), 'crm', over(2))).toBe(false);
    expect(refusals.record(caller('c1'), 'crm', over(2))).toBe(true);
  });
});
