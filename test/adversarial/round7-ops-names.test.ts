// Round 7 ops, the names a request carries: a key split between the model name, tool names, tool_choice and tool
// calls, which the classifier reads apart (neighbour by neighbour), reaches the upstream or is signed whole into the
// decision record (policy_input.request.tools.names, request.model). Through the real stack (startAdversarialStack).
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptBody } from './request-bodies.ts';
import { startAdversarialStack, type AdversarialStack } from './stack.ts';

let stack: AdversarialStack;
beforeAll(async () => {
  stack = await startAdversarialStack('ops-names');
});
afterAll(async () => {
  await stack?.close();
});

describe('a key split between names the classifier reads apart (model, tool names, tool_choice)', () => {
  /** A GitHub token in two halves, each a valid tool name; whole it is a secret the default policy denies. */
  const GH = ['ghp_16C7e42F292c6912E7710c', '838347Ae178B4a'] as const;
  const tool = (name: string) => ({
    type: 'function',
    function: { name, description: 'looks up', parameters: { type: 'object', properties: {} } },
  });
  const holdsBoth = (text: string) => GH.every((half) => text.includes(half));
  const recordsOf = async (requestId: string) =>
    (await stack.records())
      .split('\n')
      .filter((r) => r.includes(requestId))
      .join('\n');

  it('control: the halves as two tool names are refused (SECRET_DETECTED), not forwarded, not recorded', async () => {
    const x = await stack.send('chat', { ...promptBody('chat', 'hi'), tools: [tool(GH[0]), tool(GH[1])] });
    expect({ status: x.status, forwarded: x.upstream.length }).toEqual({ status: 403, forwarded: 0 });
    expect(x.body).toContain('SECRET_DETECTED');
    expect(holdsBoth(await recordsOf(x.requestId))).toBe(false);
  });

  // HOLE (open, src/pipeline/handle-request.ts + src/classification/segment-join.ts): the model name is segment 0 and
  // is read with its neighbour (the first message), never with the tool names that come after the messages, so
  // `model: "m-ghp_16C7…"` with a tool named `838347Ae178B4a` has no finding; the request is denied for its model
  // (MODEL_NOT_PERMITTED), and its decision record signs both halves (request.model, policy_input.request.tools.names):
  // the whole token in the ledger, its first half in the access log (a policy that permits the model forwards it).
  // Suggested fix: read every name a request carries (model, tool and function names, tool_choice) together, each
  // beside each other, as the answer side reads its labels, before the model enters the record.
  it.fails('chat: the model name and a tool name holding the halves are not both signed into the record', async () => {
    const x = await stack.send('chat', { ...promptBody('chat', 'hi'), model: `m-${GH[0]}`, tools: [tool(GH[1])] });
    expect(x.upstream).toEqual([]);
    expect(holdsBoth(await recordsOf(x.requestId))).toBe(false);
  });

  // HOLE (open, src/classification/segment-join.ts): tool names are joined only with the next one, so one ordinary
  // tool between the halves (`ghp_16C7…`, `lookup`, `838347Ae178B4a`) lets the request through (200): the whole token
  // is in the upstream body and signed into the decision record (policy_input.request.tools.names). Likewise a tool
  // defined with one half and an assistant tool call naming the other (forwarded). Suggested fix: read a request's
  // names together, each beside each other (a few dozen names at most), not only neighbour by neighbour.
  it.fails('chat: tool names with an ordinary one between the halves are neither forwarded nor recorded', async () => {
    const x = await stack.send('chat', {
      ...promptBody('chat', 'hi'),
      tools: [tool(GH[0]), tool('lookup'), tool(GH[1])],
    });
    expect(x.upstream.some((u) => holdsBoth(u.body.toString('utf8')))).toBe(false);
    expect(holdsBoth(await recordsOf(x.requestId))).toBe(false);
  });
  it.fails('chat: a tool defined with one half and a tool call naming the other are not forwarded', async () => {
    const messages = [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: GH[1], arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ];
    const x = await stack.send('chat', { model: 'echo-1', messages, tools: [tool(GH[0])] });
    expect(x.upstream.some((u) => holdsBoth(u.body.toString('utf8')))).toBe(false);
  });

  // HOLE (open, src/providers/openai-chat.ts + src/classification/segment-join.ts): tool_choice's function name is a
  // segment read apart from the tool names, so a tool named with the first half and tool_choice naming the second is
  // forwarded (200), the whole token in the upstream body. Suggested fix: as above (all names read together).
  it.fails('chat: a tool name and tool_choice naming the other half are not forwarded together', async () => {
    const x = await stack.send('chat', {
      ...promptBody('chat', 'hi'),
      tools: [tool(GH[0])],
      tool_choice: { type: 'function', function: { name: GH[1] } },
    });
    expect(x.upstream.some((u) => holdsBoth(u.body.toString('utf8')))).toBe(false);
  });
});

describe('afterwards', () => {
  it('the chain verifies with the public key only', async () => {
    expect(await stack.verify()).toEqual({ code: 0, ok: true });
  });
});
