// Round 8 ops, the limits stage under a burst on one hot subject: requests sent all at once on one subject, each of
// which alone fits its tokens-a-minute limit but four of which do not, and whose upstream answers bill almost all of
// what was reserved (usage scripted). The leases MUST admit no more than fit, whatever the interleaving. Through the
// real stack (startAdversarialStack: real PostgreSQL, the default policy's 20,000 tokens a minute a subject).
import { describe, expect, it } from 'vitest';
import { chatAnswer } from './fixtures.ts';
import { promptBody } from './request-bodies.ts';
import { codeOf, useStack } from './round8-ops-stack.ts';

const stackOf = useStack('r8-ops-limits');

describe('a burst on one subject against its tokens a minute', () => {
  it('control: 12 requests of ~5,007 tokens reserved each, at once: at most 3 admitted, the rest 429, all recorded', async () => {
    // Billed 5,000 a request (the estimate less 7): four never fit 20,000, whatever was settled first.
    stackOf().upstream.script('hot', () => ({
      status: 200,
      json: {
        ...chatAnswer({}, { content: 'ok' }),
        usage: { prompt_tokens: 4000, completion_tokens: 1000, total_tokens: 5000 },
      },
    }));
    // 12,000 bytes of text: 4,000 tokens by the conservative estimate (echo-1's tokenizer is unknown), + 1,000 out.
    const text = `case-hot ${'word '.repeat(2400)}`.slice(0, 12_000);
    const body = { ...promptBody('chat', text), max_tokens: 1000 };
    const sent = await Promise.all(
      Array.from({ length: 12 }, () => stackOf().send('chat', body, { groups: ['r8-hot'] })),
    );
    const admitted = sent.filter((x) => x.status === 200);
    for (const x of sent) {
      if (x.status !== 200)
        expect({ status: x.status, code: codeOf(x.body) }).toEqual({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    }
    expect(admitted.length).toBeGreaterThan(0);
    expect(admitted.length).toBeLessThanOrEqual(3);
    const records = await stackOf().records();
    for (const x of sent) expect(records).toContain(x.requestId);
  }, 120_000);

  it('control: the chain verifies afterwards', async () => {
    expect(await stackOf().verify()).toEqual({ code: 0, ok: true });
  });
});
