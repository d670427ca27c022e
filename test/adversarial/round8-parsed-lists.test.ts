// Round 8 of the attacker's review (session 10), an encoded key spread over the items of a parsed JSON list: an MCP
// tools/call's `arguments` and an Anthropic `tool_use` input are parsed JSON values, walked one string or number a
// segment. The answer screen reads an answer's JSON text, so a key as a list of its character codes in a tool_use
// input is withheld (control); on the request side each number is its own segment, and the joins read two or three
// neighbours at a time (16 characters at least for a base64 run), so an encoding whose items are short never meets a
// decoder whole: a list of decimal character codes, of hex bytes, or of base64 quads.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyEngine } from '../../src/policy/index.ts';
import { defaultEngine, harness } from '../helpers/mcp-harness.ts';
import { anthropicAnswer, anthropicToolRequest, chatToolRequest } from './fixtures.ts';
import { AWS, CHAT, forwarded, RULES, screened } from './round7-helpers.ts';

const KEY_BYTES = [...Buffer.from(`aws ${AWS.value}`)];
/** The key's text written as list items: its character codes, its bytes in hex, its base64 in quads. */
const LISTS: readonly (readonly [string, readonly (number | string)[]])[] = [
  ['decimal character codes', KEY_BYTES],
  ['hex bytes', KEY_BYTES.map((b) => b.toString(16))],
  ['base64 quads', Buffer.from(KEY_BYTES).toString('base64').match(/.{4}/g) as string[]],
];

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await defaultEngine();
});

/** The tool names an MCP tools/call with `args` reached the server with (empty when refused). */
async function mcpCalled(args: Record<string, unknown>): Promise<string[]> {
  const h = harness(engine);
  await h.handle(
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'lookup', arguments: args } },
    await h.session(),
  );
  return h.calls.map(String);
}

describe('a key encoded over the items of a parsed JSON list (request side)', () => {
  // HOLE (open, classification/number-lists.ts and segment-join.ts, request side): a parsed value's list items are
  // read one segment each and joined in twos and threes; number-lists.ts reads a list's numbers as card groups only,
  // and a run of short strings never reaches a decoder's minimum (16 base64 or hex characters, 8 codes). The answer
  // screen reads the same list in the answer's JSON text and withholds it. Fix: read each parsed list of numbers or
  // short strings as its JSON text's list (the items joined with `,`, and strings glued) through decode.ts, as
  // number-lists.ts builds its windows.
  it.fails.each(LISTS)('as %s in an MCP tool call’s arguments it is refused', async (_name, items) => {
    expect(await mcpCalled({ data: items })).toEqual([]);
  });
  it.fails.each(LISTS)('as %s in an Anthropic tool_use input it is refused', async (_name, items) => {
    expect(await forwarded('anthropic.messages', anthropicToolRequest({ data: items }))).toBe('');
  });
  it('control: its characters one an item, and the codes as chat arguments (a JSON text), are refused', async () => {
    expect(await mcpCalled({ data: [...AWS.value] })).toEqual([]);
    expect(await forwarded('anthropic.messages', anthropicToolRequest({ data: [...AWS.value] }))).toBe('');
    expect(await forwarded(CHAT, chatToolRequest(JSON.stringify({ data: KEY_BYTES })))).toBe('');
  });
});

describe('a key encoded over the items of a list in an answer’s tool_use input', () => {
  const relayed = (items: readonly (number | string)[]) =>
    screened(
      'anthropic.messages',
      anthropicAnswer([{ type: 'tool_use', id: 'toolu_1', name: 'f', input: { data: items } }]),
      RULES,
    );
  // HOLE (open, providers/answer-json.ts and classification/join-decode.ts, answer side): the answer's JSON text reads
  // `["YXdz","IEFL",…]` and `["61","77",…]` with quotes and commas between the items, no base64 run and no separated
  // hex run (a `"` is no separator); the codes are read there (control), the quads and hex bytes are not. Fix: read a
  // list of short strings glued, and hex strings split by `","` as separated hex.
  it.fails.each(LISTS.slice(1))('as %s it is not relayed', async (_name, items) => {
    expect(await relayed(items)).toBe('null');
  });
  it('control: as decimal character codes it is withheld', async () => {
    expect(await relayed(KEY_BYTES)).toBe('null');
  });
});
