// The MCP proxy end to end with real parts: the official SDK client through Proctor (real OIDC tokens, PostgreSQL
// ledger, the checked-in OPA bundle) to @modelcontextprotocol/server-everything over Streamable HTTP; answers as JSON
// and as SSE (progress relayed). The ledger's own verifier is the oracle for the records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpStack, type McpStack } from '../helpers/mcp-stack.ts';

let stack: McpStack;

beforeAll(async () => {
  stack = await startMcpStack();
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

type Content = { type: string; text?: string }[];

describe('MCP through Proctor with the official SDK', () => {
  it('lists only the tools the caller may call: write tools for writer groups only', async () => {
    const reader = await stack.connect(await stack.token({ groups: ['eng'] }));
    const writer = await stack.connect(await stack.token({ sub: 'wendy', groups: ['mcp-writers'] }));
    const read = (await reader.listTools()).tools.map((t) => t.name);
    const all = (await writer.listTools()).tools.map((t) => t.name);
    expect(read).toContain('echo');
    expect(read).not.toContain('toggle-simulated-logging'); // readOnlyHint false upstream
    expect(all).toContain('toggle-simulated-logging');
    expect(all.length).toBeGreaterThan(read.length);
    for (const tool of (await reader.listTools()).tools) expect(tool.annotations?.readOnlyHint).toBe(true);
  });

  it('calls a tool (JSON answer) and records a decision and an outcome in the chain', async () => {
    const client = await stack.connect(await stack.token());
    const before = await stack.lastSeq();
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hello through proctor' } });
    expect((result.content as Content)[0]?.text).toBe('Echo: hello through proctor');
    const written = (await stack.recordsAfter(before)).map((r) => r.record);
    const decision = written.find((r) => r['type'] === 'decision');
    const outcome = written.find((r) => r['type'] === 'outcome');
    expect(decision).toMatchObject({
      request: { api: 'mcp.tools_call', model: 'everything/echo', stream: false },
      mcp: { server: 'everything', method: 'tools/call', name: 'echo' },
      decision: { allow: true, stage: 'decide' },
      route: { upstream: 'everything' },
      policy_input: { mcp: { server: 'everything', annotations: { read_only: true } } },
    });
    expect(outcome).toMatchObject({ decision_hash: decision?.['hash'], status: 200, error: null });
    // No argument text in any record.
    expect(JSON.stringify(written)).not.toContain('hello through proctor');
  });

  it('redacts the configured types in a result (a card number a PCI caller may send comes back as a placeholder)', async () => {
    const client = await stack.connect(await stack.token({ sub: 'pat', groups: ['pci-processors'] }));
    const before = await stack.lastSeq();
    const result = await client.callTool({ name: 'echo', arguments: { message: 'card 4111 1111 1111 1111' } });
    const text = (result.content as Content)[0]?.text ?? '';
    expect(text).not.toContain('4111');
    expect(text).toContain('CREDIT_CARD');
    const outcome = (await stack.recordsAfter(before)).map((r) => r.record).find((r) => r['type'] === 'outcome');
    expect(outcome).toMatchObject({
      response_action: 'redacted',
      response_classification: { types: { CREDIT_CARD: 1 } },
    });
  });

  it('streams a long-running tool as SSE, relaying its progress', async () => {
    const client = await stack.connect(await stack.token());
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
      undefined,
      {
        onprogress: (p) => progress.push(p.progress),
      },
    );
    expect(progress).toEqual([1, 2, 3]);
    expect(JSON.stringify(result.content)).toContain('completed');
    const requestIds = await stack.db.query(
      "SELECT record FROM audit_records WHERE type = 'decision' ORDER BY seq DESC LIMIT 1",
    );
    const decision = JSON.parse(Buffer.from(requestIds.rows[0].record).toString('utf8'));
    expect(decision.request).toMatchObject({ api: 'mcp.tools_call', stream: true });
  });

  it('reads a resource and gets a prompt through the same stages', async () => {
    const client = await stack.connect(await stack.token());
    const resources = await client.listResources();
    const first = resources.resources[0];
    expect(first).toBeDefined();
    const read = await client.readResource({ uri: (first as { uri: string }).uri });
    expect(read.contents.length).toBeGreaterThan(0);
    const prompts = await client.listPrompts();
    expect(prompts.prompts.map((p) => p.name)).toContain('simple-prompt');
    const prompt = await client.getPrompt({ name: 'simple-prompt' });
    expect(prompt.messages.length).toBeGreaterThan(0);
  });

  it('exports its tool calls as evidence that verifies, replays every decision, and reports them beside model calls', async () => {
    const { exported, verified, replayed, replay, report } = await stack.evidence();
    expect([exported, verified, replayed]).toEqual([0, 0, 0]);
    expect(replay.mismatches).toEqual([]);
    expect(replay.replayed).toBeGreaterThan(5);
    expect(replay.reproduced).toBe(replay.replayed);
    expect(report).toContain('everything/echo (MCP tools_call)');
  });

  it('leaves a ledger that verifies', async () => {
    const { code, report } = await stack.verify();
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
  });
});
