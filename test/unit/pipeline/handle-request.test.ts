// The pipeline's order and fail-closed rules, with fakes passed through its interfaces (no I/O). The fakes keep one
// shared event log so a test can assert what happened before what.
import { describe, expect, it } from 'vitest';
import { createRequestHandler, type PipelineDeps } from '../../../src/pipeline/index.ts';
import { IdentityError } from '../../../src/identity/index.ts';
import { ForwardError } from '../../../src/forwarding/index.ts';
import type { Decision, Limits, PolicyEngine } from '../../../src/policy/index.ts';
import type { Ledger } from '../../../src/ledger/index.ts';
import { registryOf, upstreamSettings } from '../../helpers/upstreams.ts';
import { createMemoryLimiter } from '../../helpers/memory-limiter.ts';
import { createLogSink } from '../../helpers/log-sink.ts';

const upstream = upstreamSettings({ name: 'echo', zeroDataRetention: true });
const allow: Decision = {
  allow: true,
  reasons: [],
  obligations: { upstreams: ['echo'], max_tokens: 64, redact: [], response: { redact: [], block: [] }, limits: null },
};
const principal = {
  iss: 'https://idp.test',
  sub: 'alice',
  client_id: null,
  groups: ['eng'],
  tenant: null,
  token_fingerprint: 'f'.repeat(64),
};
const body = new TextEncoder().encode(
  JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'hello' }] }),
);

interface Options {
  authenticate?: () => Promise<typeof principal>;
  decision?: Decision;
  failAppendAt?: number;
  forward?: () => Promise<{ status: number; contentType: string | null; body: unknown }>;
  classifyThrows?: boolean;
}

