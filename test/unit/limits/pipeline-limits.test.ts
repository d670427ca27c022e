// The pipeline's limits stage with a real limiter on in-memory PGlite and fakes for the rest (passed through the
// pipeline's interfaces): reserve before the decision record, settle on every end, 429/503/403 recorded as denials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openPglite, type Sql } from '../../../src/db/index.ts';
import { createLimiter, parsePricing, type Limiter } from '../../../src/limits/index.ts';
import { createRequestHandler, type PipelineDeps } from '../../../src/pipeline/index.ts';
import { ForwardError } from '../../../src/forwarding/index.ts';
import type { Decision, Limits } from '../../../src/policy/index.ts';
import type { Ledger } from '../../../src/ledger/index.ts';
import { registryOf, upstreamSettings } from '../../helpers/upstreams.ts';
import { installDbClock } from '../../helpers/db-clock.ts';
import { createLogSink } from '../../helpers/log-sink.ts';

let sql: Sql;
beforeAll(async () => {
  sql = await openPglite();
  await migrate(sql);
  // Minute windows are the database's clock: stopped 10 s into a minute, every test here runs inside one window.
  await installDbClock(sql, new Date('2026-01-01T00:00:10Z'), 'this');
}, 60_000);
afterAll(async () => {
  await sql?.close();
});

const pricing = parsePricing(
  {
    version: 'p1',
    unknown_model: 'deny',
    upstreams: { echo: { 'echo-1': { input: 1_000_000, output: 2_000_000, cached_input: 0 } } },
  },
  'test',
);
const unlimited: Limits = {
  tokens_per_minute: null,
  requests_per_minute: null,
  spend_micro_usd_per_day: null,
  spend_micro_usd_per_month: null,
};
let subjects = 0;

function harness(
  o: {
    api?: 'openai.chat_completions' | 'openai.embeddings' | 'anthropic.messages';
    limits?: Limits;
    model?: string;
    failAppendAt?: number;
    forward?: () => Promise<{ status: number; contentType: string | null; body: unknown }>;
    sql?: Sql;
    pricing?: typeof pricing;
  } = {},
) {
  subjects += 1;
  const api = o.api ?? 'openai.chat_completions';
  const principal = {
    iss: 'https://idp.test',
    sub: `s${subjects}`,
    client_id: null,
    groups: [],
    tenant: null,
    token_fingerprint: 'f'.repeat(64),
  };
  const events: string[] = [];
  const records: { type: string; body: Record<string, unknown> }[] = [];
  let appends = 0;
  const ledger = {
    chain: 'test',
    async append(type: string, _id: string | null, body: Record<string, unknown>) {
      appends += 1;
      if (o.failAppendAt === appends) throw Object.assign(new Error('down'), { code: 'ERR_AUDIT_UNAVAILABLE' });
      events.push(`append:${type}`);
      records.push({ type, body: structuredClone(body) });
      return { chain: 'test', seq: appends, hash: `h${appends}`, bytes: new Uint8Array(), record: {} };
    },
  } as unknown as Ledger;
  const decision: Decision = {
    allow: true,
    reasons: [],
    obligations: {
      upstreams: ['echo'],
      max_tokens: 100,
      redact: [],
      response: { redact: [], block: [] },
      limits: o.limits ?? unlimited,
    },
  };
  const limiter: Limiter = createLimiter({
    sql: o.sql ?? sql,
    pricing: o.pricing ?? pricing,
    defaults: [],
    reservationTtlSeconds: 60,
    defaultMaxTokens: 1000,
  });
  const deps: PipelineDeps = {
    authenticator: { authenticate: async () => principal },
    classifier: { classify: () => ({ findings: [] }) },
    policy: {
      decide: (input) => {
        events.push(`decide:${JSON.stringify(input.usage)}`);
        return { decision, version: { revision: 'r', sha256: '0'.repeat(64) }, shadow: null };
      },
    },
    ledger,
    forwarder: {
      forward: async () => {
        events.push('forward');
        return o.forward
          ? o.forward()
          : {
              status: 200,
              contentType: 'application/json',
              body: { choices: [], usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 } },
            };
      },
      openStream: async () => {
        throw new Error('not streamed here');
      },
      close: async () => {},
    },
    upstreams: registryOf([
      upstreamSettings({
        name: 'echo',
        zeroDataRetention: true,
        ...(api === 'anthropic.messages' ? { kind: 'anthropic' as const, apis: ['anthropic'] } : {}),
      }),
    ]),
    clock: { now: () => new Date() },
    limits: limiter,
    log: createLogSink().log,
  };
  const handler = createRequestHandler(deps);
  const body = new TextEncoder().encode(
    JSON.stringify(
      api === 'openai.embeddings'
        ? { model: o.model ?? 'echo-1', input: 'hello' }
        : {
            model: o.model ?? 'echo-1',
            ...(api === 'anthropic.messages' ? { max_tokens: 50 } : {}),
            messages: [{ role: 'user', content: 'hello' }],
          },
    ),
  );
  const run = () =>
    handler.handle({ requestId: `r${subjects}-${events.length}`, api, headers: { authorization: 'Bearer t' }, body });
  return { events, records, run, limiter, principal };
}

