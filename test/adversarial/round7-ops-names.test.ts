// Round 7 ops, the names a request carries: a key split between the model name, tool names, tool_choice and tool
// calls, which the classifier reads apart (neighbour by neighbour), reaches the upstream or is signed whole into the
// decision record (policy_input.request.tools.names, request.model). Through the real stack (startAdversarialStack).
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
// All four closed by src/classification/name-pairs.ts: a request's names are one set, each two read joined.
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

  // HOLE (closed, src/classification/name-pairs.ts): the model name was read with its neighbour (the first message)
  // only, never with the tool names after the messages, so `model: "m-ghp_16C7…"` with a tool named `838347Ae178B4a`
  // had no finding and the record signed both halves (request.model, policy_input.request.tools.names; the model half
  // in the access log). Now every name a request carries (model, tool and function names, tool calls, tool_choice) is
  // read joined with every other: the model holds a piece, so the request is refused (ERR_REQUEST_INVALID) before the
  // model or a policy input enters the record (request.model null, no tools.names; the access log's model is null).
  it('chat: the model name and a tool name holding the halves are not both signed into the record', async () => {
    const x = await stack.send('chat', { ...promptBody('chat', 'hi'), model: `m-${GH[0]}`, tools: [tool(GH[1])] });
    expect(x.upstream).toEqual([]);
    // Neither half in the record, nor the model's half in the logs (the access line's model is the record's: null).
    const records = await recordsOf(x.requestId);
    expect(GH.some((half) => records.includes(half))).toBe(false);
    expect(stack.logText().includes(GH[0])).toBe(false);
  });

  // HOLE (closed, src/classification/name-pairs.ts): tool names were joined only with the next one, so one ordinary
  // tool between the halves (`ghp_16C7…`, `lookup`, `838347Ae178B4a`) was forwarded (200) and signed whole into the
  // record (policy_input.request.tools.names); likewise a tool defined with one half and an assistant tool call naming
  // the other. Now each two names are read joined (pairs holding a name that can be a value's piece): refused, and a
  // touched tool name is withheld from the policy input.
  it('chat: tool names with an ordinary one between the halves are neither forwarded nor recorded', async () => {
    const x = await stack.send('chat', {
      ...promptBody('chat', 'hi'),
      tools: [tool(GH[0]), tool('lookup'), tool(GH[1])],
    });
    expect(x.upstream.some((u) => holdsBoth(u.body.toString('utf8')))).toBe(false);
    expect(holdsBoth(await recordsOf(x.requestId))).toBe(false);
  });
  it('chat: a tool defined with one half and a tool call naming the other are not forwarded', async () => {
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

  // HOLE (closed, src/classification/name-pairs.ts): tool_choice's function name was read apart from the tool names,
  // so a tool named with the first half and tool_choice naming the second was forwarded (200). Now tool_choice's name
  // is one of the request's names, read joined with each tool name: refused.
  it('chat: a tool name and tool_choice naming the other half are not forwarded together', async () => {
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
