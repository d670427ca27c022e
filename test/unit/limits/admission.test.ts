// Admission counting (migrations/011): every identified request counts against its subject's request rate, whatever
// becomes of it, so a denied request cannot be repeated for free: denials use up the rate that allowed requests are
// then refused on (429 at reserve), an allowed request counts once (not once at admission and again at reserve), and
// a configured subject default is enforced before the body is parsed or classified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openPglite, type Sql } from '../../../src/db/index.ts';
import { createLimiter, type LimiterOptions, parsePricing, type ScopedLimit } from '../../../src/limits/index.ts';
import { createRequestHandler, type Intake, type PipelineDeps } from '../../../src/pipeline/index.ts';
import type { Decision, Limits } from '../../../src/policy/index.ts';
import type { Ledger } from '../../../src/ledger/index.ts';
import { adapterFor } from '../../../src/providers/index.ts';
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
const limits = (requests: number | null, tokens: number | null = null): Limits => ({
  tokens_per_minute: tokens,
  requests_per_minute: requests,
  spend_micro_usd_per_day: null,
  spend_micro_usd_per_month: null,
});
const allow = (requests: number | null, tokens: number | null = null): Decision => ({
  allow: true,
  reasons: [],
  obligations: {
    upstreams: ['echo'],
    max_tokens: 10,
    redact: [],
    response: { redact: [], block: [] },
    limits: limits(requests, tokens),
  },
});
const deny: Decision = {
  allow: false,
  reasons: [{ code: 'NOPE', message: 'no' }],
  obligations: { upstreams: [], max_tokens: null, redact: [], response: { redact: [], block: [] }, limits: null },
};
let subjects = 0;

function harness(
  o: { defaults?: ScopedLimit[]; intake?: Intake; completionTokens?: number; now?: LimiterOptions['now'] } = {},
) {
  subjects += 1;
  const principal = {
    iss: 'https://idp.test',
    sub: `admit-${subjects}-${Date.now()}`,
    client_id: null,
    groups: [],
    tenant: null,
    token_fingerprint: 'f'.repeat(64),
  };
  const records: Record<string, unknown>[] = [];
  const completion = o.completionTokens ?? 1;
  let decision: Decision = deny;
  let forwarded = 0;
  let classified = 0;
  const ledger = {
    chain: 'test',
    async append(type: string, _id: string | null, body: Record<string, unknown>) {
      if (type === 'decision') records.push(structuredClone(body));
      return { chain: 'test', seq: records.length, hash: `h${records.length}`, bytes: new Uint8Array(), record: {} };
    },
  } as unknown as Ledger;
  const limiter = createLimiter({
    sql,
    pricing,
    defaults: o.defaults ?? [],
    reservationTtlSeconds: 60,
    defaultMaxTokens: 10,
    ...(o.now ? { now: o.now } : {}),
  });
  const deps: PipelineDeps = {
    authenticator: { authenticate: async () => principal },
    classifier: {
      classify: () => {
        classified += 1;
        return { findings: [] };
      },
    },
    policy: { decide: () => ({ decision, version: { revision: 'r', sha256: '0'.repeat(64) }, shadow: null }) },
    ledger,
    forwarder: {
      forward: async () => {
        forwarded += 1;
        return {
          status: 200,
          contentType: 'application/json',
          body: {
            choices: [],
            usage: { prompt_tokens: 1, completion_tokens: completion, total_tokens: 1 + completion },
          },
        };
      },
      openStream: async () => {
        throw new Error('not streamed here');
      },
      close: async () => {},
    },
    upstreams: registryOf([upstreamSettings({ name: 'echo', zeroDataRetention: true })]),
    clock: { now: () => new Date() },
    limits: limiter,
    log: createLogSink().log,
    ...(o.intake ? { intake: o.intake } : {}),
  };
  const handler = createRequestHandler(deps);
  const body = () =>
    new TextEncoder().encode(JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'hello' }] }));
  const run = async (d: Decision) => {
    decision = d;
    const reply = await handler.handle({
      requestId: `r${records.length}`,
      api: 'openai.chat_completions',
      headers: { authorization: 'Bearer t' },
      body: body(),
    });
    return {
      status: reply.status,
      code: (reply.body as { error?: { code?: string } }).error?.code ?? null,
      headers: reply.headers,
    };
  };
  const list = async (d: Decision) => {
    decision = d;
    const reply = await handler.listModels({ requestId: `l${records.length}`, headers: { authorization: 'Bearer t' } });
    return { status: reply.status, code: (reply.body as { error?: { code?: string } }).error?.code ?? null };
  };
  return { run, list, records, limiter, principal, forwarded: () => forwarded, classified: () => classified };
}

