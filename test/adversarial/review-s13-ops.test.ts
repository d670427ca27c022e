// Review s13 (R1), ops: session 13's bounds on what the public GET /v1/checkpoints/<chain>/latest reads (8b7fd9c:
// at most 16 KiB, tree_size not past the chain's records), against a database administrator without the signing key
// (one INSERT; the guards leave INSERT open). Through the real stack (startMcpStack: PostgreSQL ledger, a checkpoint
// a record). Holes are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpStack, startMcpStack } from '../helpers/mcp-stack.ts';

const CHAIN = 'mcp-1';
let stack: McpStack;
let client: Awaited<ReturnType<McpStack['connect']>>;

beforeAll(async () => {
  stack = await startMcpStack();
  client = await stack.connect(await stack.token({ sub: 'r1-s13-latest' }));
  await client.listTools();
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** The chain's latest checkpoint as any witness reads it (no token), and whether Proctor's key signed it. */
async function latest(): Promise<{ status: number; note: string; proctors: boolean }> {
  const response = await fetch(`${stack.base}/v1/checkpoints/${CHAIN}/latest`);
  const note = await response.text();
  // Proctor's notes open with its origin (proctor/ledger/<chain>) and carry a signature line after a blank line.
  return { status: response.status, note, proctors: note.startsWith(`proctor/ledger/${CHAIN}\n`) };
}

/** Proctor's origin line, then made-up size, root and signature lines: no signature of Proctor's key. */
const FORGED = '\u2014 forged';
const PLANTED = 50;

describe('latestCheckpoint (src/ledger/checkpointer.ts, 8b7fd9c): small notes planted ahead of the head', () => {
  it(`control: ${PLANTED} small notes planted at the next sizes are not served while past the head`, async () => {
    // One INSERT: a row of ~200 bytes at each size from one past the head on, a made-up root and signature.
    await stack.db.query(
      'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) ' +
        "SELECT $1, s, $2, $3, 'proctor/ledger/' || $1 || E'\\n' || s || E'\\n' || $4 || E'\\n\\n' || $5 || E'\\n' " +
        'FROM generate_series((SELECT max(seq) + 2 FROM audit_records WHERE chain = $1), ' +
        '(SELECT max(seq) + 1 + $6::bigint FROM audit_records WHERE chain = $1)) AS s',
      [
        CHAIN,
        randomBytes(32),
        randomBytes(32),
        randomBytes(32).toString('base64'),
        `${FORGED} ${randomBytes(68).toString('base64')}`,
        PLANTED,
      ],
    );
    const got = await latest();
    expect(got.status).toBe(200);
    expect(got.note).not.toContain(FORGED);
    expect(got.proctors).toBe(true);
  }, 60_000);

  // "Not past the head" held only until the chain reached the planted size: the next record made it the newest in
  // range, and Proctor's own checkpoint at that size is DO NOTHING (conflict). The writer's chain is now served the note
  // its checkpointer signed, from memory; another chain's only from rows whose note opens under Proctor's key at the
  // row's size and root (src/ledger/checkpoint-notes.ts).
  it("one more record later, the public latest checkpoint is still Proctor's own", async () => {
    await client.listTools();
    const got = await latest();
    expect(got.status).toBe(200);
    expect(got.note).not.toContain(FORGED);
  }, 60_000);

  it("control: proctor verify --db reports the planted checkpoint (its signature is not the chain key's)", async () => {
    const { code, report } = await stack.verify();
    console.info(`verify after the plant: exit ${code}, ${JSON.stringify(report).slice(0, 300)}`);
    expect(code).not.toBe(0);
  }, 120_000);
});