describe('the limits stage in the pipeline', () => {
  it('bills Anthropic prompt-cache reads and writes at their own prices and records them in the settlement', async () => {
    const anthropicPricing = parsePricing(
      {
        version: 'p2',
        unknown_model: 'deny',
        upstreams: {
          echo: {
            'echo-1': {
              input: 3_000_000,
              output: 15_000_000,
              cached_input: 300_000,
              cache_write: 3_750_000,
              cache_write_1h: 6_000_000,
            },
          },
        },
      },
      'test',
    );
    const h = harness({
      api: 'anthropic.messages',
      pricing: anthropicPricing,
      forward: async () => ({
        status: 200,
        contentType: 'application/json',
        body: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'echo-1',
          content: [{ type: 'text', text: 'hi' }],
          stop_reason: 'end_turn',
          usage: {
            input_tokens: 100,
            output_tokens: 10,
            cache_read_input_tokens: 900,
            cache_creation_input_tokens: 1000,
            cache_creation: { ephemeral_5m_input_tokens: 600, ephemeral_1h_input_tokens: 400 },
          },
        },
      }),
    });
    const reply = await h.run();
    expect(reply.status).toBe(200);
    // 100 × $3/M + 900 × $0.30/M + 600 × $3.75/M + 400 × $6/M + 10 × $15/M = 300 + 270 + 2,250 + 2,400 + 150
    expect(h.records[1]?.body).toMatchObject({
      cost_micro_usd: 5370,
      pricing_version: 'p2',
      usage: {
        prompt_tokens: 2000,
        completion_tokens: 10,
        cached_input_tokens: 900,
        cache_write_tokens: 1000,
        cache_write_1h_tokens: 400,
      },
      settlement: {
        basis: 'usage',
        prompt_tokens: 2000,
        cached_input_tokens: 900,
        cache_write_tokens: 1000,
        cache_write_1h_tokens: 400,
        tokens: 2010,
      },
    });
    expect(reply.headers).toMatchObject({ 'x-proctor-cost-micro-usd': '5370' });
    // the reservation held the most the request could cost: the whole prompt written to the 1-hour cache ($6/M)
    const reservation = h.records[0]?.body.reservation as {
      prompt_tokens: number;
      completion_tokens: number;
      spend_micro_usd: number;
    };
    expect(reservation.completion_tokens).toBe(50);
    expect(reservation.spend_micro_usd).toBe(
      Math.ceil((reservation.prompt_tokens * 6_000_000 + 50 * 15_000_000) / 1_000_000),
    );
  });

  it('reads usage for the policy, reserves before the decision record, settles and records cost after the answer', async () => {
    const h = harness({ limits: { ...unlimited, requests_per_minute: 5, tokens_per_minute: 10_000 } });
    const reply = await h.run();
    expect(reply.status).toBe(200);
    expect(h.events[0]).toBe(
      'decide:{"tokens_this_minute":0,"requests_this_minute":0,"spend_micro_usd_today":0,"spend_micro_usd_this_month":0}',
    );
    expect(h.events.slice(1)).toEqual(['append:decision', 'forward', 'append:outcome']);
    expect(h.records[0]?.body.reservation).toMatchObject({
      requests: 1,
      completion_tokens: 100,
      pricing_version: 'p1',
      price_entry: 'echo/echo-1',
      prompt_token_method: 'o200k_base_or_estimate',
    });
    // 10 in at $1/M + 20 out at $2/M = 50 micro-USD
    expect(h.records[1]?.body).toMatchObject({
      cost_micro_usd: 50,
      pricing_version: 'p1',
      settlement: { basis: 'usage', tokens: 30, requests: 1, recorded: true },
    });
    expect(reply.headers).toMatchObject({
      'x-proctor-cost-micro-usd': '50',
      'x-ratelimit-limit-requests': '5',
      'x-ratelimit-remaining-requests': '4',
      'x-ratelimit-limit-tokens': '10000',
    });
    expect(await h.limiter.usage(h.principal)).toMatchObject({
      tokens_this_minute: 30,
      requests_this_minute: 1,
      spend_micro_usd_today: 50,
    });
  });

  it('answers 429 with retry-after when a limit would be passed, records the denial, forwards nothing', async () => {
    const h = harness({ limits: { ...unlimited, requests_per_minute: 1 } });
    expect((await h.run()).status).toBe(200);
    const reply = await h.run();
    expect(reply.status).toBe(429);
    expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(reply.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(reply.body).toMatchObject({ error: { code: 'ERR_LIMIT_EXCEEDED', type: 'rate_limit_error' } });
    expect(h.events.filter((e) => e === 'forward')).toHaveLength(1);
    const denial = h.records.at(-1);
    expect(denial).toMatchObject({
      type: 'decision',
      body: { decision: { allow: false, stage: 'reserve', reasons: [{ code: 'ERR_LIMIT_EXCEEDED' }] }, route: null },
    });
  });

  it('enforces a shared group limit the decision names across different subjects', async () => {
    const group = `team-${Date.now()}`;
    const limits: Limits = { ...unlimited, scoped: [{ scope: 'group', name: group, requests_per_minute: 1 }] };
    expect((await harness({ limits }).run()).status).toBe(200);
    const second = harness({ limits });
    const reply = await second.run();
    expect(reply.status).toBe(429);
    expect(second.records[0]?.body).toMatchObject({
      decision: {
        stage: 'reserve',
        reasons: [
          { code: 'ERR_LIMIT_EXCEEDED', message: expect.stringContaining('group requests per minute limit 1') },
        ],
      },
    });
  });

  it('fails closed with 503 when the limits store is unavailable, and records it', async () => {
    const broken: Sql = {
      ...sql,
      query: async () => {
        throw new Error('connection refused');
      },
    };
    const h = harness({ sql: broken });
    const reply = await h.run();
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_LIMITS_UNAVAILABLE' } });
    expect(h.events).not.toContain('forward');
    expect(h.records[0]?.body).toMatchObject({ decision: { allow: false, stage: 'reserve' } });
  });

  it('reserves no output tokens for embeddings', async () => {
    const h = harness({ api: 'openai.embeddings' });
    await h.run();
    expect(h.records[0]?.body.reservation).toMatchObject({ completion_tokens: 0 });
  });

  it('denies an unpriced model before anything is held', async () => {
    const h = harness({ model: 'gpt-unpriced' });
    const reply = await h.run();
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_MODEL_NOT_PRICED' } });
    // Nothing is held; the request itself counts against the rate since admission counting (migrations/011).
    expect(await h.limiter.usage(h.principal)).toMatchObject({ requests_this_minute: 1, tokens_this_minute: 0 });
  });

  it('releases the reservation when the decision record cannot be committed', async () => {
    const h = harness({ failAppendAt: 1 });
    expect((await h.run()).status).toBe(503);
    expect(h.events).not.toContain('forward');
    // Released: no tokens or spend held; the request counts against the rate (admission counting, migrations/011).
    expect(await h.limiter.usage(h.principal)).toEqual({
      tokens_this_minute: 0,
      requests_this_minute: 1,
      spend_micro_usd_today: 0,
      spend_micro_usd_this_month: 0,
    });
  });

  it('bills nothing for an upstream refusal and the estimate for a timeout', async () => {
    const refused = harness({
      forward: async () => ({ status: 500, contentType: 'application/json', body: { error: { message: 'x' } } }),
    });
    await refused.run();
    expect(refused.records[1]?.body).toMatchObject({
      cost_micro_usd: 0,
      settlement: { basis: 'none', requests: 1, tokens: 0 },
    });
    const timedOut = harness({
      forward: async () => {
        throw new ForwardError('ERR_UPSTREAM_TIMEOUT', 'timed out');
      },
    });
    await timedOut.run();
    const estimate = timedOut.records[0]?.body.reservation as { spend_micro_usd: number; tokens: number };
    expect(timedOut.records[1]?.body).toMatchObject({
      cost_micro_usd: estimate.spend_micro_usd,
      settlement: { basis: 'estimate', tokens: estimate.tokens },
    });
  });
});