/** The decision record of a request refused 429 before it was classified (or decided), its reason `message`. */
const refusedUnclassified = (message: string) => ({
  classification: null,
  policy_input: null,
  decision: { allow: false, stage: 'reserve', reasons: [{ code: 'ERR_LIMIT_EXCEEDED', message }] },
});

describe('admission counting', () => {
  it('counts policy denials against the request rate: allowed requests are then refused with 429', async () => {
    const h = harness();
    for (let i = 0; i < 3; i += 1) expect(await h.run(deny)).toMatchObject({ status: 403, code: 'ERR_POLICY_DENIED' });
    expect(await h.limiter.usage(h.principal)).toMatchObject({ requests_this_minute: 3 });
    const refused = await h.run(allow(3));
    expect(refused).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(refused.headers['retry-after']).toBeDefined();
    expect(h.records[3]).toMatchObject({
      decision: { allow: false, stage: 'reserve', reasons: [{ code: 'ERR_LIMIT_EXCEEDED' }] },
    });
    expect(h.forwarded()).toBe(0);
  });

  it('counts an allowed request once, at admission and through its reservation and settlement', async () => {
    const h = harness();
    expect(await h.run(allow(2))).toMatchObject({ status: 200 });
    expect(await h.run(allow(2))).toMatchObject({ status: 200 });
    expect(await h.limiter.usage(h.principal)).toMatchObject({ requests_this_minute: 2 });
    expect(await h.run(allow(2))).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(h.forwarded()).toBe(2);
    // the policy input's usage is the subject's before the request being decided
    expect(h.records[1]).toMatchObject({ policy_input: { usage: { requests_this_minute: 1 } } });
  });

  it('enforces a configured subject default at admission, before a large body reaches a classification thread', async () => {
    let taken = 0;
    const intake: Intake = {
      takes: () => true,
      run: async () => {
        taken += 1;
        throw new Error('not reached');
      },
    };
    const h = harness({ defaults: [{ scope: 'subject', requests_per_minute: 2 }], intake });
    const small = harness({ defaults: [{ scope: 'subject', requests_per_minute: 2 }] });
    for (let i = 0; i < 2; i += 1) expect(await small.run(deny)).toMatchObject({ status: 403 });
    expect(await small.run(deny)).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    // the refused one is not counted
    expect(await small.limiter.usage(small.principal)).toMatchObject({ requests_this_minute: 2 });
    await h.limiter.admit(h.principal);
    await h.limiter.admit(h.principal);
    expect(await h.run(deny)).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(taken).toBe(0);
  });

  it('refuses a subject whose tokens this minute are used up at admission: counted, nothing parsed or classified', async () => {
    const h = harness({ completionTokens: 29 });
    expect(await h.run(allow(null, 30))).toMatchObject({ status: 200 }); // reserved 21 (11 + 10), billed 1 + 29
    expect(h.limiter.usedUp?.(h.principal)).not.toBeNull();
    const classified = h.classified();
    const refused = await h.run(allow(null, 30));
    expect(refused).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(h.records[1]).toMatchObject(
      refusedUnclassified('subject tokens per minute limit 30 reached (used 30, requested 1)'),
    );
    expect([h.classified(), h.forwarded()]).toEqual([classified, 1]);
    expect(await h.limiter.usage(h.principal)).toMatchObject({ requests_this_minute: 2, tokens_this_minute: 30 });
  });

  // The chat body here (model echo-1, 'hello') takes at least 9 prompt tokens by its bytes (intake-bound.ts: the
  // conservative estimate, ceil(11 / 3) + 4 + 3 = 9 with the model name's bytes); reserve counts 11 and adds 10.
  it('refuses a subject with fewer tokens left than the prompt takes at least before classifying: the edge passes', async () => {
    const edge = harness({ completionTokens: 20 });
    expect(await edge.run(allow(null, 30))).toMatchObject({ status: 200 }); // billed 21 of 30: 9 left
    expect(edge.limiter.tokensLeft?.(edge.principal)).toBe(9);
    const before = edge.classified();
    // 9 at least against 9 left: classified, then refused at reserve (it needs 21)
    expect(await edge.run(allow(null, 30))).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(edge.classified()).toBe(before + 1);
    expect(edge.records[1]).toMatchObject({ classification: { finding_count: 0 }, decision: { stage: 'reserve' } });
    const over = harness({ completionTokens: 21 });
    expect(await over.run(allow(null, 30))).toMatchObject({ status: 200 }); // billed 22 of 30: 8 left
    const once = over.classified();
    const refused = await over.run(allow(null, 30));
    expect(refused).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect([over.classified(), over.forwarded()]).toEqual([once, 1]);
    expect(over.records[1]).toMatchObject({
      ...refusedUnclassified('subject tokens per minute limit 30 reached (used 22, requested 9)'),
      request: { api: 'openai.chat_completions', model: null, message_count: 1 },
    });
    expect(await over.limiter.usage(over.principal)).toMatchObject({ requests_this_minute: 2, tokens_this_minute: 22 });
  });

  it('keeps the limit checked this minute when the lease table forgets the idle counter and reads it again', async () => {
    // the limiter's clock moved 5 s on (a large body still arriving): the syncs return the idle leases and forget the
    // counter with nothing in flight
    let skew = 0;
    const h = harness({ completionTokens: 21, now: () => Date.now() + skew });
    expect(await h.run(allow(null, 30))).toMatchObject({ status: 200 }); // billed 22 of 30: 8 left
    skew = 5000;
    for (let i = 0; i < 3; i += 1) await h.limiter.flush();
    await h.limiter.usage(h.principal); // read again from the database
    expect(h.limiter.tokensLeft?.(h.principal)).toBe(8);
    const once = h.classified();
    expect(await h.run(allow(null, 30))).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(h.classified()).toBe(once);
  });

  it('classifies a body a thread left unclassified when the tokens are there once it returns', async () => {
    // The thread was told fewer tokens left than the prompt takes (the window may have turned meanwhile): nothing
    // refuses it now, so it is classified here, never forwarded unclassified.
    let taken = 0;
    const intake = (classified: boolean): Intake => ({
      takes: () => true,
      run: async (api, body) => {
        taken += 1;
        const request = adapterFor(api).parse(body as Uint8Array);
        if (classified) return { request, promptTokensAtLeast: 9, classification: { findings: [] } };
        return { request, promptTokensAtLeast: 9, unclassified: 'tokens_left' };
      },
    });
    // the harness's classifier also screens the answer: a body the thread classified is the control
    const control = harness({ intake: intake(true) });
    expect(await control.run(allow(null, 30))).toMatchObject({ status: 200 });
    const h = harness({ intake: intake(false) });
    expect(await h.run(allow(null, 30))).toMatchObject({ status: 200 });
    expect([taken, h.classified(), h.forwarded()]).toEqual([2, control.classified() + 1, 1]);
    expect(h.records[0]).toMatchObject({ classification: { finding_count: 0 } });
  });

  it('leaves a subject with tokens left, or under a laxer limit checked this minute, to reserve', async () => {
    const h = harness({ completionTokens: 18 });
    expect(await h.run(allow(null, 30))).toMatchObject({ status: 200 }); // billed 19 of 30
    expect(h.limiter.usedUp?.(h.principal)).toBeNull();
    const classified = h.classified();
    // refused at reserve as before (it needs 21), after classification
    expect(await h.run(allow(null, 30))).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(h.classified()).toBeGreaterThan(classified);
    // 30 used, the laxest limit checked this minute 60: reserve decides, under whatever limit the policy gives
    const lax = harness({ completionTokens: 29 });
    expect(await lax.run(allow(null, 60))).toMatchObject({ status: 200 });
    const once = lax.classified();
    expect(await lax.run(allow(null, 30))).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(lax.classified()).toBeGreaterThan(once);
    expect(lax.limiter.usedUp?.(lax.principal)).toBeNull();
    // a limit laxer than any checked this minute is not known before the policy decides: used up under 30 is refused
    const raised = harness({ completionTokens: 29 });
    expect(await raised.run(allow(null, 30))).toMatchObject({ status: 200 });
    const first = raised.classified();
    expect(await raised.run(allow(null, null))).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(raised.classified()).toBe(first);
  });

  it('counts a listing of the models and refuses it 429 at the requests a minute the decisions name', async () => {
    // one rate for listings and prompts
    const h = harness();
    const answers = [await h.list(allow(2)), await h.run(allow(2)), await h.list(allow(2)), await h.run(allow(2))];
    expect(answers.map((a) => [a.status, a.code])).toEqual([
      [200, null],
      [200, null],
      [429, 'ERR_LIMIT_EXCEEDED'],
      [429, 'ERR_LIMIT_EXCEEDED'],
    ]);
    expect(h.records[2]).toMatchObject({
      request: { api: 'openai.models' },
      decision: { allow: false, stage: 'reserve', reasons: [{ code: 'ERR_LIMIT_EXCEEDED' }] },
    });
    expect(await h.limiter.usage(h.principal)).toMatchObject({ requests_this_minute: 4 });
    const defaults = harness({ defaults: [{ scope: 'subject', requests_per_minute: 1 }] });
    expect(await defaults.list(deny)).toMatchObject({ status: 200 });
    expect(await defaults.list(deny)).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
  });
});
