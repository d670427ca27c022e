// Round 10 ops, what one MCP listing costs the upstream server: docs/mcp.md (Limits) says listings do not count
// against any limit; tools/list is read from the server at most once a listTtlMs (30 s, src/mcp/upstream.ts tools()),
// but resources/list and prompts/list are read anew, every page of them (up to 20), on every call. Through the real
// stack (startMcpStack: the official SDK client through Proctor to server-everything; real OIDC tokens, PostgreSQL
// ledger and limit leases, the checked-in policy): one subject lists 30 times; the oracle is the requests the upstream
// received, counted by method, and the signed records.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpStack, type McpStack } from '../helpers/mcp-stack.ts';

let stack: McpStack;
const CALLS = 30;

beforeAll(async () => {
  // The database's clock stopped 10 s into a minute: every call here is in one limits window.
  stack = await startMcpStack({ dbClock: new Date('2026-01-01T00:00:10Z') });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** Requests the upstream received whose JSON-RPC method is `method`. */
const seen = (method: string) => stack.upstreamSeen.filter((s) => s.body.includes(`"method":"${method}"`)).length;

describe('MCP listings against the upstream server', () => {
  it(`control: ${CALLS} tools/list calls from one subject reach the upstream once (cached for listTtlMs)`, async () => {
    const client = await stack.connect(await stack.token({ sub: 'r10-lister-tools' }));
    const before = seen('tools/list');
    for (let k = 0; k < CALLS; k++) await client.listTools();
    const reached = seen('tools/list') - before;
    console.info(`tools/list: ${CALLS} calls, ${reached} upstream requests`);
    expect(reached).toBeLessThanOrEqual(1);
  }, 120_000);

  // resources/list and prompts/list are cached for listTtlMs as tools/list is (src/mcp/upstream.ts): 30 calls made 30
  // upstream resources/list requests with Proctor's credential here before.
  it(`${CALLS} resources/list calls from one subject reach the upstream no more than tools/list does`, async () => {
    const client = await stack.connect(await stack.token({ sub: 'r10-lister-resources' }));
    const before = { seen: seen('resources/list'), seq: await stack.lastSeq() };
    let refused = 0;
    for (let k = 0; k < CALLS; k++) {
      try {
        await client.listResources();
      } catch {
        refused += 1;
      }
    }
    const reached = seen('resources/list') - before.seen;
    const records = (await stack.recordsAfter(before.seq)).length;
    console.info(
      `resources/list: ${CALLS} calls, ${refused} refused, ${reached} upstream requests, ${records} records`,
    );
    expect(reached).toBeLessThanOrEqual(1);
  }, 120_000);
});
