// The column rules verify and export share (src/ledger/verify-columns.ts, src/verify/inspect-record.ts): for any
// sealed decision, the query columns its bytes imply are accepted, NULL is accepted, and any other value of subject,
// decision, policy_version or kid is a mismatch naming exactly that column; columns of altered bytes are not judged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, loadSigner, queryColumns, sealRecord } from '../../../src/ledger/index.ts';
import { inspectRecord } from '../../../src/verify/index.ts';
import type { JsonValue, SealedRecord, UnsignedRecord } from '../../../src/ledger/index.ts';
import type { RecordRow } from '../../../src/verify/index.ts';

const signer = loadSigner(generateSigningKey().privateKeyPem);

const text = fc.string({ minLength: 1, maxLength: 12 });
const decisionBody = fc.record({
  sub: fc.option(text, { nil: undefined }),
  allow: fc.option(fc.boolean(), { nil: undefined }),
  policy: fc.option(fc.record({ revision: text, sha256: fc.stringMatching(/^[0-9a-f]{64}$/) }), { nil: undefined }),
});

async function sealDecision(b: {
  sub?: string;
  allow?: boolean;
  policy?: { revision: string; sha256: string };
}): Promise<SealedRecord> {
  const body: Record<string, JsonValue> = {};
  if (b.sub !== undefined)
    body.principal = { iss: 'https://idp', sub: b.sub, client_id: null, groups: [], tenant: null };
  if (b.allow !== undefined) body.decision = { allow: b.allow, reasons: [], obligations: null };
  if (b.policy !== undefined) body.policy = { ...b.policy };
  const unsigned = {
    v: 1,
    type: 'decision',
    chain: 'c',
    seq: 1,
    ts: '2026-01-01T00:00:00.000Z',
    prev: 'ab'.repeat(32),
    request_id: 'r',
    ...body,
  } as UnsignedRecord;
  return sealRecord(unsigned, signer);
}

function rowOf(sealed: SealedRecord, columns: Partial<RecordRow>): RecordRow {
  const r = sealed.record;
  return {
    seq: r.seq,
    bytes: sealed.bytes,
    hash: r.hash,
    prev: r.prev,
    type: r.type,
    request_id: r.request_id,
    ts: Date.parse(r.ts),
    kid: r.kid,
    ...columns,
  };
}

const indexOf = (row: RecordRow) => inspectRecord(row, 'c', new Map(), false).index;

describe('query columns against the signed bytes', () => {
  it('the derived columns and NULL are accepted; any other value is a mismatch naming that column', async () => {
    await fc.assert(
      fc.asyncProperty(
        decisionBody,
        fc.constantFrom('subject', 'decision', 'policy_version'),
        text,
        async (b, column, other) => {
          const sealed = await sealDecision(b);
          const derived = queryColumns(sealed.record as Record<string, JsonValue>);
          expect(derived).not.toBeNull();
          expect(indexOf(rowOf(sealed, { ...derived }))).toEqual([]);
          expect(indexOf(rowOf(sealed, { subject: null, decision: null, policy_version: null }))).toEqual([]);
          const value = derived?.[column as 'subject'] === other ? `${other}x` : other;
          expect(indexOf(rowOf(sealed, { ...derived, [column]: value }))).toEqual([column]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a kid column naming another key is a mismatch', async () => {
    const sealed = await sealDecision({ sub: 'carol', allow: false });
    expect(indexOf(rowOf(sealed, { kid: `ed25519:${'cd'.repeat(32)}` }))).toEqual(['kid']);
  });

  it('columns beside altered bytes are not judged (the hash mismatch is the finding)', async () => {
    const sealed = await sealDecision({ sub: 'carol', allow: false });
    const altered = {
      ...sealed,
      bytes: new TextEncoder().encode(new TextDecoder().decode(sealed.bytes).replace('"carol"', '"mallo"')),
    };
    const facts = inspectRecord(rowOf(altered, { subject: 'carol', decision: 'deny' }), 'c', new Map(), false);
    expect(facts.claimedHash).not.toBe(facts.hash);
    expect(facts.index).toEqual([]);
  });

  it('records that are not decisions or outcomes carry no query column', async () => {
    const sealed = await sealRecord(
      {
        v: 1,
        type: 'policy_activated',
        chain: 'c',
        seq: 1,
        ts: '2026-01-01T00:00:00.000Z',
        prev: 'ab'.repeat(32),
        request_id: null,
        policy: { revision: 'v1', sha256: 'ab'.repeat(32) },
        source: 'bundles/v1.tar.gz',
        shadow: null,
      } as UnsignedRecord,
      signer,
    );
    expect(indexOf(rowOf(sealed, { policy_version: `v1@sha256:${'ab'.repeat(32)}` }))).toEqual(['policy_version']);
    expect(indexOf(rowOf(sealed, { policy_version: null }))).toEqual([]);
  });
});
