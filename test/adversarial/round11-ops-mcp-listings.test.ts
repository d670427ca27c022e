// Round 11 ops, what concurrent MCP listings cost the upstream server: docs/limits.md (MCP calls) says each kind of
// listing reaches the MCP server at most once every 30 s a replica, whoever asks, and docs/mcp.md that a listing is
// answered from that read meanwhile (src/mcp/upstream.ts tools()/list(): one cached read per kind, 05c0d3e). Listings
// were checked against no server limit (now they are: 13371fb). Through the real stack (startMcpStack: the official SDK client through Proctor to
// server-everything; real OIDC tokens, PostgreSQL ledger, the checked-in policy): many subjects list at once while
// the kind is not cached yet; the oracle is the requests the upstream received, counted by JSON-RPC method. No timing:
// the upstream's prompts/list requests are held (the stack's `hold`) until every caller's listing decision is in the
// chain (each is appended before the server is read), then let go. Then one
// caller over its request limit on the server (mcp.servers[].limits per caller, 3 a minute) lists on: the oracle is the
// signed records its listings add to the chain.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpStack, startMcpStack } from '../helpers/mcp-stack.ts';

let stack: McpStack;
const CALLERS = 12;
/** A caller's requests a minute on the server (mcp_server_subject). */
const PER_CALLER = 3;
const LISTINGS = 40;
let clients: Client[] = [];
/** Where the upstream's prompts/list requests wait; let go by the test. */
let gate: Promise<void> = Promise.resolve();

beforeAll(async () => {
  // The database's clock stopped 10 s into a minute: every call here is in one limits window.
  stack = await startMcpStack({
    dbClock: new Date('2026-01-01T00:00:10Z'),
    serverLimits: [{ per: 'caller', requests_per_minute: PER_CALLER }],
    hold: (body) => (body.includes('"method":"prompts/list"') ? gate : Promise.resolve()),
  });
  for (let k = 0; k < CALLERS; k++) clients.push(await stack.connect(await stack.token({ sub: `r11-lister-${k}` })));
}, 120_000);

afterAll(async () => {
  clients = [];
  await stack?.close();
});

/** Requests the upstream received whose JSON-RPC method is `method`. */
const seen = (method: string) => stack.upstreamSeen.filter((s) => s.body.includes(`"method":"${method}"`)).length;

/** Every client lists at once, the upstream's reads held until every listing's decision is recorded: how many listings
 * succeeded and how many upstream requests of `method` they made. */
async function listAtOnce(method: string, list: (client: Client) => Promise<unknown>) {
  let release = () => {};
  gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const before = { seen: seen(method), seq: await stack.lastSeq() };
  const listing = Promise.allSettled(clients.map(list));
  // Each turn is one database read; the outcomes come after the server's answer, so these are the decisions.
  while ((await stack.recordsAfter(before.seq)).length < CALLERS);
  release();
  const answers = await listing;
  const served = answers.filter((a) => a.status === 'fulfilled').length;
  const reached = seen(method) - before.seen;
  console.info(`${method}: ${CALLERS} callers at once, ${served} served, ${reached} upstream requests`);
  return { served, reached };
}

describe('concurrent MCP listings against the upstream server', () => {
  it(`control: ${CALLERS} resources/list calls in turn, once cached, reach the upstream no more`, async () => {
    await clients[0]?.listResources(); // fills the cache
    const before = seen('resources/list');
    for (const client of clients) await client.listResources();
    expect(seen('resources/list') - before).toBe(0);
  }, 120_000);

  // Closed (src/mcp/upstream.ts): a cache miss is shared: callers that arrive while a kind's read is in flight wait
  // for that read (single flight; a failed read is not kept).
  it(`${CALLERS} prompts/list calls at once, none cached, reach the upstream once`, async () => {
    const { served, reached } = await listAtOnce('prompts/list', (client) => client.listPrompts());
    expect(served).toBe(CALLERS);
    expect(reached).toBeLessThanOrEqual(1);
  }, 120_000);
});

describe('listings from a caller over its request limit', () => {
  /** A caller that made PER_CALLER calls; the next is refused (-32029, ERR_LIMIT_EXCEEDED). */
  async function overItsLimit(sub: string): Promise<{ client: Client; code: unknown }> {
    const client = await stack.connect(await stack.token({ sub }));
    const echo = { name: 'echo', arguments: { message: 'hello' } };
    for (let k = 0; k < PER_CALLER; k++) await client.callTool(echo);
    const refused = await client.callTool(echo).then(
      () => null,
      (e: unknown) => e,
    );
    return { client, code: refused instanceof McpError ? (refused.data as { code?: unknown }).code : refused };
  }

  it(`control: a caller's call past ${PER_CALLER} a minute on the server is refused`, async () => {
    expect((await overItsLimit('r11-over-control')).code).toBe('ERR_LIMIT_EXCEEDED');
  }, 120_000);

  // HOLE closed in src/mcp/calls.ts and src/mcp/proxy.ts (C34): listings were checked against the decision's limits
  // only (no server counter), yet each was decided and signed into the chain: a caller refused for its rate on the
  // server wrote records without bound. A listing is now checked on the server's counters too (a hold released at
  // once, as GET /v1/models is checked), refused -32029 ERR_LIMIT_EXCEEDED, and its refusals are recorded up to the
  // limit's value a minute (limits.ts listingRefusals), the rest answered alike and counted, not recorded.
  it.each([
    ['tools/list', (client: Client) => client.listTools()],
    ['resources/list', (client: Client) => client.listResources()],
    ['prompts/list', (client: Client) => client.listPrompts()],
    ['every kind in turn', (client: Client, k: number) => (k % 2 === 0 ? client.listTools() : client.listPrompts())],
  ] as const)(
    `${LISTINGS} listings (%s) from a caller over its limit add no more records than its limit allows`,
    async (kind, list) => {
      const { client, code } = await overItsLimit(`r11-over-lister-${kind}`);
      expect(code).toBe('ERR_LIMIT_EXCEEDED');
      const before = await stack.lastSeq();
      let served = 0;
      const codes = new Set<unknown>();
      for (let k = 0; k < LISTINGS; k++) {
        const listed = await (list(client, k) as Promise<unknown>).then(
          () => true,
          (e: unknown) => {
            codes.add(e instanceof McpError ? (e.data as { code?: unknown }).code : e);
            return false;
          },
        );
        if (listed) served += 1;
      }
      const records = (await stack.recordsAfter(before)).length;
      console.info(`over its limit: ${LISTINGS} ${kind}, ${served} served, ${records} records added`);
      expect(served).toBe(0);
      expect([...codes]).toEqual(['ERR_LIMIT_EXCEEDED']);
      expect(records).toBeLessThanOrEqual(2 * PER_CALLER);
    },
    120_000,
  );

  it('control: a caller under its limit lists, each listing recorded (a decision and an outcome)', async () => {
    const client = await stack.connect(await stack.token({ sub: 'r11-under-lister' }));
    const before = await stack.lastSeq();
    for (let k = 0; k < PER_CALLER + 2; k++) await client.listTools();
    expect((await stack.recordsAfter(before)).length).toBe(2 * (PER_CALLER + 2));
  }, 120_000);
});
