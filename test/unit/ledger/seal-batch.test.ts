// The batch writer's fast path (envelope members built directly, merged with the body's, seal merged in) MUST give
// exactly the bytes sealRecord gives for the same record: property-tested over request ids (including escapes and
// non-ASCII), bodies, seqs and timestamps, with a key rotation in the middle of a batch taking the slow path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalMembers } from '../../../src/ledger/canonical.ts';
import type { JsonValue } from '../../../src/ledger/canonical.ts';
import { sealBatch } from '../../../src/ledger/chain-writer.ts';
import { mergeMembers, withSeal } from '../../../src/ledger/record-text.ts';
import type { PendingRecord } from '../../../src/ledger/chain-writer.ts';
import type { Member } from '../../../src/ledger/record-text.ts';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import { PartitionMonths } from '../../../src/ledger/partitions.ts';
import { sealRecord } from '../../../src/ledger/record.ts';

const signer = loadSigner(generateSigningKey().privateKeyPem);
const decoder = new TextDecoder();

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
// Body keys outside the schema's named fields (unknown body fields are allowed; named ones are typed).
const body = fc.dictionary(
  fc.string({ maxLength: 8 }).map((k) => `x_${k}`),
  fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 3 })),
  { maxKeys: 6 },
);

describe('sealBatch fast path', () => {
  it('gives the bytes sealRecord gives for the same record', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            requestId: fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), { nil: null }),
            body,
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 4e12 }),
        async (records, startSeq, startMs) => {
          let t = startMs;
          const clock = { now: () => new Date((t += 7)) };
          const items: PendingRecord[] = records.map((r) => ({
            type: 'decision',
            requestId: r.requestId,
            body: r.body as Record<string, JsonValue>,
            members: canonicalMembers(r.body),
            index: {},
          }));
          const base = { seq: startSeq, hash: new Uint8Array(32).fill(startSeq % 251) };
          const batch = await sealBatch(
            { chain: 'c-1.x:y', signer, clock, partitions: new PartitionMonths() },
            base,
            items,
          );
          let prev: string = Buffer.from(base.hash).toString('hex');
          for (const [i, result] of batch.results.entries()) {
            if (!result.ok) throw result.error;
            const record = JSON.parse(decoder.decode(result.value.bytes)) as Record<string, JsonValue>;
            const { hash: _h, kid: _k, sig: _s, ...unsigned } = record;
            expect(unsigned).toMatchObject({
              v: 1,
              type: 'decision',
              chain: 'c-1.x:y',
              seq: startSeq + i + 1,
              prev,
              request_id: records[i]?.requestId ?? null,
            });
            const reference = await sealRecord(unsigned as Parameters<typeof sealRecord>[0], signer);
            expect(Buffer.from(result.value.bytes).equals(Buffer.from(reference.bytes))).toBe(true);
            prev = result.value.hash;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('mergeMembers equals sorting the union', () => {
    const keys = fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 12 });
    fc.assert(
      fc.property(keys, fc.array(fc.boolean(), { maxLength: 12 }), (all, side) => {
        const members: Member[] = all.map((k) => [k, JSON.stringify(k)]);
        const byKey = (x: Member, y: Member) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
        const a = members.filter((_, i) => side[i]).sort(byKey);
        const b = members.filter((_, i) => !side[i]).sort(byKey);
        expect(mergeMembers(a, b)).toEqual([...members].sort(byKey));
      }),
    );
  });

  it('withSeal equals joining the merged members, wherever the seal keys fall among them', () => {
    // Keys from the alphabet around hash, kid and sig (record bodies have keys before, between and after them).
    const key = fc.string({ unit: fc.constantFrom('a', 'h', 'k', 'p', 's', 'z', 'é'), minLength: 1, maxLength: 4 });
    const texts = fc.string({ unit: 'grapheme', maxLength: 5 });
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 10 }), texts, (keys, extra) => {
        const seal: Member[] = [
          ['hash', '"hash":"00"'],
          ['kid', '"kid":"k"'],
          ['sig', '"sig":"s"'],
        ];
        const sealKeys = new Set(seal.map(([k]) => k));
        const members: Member[] = keys
          .filter((k) => !sealKeys.has(k))
          .sort()
          .map((k) => [k, `${JSON.stringify(k)}:${JSON.stringify(extra)}`]);
        const text = members.map(([, m]) => m).join(',');
        const merged = mergeMembers(members, seal);
        expect(withSeal(members, text, seal)).toBe(`{${merged.map(([, m]) => m).join(',')}}`);
      }),
    );
  });
});
