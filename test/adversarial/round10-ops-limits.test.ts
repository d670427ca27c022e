// Round 10 ops, what a subject whose tokens a minute are used up still costs: the limits stage reserves the estimate
// (prompt tokens plus the output cap) at stage 5c, after the body has been parsed and classified (handle-request.ts:
// admission, which runs beside classification, enforces only a configured subject requests_per_minute; the policy's
// tokens a minute are checked at reserve). So every refused request still costs a full classify, on the event loop
// below 64 Ki characters and on a classification thread above. Through the real stack (startAdversarialStack: real
// PostgreSQL, the default policy's 20,000 tokens and 60 requests a minute a subject): one request uses the minute's
// tokens, then the same subject sends large prompts that are refused 429; the decision records say whether each was
// classified (their `classification` block) and the characters classified are counted against the tokens admitted.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { describe, expect, it } from 'vitest';
import { promptBody } from './request-bodies.ts';
import { codeOf, useStack } from './round8-ops-stack.ts';
import { prose } from './round9-ops-loop.ts';

const stackOf = useStack('r10-ops-limits');

interface DecisionLine {
  request_id?: string;
  type?: string;
  classification?: unknown;
  outcome?: unknown;
}

/** The decision record of `requestId` as signed. */
async function decisionOf(requestId: string): Promise<DecisionLine> {
  const lines = (await stackOf().records()).split('\n').map((line) => JSON.parse(line) as DecisionLine);
  const found = lines.find((r) => r.request_id === requestId && r.type === 'decision');
  if (found === undefined) throw new Error(`no decision record for ${requestId}`);
  return found;
}

/** 36,000 characters: ~18,000 prompt tokens, most of the default policy's 20,000 a minute in one request. */
const FILLING = 36_000;
/** Each refused prompt: 1 MiB of prose, past the offload threshold (classified on a thread), far under the body limit. */
const REFUSED_CHARS = 1024 * 1024;
const REFUSED = 4;

/** One subject (a group of its own; the stack keeps a subject for 20 requests): fills its minute, then REFUSED more. */
async function overLimit(group: string) {
  const first = await stackOf().send('chat', promptBody('chat', prose(FILLING)), { groups: [group] });
  const refused = [];
  for (let k = 0; k < REFUSED; k++) {
    const text = `${k} ${prose(REFUSED_CHARS)}`;
    refused.push(await stackOf().send('chat', promptBody('chat', text), { groups: [group] }));
  }
  return { first, refused };
}

describe('a subject over its tokens a minute', () => {
  it('control: the first request is admitted, every later one refused 429 at reserve with nothing forwarded', async () => {
    const { first, refused } = await overLimit('r10-limits-control');
    expect(first.status).toBe(200);
    for (const x of refused) {
      expect([x.status, codeOf(x.body)]).toEqual([429, 'ERR_LIMIT_EXCEEDED']);
      expect(x.upstream).toEqual([]);
    }
  }, 180_000);

  // HOLE (open, src/pipeline/handle-request.ts): a subject whose tokens (or spend) a minute are used up is refused only at reserve, after its body is classified in full: each refused 1 MiB prompt costs a whole classify (measured: 4 MiB classified while refused against ~18,000 tokens admitted); check the leases' remaining tokens against the body's byte bound at admission, before parse and classify.
  it.fails('a subject with no tokens left is refused before its body is classified', async () => {
    const { first, refused } = await overLimit('r10-limits-hole');
    expect(first.status).toBe(200);
    let classifiedChars = 0;
    for (const x of refused) {
      expect([x.status, codeOf(x.body)]).toEqual([429, 'ERR_LIMIT_EXCEEDED']);
      const decision = await decisionOf(x.requestId);
      if (decision.classification !== null && decision.classification !== undefined) classifiedChars += REFUSED_CHARS;
    }
    console.info(
      `refused ${refused.length} x ${REFUSED_CHARS} chars: ${classifiedChars} chars classified while refused`,
    );
    expect(classifiedChars).toBe(0);
  }, 180_000);

  it('control: the chain verifies afterwards', async () => {
    expect(await stackOf().verify()).toEqual({ code: 0, ok: true });
  }, 120_000);
});
