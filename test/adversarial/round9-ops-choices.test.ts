// Round 9 ops, the limits stage's estimate of a request asking for several choices: chat completions takes `n` (1 to
// 16; not with stream), and every choice is generated and billed, so a request with max_tokens capped can still use
// n times that. docs/limits.md ("The overrun bound"): a request uses more than it reserved only when neither the
// request nor the policy caps max_tokens. Through the real stack (startAdversarialStack: real PostgreSQL, the default
// policy's 20,000 tokens a minute a subject), the upstream scripted to bill what a provider bills for n choices that
// each reach max_tokens; the reservation read from the decision record as signed. And a chat request with both of its
// token caps (max_completion_tokens, the current name, and max_tokens, the deprecated one): what is reserved against
// what reaches the upstream, many of whose OpenAI-compatible servers read max_tokens alone.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { describe, expect, it } from 'vitest';
import { promptBody } from './request-bodies.ts';
import { codeOf, useStack } from './round8-ops-stack.ts';

const stackOf = useStack('r9-ops-choices');

/** Each choice reaches max_tokens; the upstream bills them all, as OpenAI does. */
function scriptChoices(id: string): void {
  stackOf().upstream.script(id, (api, body) => {
    const n = typeof body.n === 'number' ? body.n : 1;
    const each = typeof body.max_tokens === 'number' ? body.max_tokens : 256;
    // best_of candidates are generated and billed; n of them are returned.
    const billed = (typeof body.best_of === 'number' ? body.best_of : n) * each;
    const usage = { prompt_tokens: 10, completion_tokens: billed, total_tokens: 10 + billed };
    if (api === 'completions') {
      const choices = Array.from({ length: n }, (_, index) => ({
        text: 'ok',
        index,
        logprobs: null,
        finish_reason: 'length',
      }));
      return { status: 200, json: { id: 'x', object: 'text_completion', created: 0, model: 'm', choices, usage } };
    }
    return {
      status: 200,
      json: {
        id: 'x',
        object: 'chat.completion',
        created: 0,
        model: 'm',
        choices: Array.from({ length: n }, (_, index) => ({
          index,
          message: { role: 'assistant', content: 'ok' },
          finish_reason: 'length',
        })),
        usage,
      },
    };
  });
}

/** The completion tokens the decision record of `requestId` reserved. */
async function reservedCompletion(requestId: string): Promise<number> {
  const lines = (await stackOf().records()).split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const decision = lines.find((r) => r.request_id === requestId && r.type === 'decision') as
    | { reservation?: { completion_tokens?: number } }
    | undefined;
  const reserved = decision?.reservation?.completion_tokens;
  if (typeof reserved !== 'number') throw new Error(`no reservation recorded for ${requestId}`);
  return reserved;
}

/** Sends chat requests one at a time on one subject until one is refused (at most `most`); the answers. */
async function untilRefused(n: number, group: string, most: number) {
  const sent = [];
  for (let k = 0; k < most; k++) {
    const x = await stackOf().send(
      'chat',
      { ...promptBody('chat', `case-choices ${k}`), n, max_tokens: 1000 },
      {
        groups: [group],
      },
    );
    sent.push(x);
    if (x.status !== 200) break;
  }
  return sent;
}

