// The limits stage's estimate for a request the upstream answers with several outputs (chat `n`, completions `best_of`
// per prompt): reserveFor holds the output cap once per output the adapter says the upstream generates and bills,
// with a real limiter on in-memory PGlite and the adapters' own parse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openPglite, type Sql } from '../../../src/db/index.ts';
import { createLimiter, parsePricing, type Limiter } from '../../../src/limits/index.ts';
import { reserveFor } from '../../../src/pipeline/limits-stage.ts';
import type { Decision } from '../../../src/policy/index.ts';
import { adapterFor, type Api } from '../../../src/providers/index.ts';
import { installDbClock } from '../../helpers/db-clock.ts';

let sql: Sql;
let limiter: Limiter;
beforeAll(async () => {
  sql = await openPglite();
  await migrate(sql);
  await installDbClock(sql, new Date('2026-01-01T00:00:10Z'), 'this');
  limiter = createLimiter({
    sql,
    pricing: parsePricing(
      {
        version: 'p1',
        unknown_model: 'deny',
        upstreams: { echo: { 'echo-1': { input: 1_000_000, output: 2_000_000, cached_input: 0 } } },
      },
      'test',
    ),
    defaults: [],
    reservationTtlSeconds: 60,
    defaultMaxTokens: 1000,
  });
}, 60_000);
afterAll(async () => {
  await limiter?.close();
  await sql?.close();
});

let subjects = 0;
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** The completion tokens reserved for `body` on `api`, under a decision capping max_tokens at `cap` (null: none). */
async function reservedCompletion(api: Api, body: Record<string, unknown>, cap: number | null): Promise<number> {
  subjects += 1;
  const principal = {
    iss: 'https://idp.test',
    sub: `outputs-${subjects}`,
    client_id: null,
    groups: [],
    tenant: null,
    token_fingerprint: 'f'.repeat(64),
  };
  const decision = {
    allow: true,
    reasons: [],
    obligations: {
      upstreams: ['echo'],
      max_tokens: cap,
      redact: [],
      response: { redact: [], block: [] },
      limits: {
        tokens_per_minute: null,
        requests_per_minute: null,
        spend_micro_usd_per_day: null,
        spend_micro_usd_per_month: null,
      },
    },
  } as unknown as Decision;
  await limiter.admit(principal);
  const request = adapterFor(api).parse(bytes({ model: 'echo-1', ...body }));
  const reservation = await reserveFor(limiter, principal, request, decision, ['echo']);
  await limiter.settle(reservation, 'released', null, null);
  return reservation.estimate.completion_tokens;
}

const chat = { messages: [{ role: 'user', content: 'hi' }] };

describe('reserveFor: the output cap once per output the upstream bills', () => {
  it('chat: max_tokens × n, the policy cap × n when smaller, the default × n without a cap', async () => {
    expect(await reservedCompletion('openai.chat_completions', { ...chat, max_tokens: 300 }, null)).toBe(300);
    expect(await reservedCompletion('openai.chat_completions', { ...chat, max_tokens: 300, n: 16 }, null)).toBe(4800);
    expect(
      await reservedCompletion('openai.chat_completions', { ...chat, max_completion_tokens: 300, n: 3 }, 100),
    ).toBe(300);
    expect(await reservedCompletion('openai.chat_completions', { ...chat, n: 4 }, null)).toBe(4000);
  });

  it('completions: max_tokens × best_of (or n) × prompts', async () => {
    const completions = (extra: Record<string, unknown>) =>
      reservedCompletion('openai.completions', { prompt: 'hi', max_tokens: 50, ...extra }, null);
    expect(await completions({})).toBe(50);
    expect(await completions({ best_of: 20 })).toBe(1000);
    expect(await completions({ n: 3, best_of: 5 })).toBe(250);
    expect(await completions({ n: 4 })).toBe(200);
    expect(await completions({ prompt: ['a', 'b', 'c'], n: 2, best_of: 4 })).toBe(600);
  });

  it('one output on the APIs without a candidate count; none for embeddings', async () => {
    expect(await reservedCompletion('openai.responses', { input: 'hi', max_output_tokens: 70 }, null)).toBe(70);
    expect(await reservedCompletion('anthropic.messages', { ...chat, max_tokens: 70 }, null)).toBe(70);
    expect(await reservedCompletion('openai.embeddings', { input: ['a', 'b'] }, null)).toBe(0);
  });
});
