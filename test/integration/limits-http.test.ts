// Limits and cost through the whole server, with real parts: PostgreSQL 15, a real OIDC provider, the checked-in
// policy bundle, the shipped pricing table and the official `openai` SDK. A tight configured limit gives a 429 with
// retry-after and OpenAI-style headers, recorded as a denial that names the limit; an admitted request carries its
// rate-limit and cost headers, its decision record the reservation, its outcome record the settlement and cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { Agent, request } from 'undici';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { startEchoUpstream, type EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { runUsage } from '../../src/cli/usage.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import { installDbClock } from '../helpers/db-clock.ts';
import { oidcIssuerEntry, proctorConfig } from '../helpers/proctor-config.ts';

const AUDIENCE = 'https://proctor.test';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let idp: Awaited<ReturnType<typeof startOidcProvider>>;
let upstream: EchoUpstream;
let proctor: RunningProctor;
/** A second Proctor (its own chain) on the same database: limits are shared through the counters. */
let second: RunningProctor;
let db: pg.Pool;

beforeAll(async () => {
  postgres = await startPostgres();
  db = new pg.Pool({ connectionString: postgres.superuserUrl, max: 2 });
  // Limit windows are the database's clock: stopped 10 s into a minute, every request of these tests is in one window.
  await installDbClock(db, new Date('2026-01-01T00:00:10Z'), { database: 'proctor' });
  idp = await startOidcProvider();
  // a marker in the prompt makes the stream slow, so a client can abort it midway
  upstream = await startEchoUpstream({
    stream: (r) => (JSON.stringify(r.body).includes('slow-me') ? { delayMs: 40 } : undefined),
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-limits-'));
  const key = generateSigningKey();
  writeFileSync(path.join(dir, 'ledger.pub.pem'), key.publicKeyPem);
  const configFor = (chain: string) =>
    proctorConfig({
      database: { url: { env: 'DATABASE_URL' } },
      ledger: { chain },
      issuers: [oidcIssuerEntry(idp.issuer, AUDIENCE)],
      upstreams: [
        {
          name: 'echo',
          provider: 'openai',
          base_url: upstream.url,
          models: ['*'],
          attributes: { zero_data_retention: true },
        },
      ],
      // stricter than the policy's 60/minute: the strictest applicable limit wins
      sections: { limits: { defaults: [{ scope: 'subject', requests_per_minute: 2 }] } },
      env: { DATABASE_URL: postgres.url },
      signingKeyPem: key.privateKeyPem,
      baseDir: dir,
    });
  proctor = await startProctor(configFor('limits-1'), { log: () => {} });
  second = await startProctor(configFor('limits-2'), { log: () => {} });
}, 120_000);

afterAll(async () => {
  await second?.close();
  await proctor?.close();
  await upstream?.close();
  await idp?.close();
  await db?.end();
  await postgres?.destroy();
});

async function recordOf(requestId: string, type: 'decision' | 'outcome'): Promise<Record<string, unknown>> {
  const { rows } = await db.query('SELECT record FROM audit_records WHERE request_id = $1 AND type = $2', [
    requestId,
    type,
  ]);
  expect(rows).toHaveLength(1);
  return JSON.parse(Buffer.from(rows[0].record as Buffer).toString('utf8')) as Record<string, unknown>;
}

describe('limits through the server', () => {
  it('admits within the limit with headers and cost, then answers 429 with retry-after, recorded', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'carol', groups: [] });
    const openai = new OpenAI({ baseURL: proctor.url, apiKey: token, maxRetries: 0 });
    const ask = () =>
      openai.chat.completions
        .create({ model: 'echo-1', messages: [{ role: 'user', content: 'count me' }], max_tokens: 50 })
        .withResponse();

    const first = await ask();
    const h = first.response.headers;
    expect(h.get('x-ratelimit-limit-requests')).toBe('2');
    expect(h.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(h.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|\d+s|1m0s)$/);
    expect(h.get('x-ratelimit-limit-tokens')).toBe('20000'); // the default policy's tokens_per_minute
    expect(Number(h.get('x-ratelimit-remaining-tokens'))).toBeLessThan(20000);
    const usage = first.data.usage;
    // echo-1 at $1/M in, $2/M out
    const expected = Math.ceil(
      ((usage?.prompt_tokens ?? 0) * 1_000_000 + (usage?.completion_tokens ?? 0) * 2_000_000) / 1_000_000,
    );
    expect(h.get('x-proctor-cost-micro-usd')).toBe(String(expected));

    const id = h.get('x-proctor-request-id') as string;
    const decision = await recordOf(id, 'decision');
    expect(decision).toMatchObject({
      reservation: { requests: 1, completion_tokens: 50, pricing_version: '2026-11-23', price_entry: 'echo/echo-1' },
    });
    expect((decision.policy_input as { usage: unknown }).usage).toEqual({
      tokens_this_minute: 0,
      requests_this_minute: 0,
      spend_micro_usd_today: 0,
      spend_micro_usd_this_month: 0,
    });
    const outcome = await recordOf(id, 'outcome');
    expect(outcome).toMatchObject({
      cost_micro_usd: expected,
      pricing_version: '2026-11-23',
      settlement: { basis: 'usage', requests: 1, recorded: true },
    });

    await ask();
    const before = upstream.received.length;
    const error = await ask().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const limited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(limited.code).toBe('ERR_LIMIT_EXCEEDED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(upstream.received.length).toBe(before);
    const denial = await recordOf(limited.headers.get('x-proctor-request-id') as string, 'decision');
    expect(denial).toMatchObject({
      decision: { allow: false, stage: 'reserve', reasons: [{ code: 'ERR_LIMIT_EXCEEDED' }] },
      route: null,
    });
    expect((denial.decision as { reasons: { message: string }[] }).reasons[0]?.message).toContain(
      'subject requests per minute limit 2',
    );
    expect(await recordsWithoutOutcome()).toBe(0);
    // every request above was counted in the one minute window of the database's (stopped) clock (a counter row of
    // this machine's minute may be there too, empty: the limiter learns the database's clock at its first sync)
    await expect
      .poll(async () =>
        (
          await db.query(
            "SELECT window_start, requests FROM limit_counters WHERE scope_key = $1 AND period = 'minute' AND requests > 0",
            [JSON.stringify(['subject', idp.issuer, 'carol'])],
          )
        ).rows.map((r) => `${(r.window_start as Date).toISOString()} ${r.requests}`),
      )
      .toEqual(['2026-01-01T00:00:00.000Z 2']);

    // proctor usage agrees with the outcome records
    let out = '';
    const code = await runUsage(['--db', postgres.superuserUrl, '--by', 'subject', '--json'], {
      stdout: (s) => (out += s),
      stderr: () => {},
      env: {},
    });
    expect(code).toBe(0);
    const report = JSON.parse(out) as { rows: { key: string; requests: number; cost_micro_usd: number }[] };
    const carol = report.rows.find((r) => r.key === 'carol');
    expect(carol).toMatchObject({ requests: 2, cost_micro_usd: expected * 2 });
    let byModel = '';
    expect(
      await runUsage(['--db', postgres.superuserUrl, '--by', 'model', '--json'], {
        stdout: (s) => (byModel += s),
        stderr: () => {},
        env: {},
      }),
    ).toBe(0);
    expect(JSON.parse(byModel)).toMatchObject({
      by: 'model',
      rows: [{ key: 'echo-1', requests: 2, cost_micro_usd: expected * 2, unpriced: 0 }],
      totals: { requests: 2 },
    });
  });
});

