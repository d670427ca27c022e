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
  // Closed (session 10): a parsed value's list of four or more short items (numbers 0-255, strings of up to 16
  // characters) is read whole, its items apart and, when they hold letters, glued, and decoded as a segment's text is
  // (item-lists.ts; the classifier scans it with the call's decoding budget).
  it.each(LISTS)('as %s in an MCP tool call’s arguments it is refused', async (_name, items) => {
    expect(await mcpCalled({ data: items })).toEqual([]);
  });
  it.each(LISTS)('as %s in an Anthropic tool_use input it is refused', async (_name, items) => {
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
  // Closed (session 10): an answer's array of four or more short strings is read glued and apart, each a read-only
  // segment (answer-json.ts stringListTexts), as an array of integers is read as its list and its bytes.
  it.each(LISTS.slice(1))('as %s it is not relayed', async (_name, items) => {
    expect(await relayed(items)).toBe('null');
  });
  it('control: as decimal character codes it is withheld', async () => {
    expect(await relayed(KEY_BYTES)).toBe('null');
  });
});
