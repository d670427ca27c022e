// Round 15 ops (C36): a national id as bare digits in an MCP tools/call name, as round15-ops-odd-places tried in a
// chat tool's name. The name is classified (a flagged name is refused, ERR_MCP_CLASSIFIED_NAME) but nine bare digits
// with no context are not flagged. Through the real stack (startMcpStack: the official SDK client through Proctor to
// server-everything, real OIDC tokens, PostgreSQL ledger, the checked-in policy); the oracle is the signed records the
// call adds to the chain. Guarantee 4: no raw value in the records.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpStack, startMcpStack } from '../helpers/mcp-stack.ts';

let stack: McpStack;
let client: Client;

beforeAll(async () => {
  stack = await startMcpStack();
  client = await stack.connect(await stack.token({ sub: 'r15-mcp-names' }));
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** The records a tools/call of `name` adds to the chain, as JSON lines, and whether the call was refused. */
async function callRecords(name: string): Promise<{ refused: boolean; lines: string[] }> {
  const before = await stack.lastSeq();
  const refused = await client.callTool({ name, arguments: {} }).then(
    () => false,
    () => true,
  );
  const lines = (await stack.recordsAfter(before)).map((r) => JSON.stringify(r.record));
  return { refused, lines };
}

describe('an MCP tool name holding a bare id', () => {
  // HOLE closed in src/mcp/policy-input.ts (mcpRecordedName) and src/mcp/calls.ts: a tools/call name carrying a bare
  // 9-digit id (`t_219099999`) the server does not list was refused (ERR_MCP_TOOL_UNKNOWN) but written raw into the
  // decision record's mcp.name and request.model, because only names the classifier flagged were kept out. Now a name
  // is recorded as sent only when it is a plain identifier (isPlainToolName: at most five digits) or the server lists
  // it; any other is [WITHHELD].
  it.each([
    ['bare', 't_219099999', '219099999'],
    ['split by an underscore', 't_21909_9999', '21909_9999'],
    ['split by dots', 'id.2190.99999', '2190.99999'],
    ['before a word', '219099999_lookup', '219099999'],
  ])('a tool name holding the id %s is not written raw into the records', async (_, name, raw) => {
    const { refused, lines } = await callRecords(name);
    expect(refused).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes(raw))).toBe(false);
    expect(lines.some((line) => line.includes('[WITHHELD]'))).toBe(true);
  });

  it('control: a plain tool name the server does not list is recorded as sent', async () => {
    const { refused, lines } = await callRecords('lookup_order_2024');
    expect(refused).toBe(true);
    expect(lines.some((line) => line.includes('"name":"lookup_order_2024"'))).toBe(true);
  });

  it('control: a tool the server lists is called and recorded as sent', async () => {
    const { refused, lines } = await callRecords('echo');
    expect(refused).toBe(false);
    expect(lines.some((line) => line.includes('"name":"echo"'))).toBe(true);
  });
});
