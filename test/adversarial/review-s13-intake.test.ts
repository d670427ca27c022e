// Review s13 (R1), intake: 946f520 refuses a subject with fewer tokens left this minute than its parsed prompt takes at
// least, before classification. Checked here on every LLM API and with multibyte text (controls: what held): the
// request is refused 429 ERR_LIMIT_EXCEEDED, nothing reaches the upstream, it is not classified, and it still leaves
// its signed decision record. Through the real stack (startAdversarialStack via useStack: PostgreSQL, the default
// policy's 20,000 tokens a minute a subject).
import { describe, expect, it } from 'vitest';
import { promptBody } from './request-bodies.ts';
import { codeOf, useStack } from './round8-ops-stack.ts';
import { prose } from './round9-ops-loop.ts';
import type { ApiName } from './stack.ts';

const stackOf = useStack('r1-s13-intake');

interface DecisionLine {
  request_id?: string;
  type?: string;
  classification?: unknown;
}

async function decisionOf(requestId: string): Promise<DecisionLine | undefined> {
  const lines = (await stackOf().records()).split('\n').map((line) => JSON.parse(line) as DecisionLine);
  return lines.find((r) => r.request_id === requestId && r.type === 'decision');
}

/** 36,000 characters: the echo upstream bills 18,002 tokens, leaving 1,998 of the 20,000 (round10-ops-limits). */
const NEARLY = 36_000;

/** A subject of its own (a group) left with 1,998 tokens, then `text` on `api`: status, code, upstream, record. */
async function refusedAfterNearly(group: string, api: ApiName, text: string) {
  const first = await stackOf().send('chat', promptBody('chat', prose(NEARLY)), { groups: [group] });
  expect(first.status).toBe(200);
  const x = await stackOf().send(api, promptBody(api, text), { groups: [group] });
  const decision = await decisionOf(x.requestId);
  return {
    refused: [x.status, codeOf(x.body)],
    forwarded: x.upstream.length,
    recorded: decision !== undefined,
    classified: decision?.classification !== null && decision?.classification !== undefined,
  };
}

const HELD = { refused: [429, 'ERR_LIMIT_EXCEEDED'], forwarded: 0, recorded: true, classified: false };

describe('946f520: refused before classification, recorded, on every API', () => {
  it.each(['chat', 'completions', 'embeddings', 'responses', 'messages'] as const)(
    'control: 200,000 characters on %s with 1,998 tokens left',
    async (api) => {
      expect(await refusedAfterNearly(`r1-intake-${api}`, api, prose(200_000))).toEqual(HELD);
    },
    120_000,
  );

  it('control: 100,000 CJK characters (300,000 UTF-8 bytes) on chat with 1,998 tokens left', async () => {
    expect(await refusedAfterNearly('r1-intake-cjk', 'chat', '\u4e2d\u6587'.repeat(50_000))).toEqual(HELD);
  }, 120_000);
});