describe('several choices against the tokens a minute', () => {
  it('control: n=1, max_tokens 1,000: 1,000 completion tokens reserved, what one choice is billed', async () => {
    scriptChoices('choices');
    const [x] = await untilRefused(1, 'r9-choices-one', 1);
    expect(x?.status).toBe(200);
    expect(await reservedCompletion(x?.requestId ?? '')).toBe(1000);
  }, 120_000);

  // HOLE (open, src/pipeline/limits-stage.ts reserveFor, with the choice count from src/providers/openai-chat.ts
  // (and best_of from openai-completions.ts)): the completion estimate is max_tokens alone, whatever `n` asks: a request
  // with max_tokens 1,000 and n=16 reserves 1,000 and is billed 16,000, so two such requests, each with max_tokens
  // capped, are admitted one after the other and bill 32,020 tokens against the default 20,000 a minute (the third is
  // 429). Reserving max_tokens × n (× best_of) keeps the documented bound.
  it.fails('n=16, max_tokens 1,000: the reservation covers every choice, and no limit is passed', async () => {
    scriptChoices('choices');
    const sent = await untilRefused(16, 'r9-choices-sixteen', 4);
    const admitted = sent.filter((x) => x.status === 200);
    const refused = sent.filter((x) => x.status !== 200);
    for (const x of refused) expect([x.status, codeOf(x.body)]).toEqual([429, 'ERR_LIMIT_EXCEEDED']);
    console.info(`n=16: ${admitted.length} admitted of ${sent.length}, billed ${admitted.length * 16_010} tokens`);
    expect(admitted.length * 16_010).toBeLessThanOrEqual(20_000);
    for (const x of admitted) expect(await reservedCompletion(x.requestId)).toBeGreaterThanOrEqual(16 * 1000);
  }, 120_000);

  // HOLE (open, src/providers/openai-chat.ts chatUpstreamBody, or its parse: refuse the two caps together): the
  // estimate is max_completion_tokens when both are sent, and only that field is capped upstream (by the policy's
  // max_tokens obligation too: 1,024 in the default bundle, which max_tokens alone gets), so max_tokens 100,000 reaches
  // the upstream beside a reservation of 10; a server that reads max_tokens (the name many OpenAI-compatible servers
  // still read) generates and bills up to 100,000. Capping every token field sent (or refusing both at once) keeps
  // the reservation and the policy's cap the upper bound.
  it.fails('max_completion_tokens 10 beside max_tokens 100,000: no token cap forwarded passes the reservation', async () => {
    const body = { ...promptBody('chat', 'two caps'), max_completion_tokens: 10, max_tokens: 100_000 };
    const x = await stackOf().send('chat', body, { groups: ['r9-choices-caps'] });
    expect(x.status).toBe(200);
    const reserved = await reservedCompletion(x.requestId);
    const forwarded = JSON.parse(x.upstream[0]?.body.toString('utf8') ?? '{}') as Record<string, unknown>;
    const caps = [forwarded.max_completion_tokens, forwarded.max_tokens].filter((v) => typeof v === 'number');
    console.info(`reserved ${reserved}, forwarded caps ${JSON.stringify(caps)}`);
    expect(Math.max(...(caps as number[]))).toBeLessThanOrEqual(reserved);
  }, 120_000);

  it("control: max_tokens 100,000 alone is capped by the policy's obligation, upstream and in the reservation", async () => {
    const body = { ...promptBody('chat', 'one cap'), max_tokens: 100_000 };
    const x = await stackOf().send('chat', body, { groups: ['r9-choices-cap'] });
    expect(x.status).toBe(200);
    const reserved = await reservedCompletion(x.requestId);
    const forwarded = JSON.parse(x.upstream[0]?.body.toString('utf8') ?? '{}') as Record<string, unknown>;
    console.info(`one cap: reserved ${reserved}, forwarded max_tokens ${String(forwarded.max_tokens)}`);
    expect(reserved).toBeLessThan(100_000);
    expect(forwarded.max_tokens).toBe(reserved);
  }, 120_000);

  // HOLE (open, the same reserveFor, with best_of from src/providers/openai-completions.ts): completions with best_of
  // 20 and max_tokens 1,000 reserves 1,000 completion tokens and is billed 20,000 (every candidate is generated): five
  // sent at once on one subject are all admitted on ~1,010 each and bill ~100,000 against the default 20,000 a minute.
  it.fails('completions best_of=20, max_tokens 1,000, five at once: each reservation covers every candidate', async () => {
    scriptChoices('best');
    const body = { ...promptBody('completions', 'case-best'), best_of: 20, max_tokens: 1000 };
    const sent = await Promise.all(
      Array.from({ length: 5 }, () => stackOf().send('completions', body, { groups: ['r9-choices-best'] })),
    );
    const admitted = sent.filter((x) => x.status === 200);
    console.info(`best_of=20: ${admitted.length} admitted of 5 at once, billed ${admitted.length * 20_010} tokens`);
    expect(admitted.length).toBeGreaterThan(0);
    for (const x of admitted) expect(await reservedCompletion(x.requestId)).toBeGreaterThanOrEqual(20 * 1000);
  }, 120_000);

  it('control: the chain verifies afterwards', async () => {
    expect(await stackOf().verify()).toEqual({ code: 0, ok: true });
  }, 120_000);
});