describe('two Proctor instances on one database', () => {
  it('share one limit: the third request is refused whichever instance it reaches', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'erin', groups: [] });
    const viaA = new OpenAI({ baseURL: proctor.url, apiKey: token, maxRetries: 0 });
    const viaB = new OpenAI({ baseURL: second.url, apiKey: token, maxRetries: 0 });
    const ask = (c: OpenAI) =>
      c.chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'shared' }], max_tokens: 20 });
    await ask(viaA);
    await ask(viaB);
    await expect(ask(viaA)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(ask(viaB)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe('streams are billed', () => {
  it('a finished stream by its reported usage, an aborted one by its partial usage, both in the counters', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'dave', groups: [] });
    const openai = new OpenAI({ baseURL: proctor.url, apiKey: token, maxRetries: 0 });
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'echo-1', stream: true, messages: [{ role: 'user', content: 'stream me' }] })
      .withResponse();
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('2');
    for await (const _chunk of stream) {
      /* drain */
    }
    const full = await recordOf(response.headers.get('x-proctor-request-id') as string, 'outcome');
    const usage = full.usage as { prompt_tokens: number; completion_tokens: number; estimated?: true };
    expect(usage.estimated).toBeUndefined();
    expect(full).toMatchObject({
      cost_micro_usd: usage.prompt_tokens + 2 * usage.completion_tokens,
      settlement: { basis: 'usage', tokens: usage.prompt_tokens + usage.completion_tokens },
    });

    // the client goes away mid-stream: its connection is destroyed, as a crashed or impatient client's would be
    const agent = new Agent({ connections: 1 });
    const aborted = await request(`${proctor.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'echo-1',
        stream: true,
        messages: [{ role: 'user', content: `slow-me ${'word '.repeat(60)}` }],
      }),
      dispatcher: agent,
    });
    const abortedId = aborted.headers['x-proctor-request-id'] as string;
    // a few events arrived (the upstream keeps generating, slowly); then the client is gone
    const events = aborted.body[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i += 1) await events.next();
    await agent.destroy();
    const outcome = await expect
      .poll(
        async () =>
          (await db.query("SELECT record FROM audit_records WHERE request_id = $1 AND type = 'outcome'", [abortedId]))
            .rows.length,
      )
      .toBe(1)
      .then(() => recordOf(abortedId, 'outcome'));
    const partial = outcome.usage as { prompt_tokens: number; completion_tokens: number; estimated?: true };
    expect(partial.estimated).toBe(true);
    expect(partial.completion_tokens).toBeGreaterThan(0);
    const decision = await recordOf(abortedId, 'decision');
    const reserved = decision.reservation as { tokens: number; spend_micro_usd: number };
    const cost = partial.prompt_tokens + 2 * partial.completion_tokens;
    expect(outcome).toMatchObject({
      error: 'ERR_CLIENT_DISCONNECTED',
      cost_micro_usd: cost,
      settlement: { basis: 'usage_estimated' },
    });
    expect(cost).toBeLessThan(reserved.spend_micro_usd); // the rest of the reservation was released

    // the counters the next decision sees hold exactly what was billed
    // (written by the replica's next sync, within its flush interval)
    await expect
      .poll(async () =>
        Number(
          (
            await db.query(
              "SELECT spend_micro_usd FROM limit_counters WHERE scope_key = $1 AND period = 'day' ORDER BY window_start DESC LIMIT 1",
              [JSON.stringify(['subject', idp.issuer, 'dave'])],
            )
          ).rows[0]?.spend_micro_usd,
        ),
      )
      .toBe((full.cost_micro_usd as number) + cost);
  });
});

async function recordsWithoutOutcome(): Promise<number> {
  const { rows } =
    await db.query(`SELECT count(*)::int AS n FROM audit_records d WHERE d.type = 'decision' AND d.decision = 'allow'
    AND NOT EXISTS (SELECT 1 FROM audit_records o WHERE o.type = 'outcome' AND o.request_id = d.request_id)`);
  return rows[0].n as number;
}