function harness(options: Options = {}) {
  const events: string[] = [];
  const records: { type: string; body: Record<string, unknown> }[] = [];
  let appends = 0;
  const ledger = {
    chain: 'test',
    async append(type: string, _requestId: string | null, recordBody: Record<string, unknown>) {
      appends += 1;
      if (options.failAppendAt === appends) {
        events.push(`append-failed:${type}`);
        throw Object.assign(new Error('database down'), { code: 'ERR_AUDIT_UNAVAILABLE' });
      }
      events.push(`append:${type}`);
      records.push({ type, body: structuredClone(recordBody) });
      return { chain: 'test', seq: appends, hash: `h${appends}`, bytes: new Uint8Array(), record: {} };
    },
  } as unknown as Ledger;
  const engine: PolicyEngine = {
    version: { revision: 'src-test', sha256: '0'.repeat(64) },
    decide: () => {
      events.push('decide');
      return options.decision ?? allow;
    },
  };
  const limits = createMemoryLimiter({ now: () => Date.parse('2026-01-01T00:00:00.000Z') });
  const logs = createLogSink();
  const deps: PipelineDeps = {
    authenticator: { authenticate: options.authenticate ?? (async () => principal) },
    classifier: {
      classify: () => {
        if (options.classifyThrows) throw new Error('boom');
        return { findings: [] };
      },
    },
    policy: { decide: (input) => ({ decision: engine.decide(input), version: engine.version, shadow: null }) },
    ledger,
    forwarder: {
      forward: async (_target, _path, forwarded) => {
        events.push(`forward:${JSON.stringify(forwarded)}`);
        return options.forward
          ? options.forward()
          : {
              status: 200,
              contentType: 'application/json',
              body: { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
            };
      },
      // These tests send stream=false only; a stream would be a test bug, so it fails loudly.
      openStream: async () => {
        throw new Error('this test does not stream');
      },
      close: async () => {},
    },
    upstreams: registryOf([upstream]),
    clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
    limits,
    log: logs.log,
  };
  const handler = createRequestHandler(deps);
  const run = () =>
    handler.handle({ requestId: 'r1', api: 'openai.chat_completions', headers: { authorization: 'Bearer t' }, body });
  return { events, records, run, handler, limits, logs: logs.entries };
}

describe('the request pipeline', () => {
  it('commits the decision record before forwarding, then records the outcome', async () => {
    const h = harness();
    const reply = await h.run();
    expect(reply.status).toBe(200);
    expect(h.events.map((e) => e.split(':')[0])).toEqual(['decide', 'append', 'forward', 'append']);
    expect(h.events[2]).toContain('"max_tokens":64');
    expect(h.records[0]?.body).toMatchObject({
      principal: { sub: 'alice' },
      decision: { allow: true, stage: 'decide' },
      route: { upstream: 'echo' },
      policy: { revision: 'src-test' },
    });
    expect(h.records[1]).toMatchObject({
      type: 'outcome',
      body: { decision_hash: 'h1', status: 200, upstream_status: 200, usage: { total_tokens: 3 }, error: null },
    });
    expect(JSON.stringify(h.records)).not.toContain('hello');
  });

  it('forwards nothing and answers 503 when the decision record cannot be committed', async () => {
    const h = harness({ failAppendAt: 1 });
    const reply = await h.run();
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_AUDIT_UNAVAILABLE' } });
    expect(h.events.some((e) => e.startsWith('forward'))).toBe(false);
  });

  it('withholds the answer when the outcome record cannot be committed, and writes no second decision', async () => {
    const h = harness({ failAppendAt: 2 });
    const reply = await h.run();
    expect(reply.status).toBe(503);
    expect(h.events.filter((e) => e.startsWith('append'))).toEqual(['append:decision', 'append-failed:outcome']);
  });

  it('records a policy denial with the policy reasons and forwards nothing', async () => {
    const decision: Decision = {
      allow: false,
      reasons: [{ code: 'SECRET_DETECTED', message: 'secrets are never sent' }],
      obligations: { upstreams: [], max_tokens: null, redact: [], response: { redact: [], block: [] }, limits: null },
    };
    const h = harness({ decision });
    const reply = await h.run();
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({
      error: { code: 'ERR_POLICY_DENIED', type: 'permission_error', reasons: decision.reasons },
    });
    expect(h.records).toHaveLength(1);
    expect(h.records[0]?.body).toMatchObject({
      decision: { allow: false, stage: 'decide', reasons: decision.reasons },
      route: null,
    });
    expect(h.events.some((e) => e.startsWith('forward'))).toBe(false);
  });

  it('records an authentication failure as a denial at the identify stage', async () => {
    const h = harness({
      authenticate: async () => {
        throw new IdentityError('ERR_TOKEN_EXPIRED', 'token expired');
      },
    });
    const reply = await h.run();
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer');
    expect(h.records[0]?.body).toMatchObject({
      principal: null,
      decision: { allow: false, stage: 'identify', reasons: [{ code: 'ERR_TOKEN_EXPIRED' }] },
    });
  });

  it('denies when the classifier fails: it is never skipped', async () => {
    const h = harness({ classifyThrows: true });
    const reply = await h.run();
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_CLASSIFICATION_FAILED' } });
    expect(h.records[0]?.body).toMatchObject({ decision: { allow: false, stage: 'classify' } });
    expect(h.events).not.toContain('decide');
  });

  it('denies when the decision names no configured upstream', async () => {
    const h = harness({ decision: { ...allow, obligations: { ...allow.obligations, upstreams: ['elsewhere'] } } });
    const reply = await h.run();
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_NO_UPSTREAM' } });
    expect(h.records[0]?.body).toMatchObject({ decision: { allow: false, stage: 'route' } });
  });

  it('records an upstream failure in the outcome', async () => {
    const h = harness({
      forward: async () => {
        throw new ForwardError('ERR_UPSTREAM_TIMEOUT', 'timed out');
      },
    });
    const reply = await h.run();
    expect(reply.status).toBe(504);
    expect(h.records[1]).toMatchObject({
      type: 'outcome',
      body: { status: 504, upstream_status: null, error: 'ERR_UPSTREAM_TIMEOUT', usage: null },
    });
  });

  it('withholds the answer and records an outcome (not a second decision) when something fails after forwarding', async () => {
    const hostile = Object.defineProperty({}, 'usage', {
      enumerable: true,
      get() {
        throw new Error('unexpected');
      },
    });
    const h = harness({ forward: async () => ({ status: 200, contentType: 'application/json', body: hostile }) });
    const reply = await h.run();
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_INTERNAL' } });
    expect(h.records.map((r) => r.type)).toEqual(['decision', 'outcome']);
    expect(h.records[1]).toMatchObject({ body: { status: 500, upstream_status: 200, error: 'ERR_INTERNAL' } });
  });

  it('refuses at reserve (429) once the request rate the decision set is used up, and forwards nothing more', async () => {
    const limited: Limits = {
      tokens_per_minute: null,
      requests_per_minute: 2,
      spend_micro_usd_per_day: null,
      spend_micro_usd_per_month: null,
    };
    const h = harness({ decision: { ...allow, obligations: { ...allow.obligations, limits: limited } } });
    expect((await h.run()).status).toBe(200);
    expect((await h.run()).status).toBe(200);
    const third = await h.run();
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ error: { code: 'ERR_LIMIT_EXCEEDED' } });
    expect(h.records.at(-1)?.body).toMatchObject({ decision: { allow: false, stage: 'reserve' }, route: null });
    expect(h.events.filter((e) => e.startsWith('forward'))).toHaveLength(2);
  });

  it('logs a settlement the limiter could not take, and still delivers the answer with its outcome', async () => {
    let h: ReturnType<typeof harness> | null = null;
    h = harness({
      forward: async () => {
        await h?.limits.close();
        return { status: 200, contentType: 'application/json', body: { choices: [] } };
      },
    });
    const reply = await h.run();
    expect(reply.status).toBe(200);
    expect(h.records[1]).toMatchObject({ type: 'outcome', body: { settlement: { recorded: false } } });
    expect(h.logs).toEqual([
      expect.objectContaining({ level: 'error', message: 'reservation not settled; it expires after its TTL' }),
    ]);
  });

  it('records transport rejections (body too large) as denials', async () => {
    const h = harness();
    const reply = await h.handler.reject(
      { requestId: 'r2', api: 'openai.chat_completions', headers: {} },
      'ERR_REQUEST_TOO_LARGE',
      'too large',
    );
    expect(reply.status).toBe(413);
    expect(h.records[0]?.body).toMatchObject({
      decision: { allow: false, stage: 'transport', reasons: [{ code: 'ERR_REQUEST_TOO_LARGE' }] },
    });
  });
});
