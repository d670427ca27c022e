// Round 11 ops, the public GET /v1/checkpoints/<chain>/latest (what witnesses poll; no token) against a database
// administrator without the signing key: latestCheckpoint (src/ledger/checkpointer.ts) answers with the note of the row
// with the largest tree_size, whole, whoever wrote it. 5af3d0e bounds a note at 16 KiB where proctor verify reads it,
// not here. One INSERT (the guards leave INSERT open) of a row past the head with an 8 MiB note, and every
// unauthenticated GET makes Proctor read 8 MiB from its database and send it, in place of its own signed checkpoint.
// Through the real stack (startMcpStack: real PostgreSQL ledger with a checkpoint a record); counted in bytes.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NOTE_BYTES } from '../../src/ledger/index.ts';
import { type McpStack, startMcpStack } from '../helpers/mcp-stack.ts';

const CHAIN = 'mcp-1';
const PLANTED = 8 * 2 ** 20;
const GETS = 4;
let stack: McpStack;

beforeAll(async () => {
  stack = await startMcpStack();
  // One listing: the chain has records and Proctor's own checkpoints (every_records 1).
  const client = await stack.connect(await stack.token({ sub: 'r11-latest' }));
  await client.listTools();
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** GETs the chain's latest checkpoint `times` times without a token: statuses and body bytes in all. */
async function latest(times: number): Promise<{ statuses: number[]; bytes: number; signedByProctor: boolean }> {
  const statuses: number[] = [];
  let bytes = 0;
  let signedByProctor = true;
  for (let k = 0; k < times; k++) {
    const response = await fetch(`${stack.base}/v1/checkpoints/${CHAIN}/latest`);
    const body = await response.text();
    statuses.push(response.status);
    bytes += Buffer.byteLength(body);
    // Proctor's notes open with its origin (proctor/ledger/<chain>) and carry one signature line after a blank line.
    if (!body.startsWith(`proctor/ledger/${CHAIN}\n`) || !body.includes('\n\n\u2014 ')) signedByProctor = false;
  }
  return { statuses, bytes, signedByProctor };
}

describe('the public latest checkpoint after an INSERT into audit_checkpoints', () => {
  it(`control: GETs without a token get Proctor's own signed note, each under ${MAX_NOTE_BYTES} bytes`, async () => {
    const { statuses, bytes, signedByProctor } = await latest(GETS);
    expect(statuses).toEqual(Array(GETS).fill(200));
    expect(signedByProctor).toBe(true);
    expect(bytes).toBeLessThanOrEqual(GETS * MAX_NOTE_BYTES);
  }, 60_000);

  // latestCheckpoint selects only a note of at most MAX_NOTE_BYTES whose size is not past the chain's head
  // (src/ledger/checkpointer.ts): it sent the planted 8 MiB note whole at each GET before.
  it(`a ${PLANTED / 2 ** 20} MiB note planted past the head: each GET still sends Proctor's own`, async () => {
    await stack.db.query(
      'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, $2, $3, $4, $5)',
      [CHAIN, 2 ** 40, randomBytes(32), randomBytes(32), `${'x'.repeat(PLANTED - 1)}\n`],
    );
    const { statuses, bytes, signedByProctor } = await latest(GETS);
    console.info(`planted: ${GETS} unauthenticated GETs, statuses ${statuses.join(',')}, ${bytes} bytes sent`);
    expect(signedByProctor).toBe(true);
    expect(bytes).toBeLessThanOrEqual(GETS * MAX_NOTE_BYTES);
  }, 60_000);
});
