// Round 8 ops, the ledger's group commit: a request whose own data the record writer must refuse (a NUL, a lone
// surrogate: PostgreSQL and the canonical writer take neither) sent among ordinary requests, all at once, so that its
// record would share their batch. No other request's record may fail with it, and the chain verifies. Through the
// real stack (startAdversarialStack: real PostgreSQL).
import { describe, expect, it } from 'vitest';
import { promptBody } from './request-bodies.ts';
import { codeOf, useStack } from './round8-ops-stack.ts';

const stackOf = useStack('r8-ops-ledger');

/** JSON texts (escapes as a client writes them) that put a NUL or a lone surrogate where a record takes text. */
const HOSTILE: Record<string, string> = {
  'a NUL in the model name': '{"model":"echo\\u0000-1","messages":[{"role":"user","content":"hi"}]}',
  'a lone surrogate in the model name': '{"model":"echo-\\ud800","messages":[{"role":"user","content":"hi"}]}',
  'a NUL in a tool name': JSON.stringify({
    ...promptBody('chat', 'hi'),
    tools: [{ type: 'function', function: { name: 'f\u0000g', parameters: { type: 'object' } } }],
  }),
  'a lone surrogate in a message name':
    '{"model":"echo-1","messages":[{"role":"user","content":"hi","name":"a\\udc00"}]}',
  'a NUL in a tool call id': JSON.stringify({
    model: 'echo-1',
    messages: [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c\u00001', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c\u00001', content: 'ok' },
    ],
  }),
};

describe('one bad body among a group commit', () => {
  for (const [name, body] of Object.entries(HOSTILE)) {
    it(`control: ${name}, sent with 12 ordinary requests at once: each answered and recorded`, async () => {
      const sent = await Promise.all([
        stackOf().send('chat', body),
        ...Array.from({ length: 12 }, () => stackOf().send('chat', promptBody('chat', 'hello'))),
      ]);
      const [bad, ...good] = sent;
      for (const x of good) expect({ status: x.status, code: codeOf(x.body) }).toEqual({ status: 200, code: null });
      // Refused by the adapter (400) or forwarded (200), never the ledger's 503.
      expect([200, 400]).toContain(bad?.status);
      const records = await stackOf().records();
      for (const x of sent) expect(records).toContain(x.requestId);
    }, 60_000);
  }
  it('control: the chain verifies afterwards', async () => {
    expect(await stackOf().verify()).toEqual({ code: 0, ok: true });
  });
});
