// PacketKeyTrust: which key is trusted where in a packet, from pinned keys and the key_rotated records it holds.
// Boundaries: a rotated-in key signs records after the rotation and checkpoints whose tree holds it (size > seq);
// the old key is retired for later records; rotations are per chain, independent of record order, and follow only
// from a key trusted at the rotation's position.
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PacketKeyTrust } from '../../../src/evidence/packet-trust.ts';
import { newFindings } from '../../../src/evidence/verify-packet.ts';
import type { PacketRecord } from '../../../src/evidence/verify-packet.ts';
import { generateSigningKey, loadSigner, sealRecord } from '../../../src/ledger/index.ts';
import type { JsonValue, Signer, UnsignedRecord } from '../../../src/ledger/index.ts';
import { rotationRecord } from '../../../src/ledger/rotation.ts';

const a = loadSigner(generateSigningKey().privateKeyPem);
const b = loadSigner(generateSigningKey().privateKeyPem);
const c = loadSigner(generateSigningKey().privateKeyPem);
const keyOf = (s: Signer): KeyObject => createPublicKey(s.publicKeyPem);
const pinnedA = new Map([[a.kid, keyOf(a)]]);

function envelope(chain: string, seq: number): UnsignedRecord {
  return {
    v: 1,
    type: 'key_rotated',
    chain,
    seq,
    ts: `2026-05-04T09:00:0${seq}.000Z`,
    prev: 'ab'.repeat(32),
    request_id: null,
  };
}

async function rotation(chain: string, seq: number, from: Signer, to: Signer): Promise<PacketRecord> {
  const sealed = await sealRecord(await rotationRecord(envelope(chain, seq), from, to), from);
  return { line: seq + 1, bytes: sealed.bytes, record: sealed.record as Record<string, JsonValue> };
}

const kindOf = (t: PacketKeyTrust, chain: string, seq: number, s: Signer) => t.forRecord(chain, seq, s.kid).kind;
const checkpointSigners = (t: PacketKeyTrust, chain: string, size: number) =>
  t.forCheckpoint(chain, size).map((k) => k.export({ format: 'jwk' }).x);
const x = (s: Signer) => keyOf(s).export({ format: 'jwk' }).x;

describe('PacketKeyTrust', () => {
  it('trusts the rotated-in key after the rotation seq only, retires the old key, and signs only trees that hold the rotation', async () => {
    const log = newFindings();
    const t = new PacketKeyTrust(pinnedA, [await rotation('c1', 3, a, b)], log);
    expect(log.close()).toEqual([]);
    expect([2, 3, 4].map((seq) => kindOf(t, 'c1', seq, a))).toEqual(['trusted', 'trusted', 'retired']);
    expect([2, 3, 4].map((seq) => kindOf(t, 'c1', seq, b))).toEqual(['untrusted', 'untrusted', 'trusted']);
    expect(t.forRecord('c1', 3, b.kid)).toEqual({ kind: 'untrusted', from: 3 });
    expect(t.forRecord('c1', 9, a.kid)).toEqual({ kind: 'retired', by: 3 });
    expect(checkpointSigners(t, 'c1', 3)).toEqual([x(a)]);
    expect(checkpointSigners(t, 'c1', 4).sort()).toEqual([x(a), x(b)].sort());
    // Another chain is unaffected: rotations hold in their own chain only.
    expect(kindOf(t, 'c2', 9, a)).toBe('trusted');
    expect(kindOf(t, 'c2', 9, b)).toBe('untrusted');
    expect(checkpointSigners(t, 'c2', 10)).toEqual([x(a)]);
  });

  it('follows successive rotations in seq order whatever the record order', async () => {
    const records = [await rotation('c1', 7, b, c), await rotation('c1', 3, a, b)];
    const t = new PacketKeyTrust(pinnedA, records, newFindings());
    expect([3, 4, 7, 8].map((seq) => kindOf(t, 'c1', seq, b))).toEqual(['untrusted', 'trusted', 'trusted', 'retired']);
    expect([7, 8].map((seq) => kindOf(t, 'c1', seq, c))).toEqual(['untrusted', 'trusted']);
    expect(kindOf(t, 'c1', 8, a)).toBe('retired');
  });

  it('introduces nothing from a rotation signed by an untrusted key, or one whose counter-signature fails (KEY_ROTATION_INVALID)', async () => {
    const untrusted = new PacketKeyTrust(pinnedA, [await rotation('c1', 3, c, b)], newFindings());
    expect(kindOf(untrusted, 'c1', 4, b)).toBe('untrusted');
    expect(kindOf(untrusted, 'c1', 4, a)).toBe('trusted');

    const good = await rotation('c1', 3, a, b);
    const broken = { ...good.record, counter_sig: Buffer.alloc(64, 1).toString('base64url') } as Record<
      string,
      JsonValue
    >;
    const { hash: _h, kid: _k, sig: _s, ...unsigned } = broken;
    const resealed = await sealRecord(unsigned as UnsignedRecord, a);
    const log = newFindings();
    const t = new PacketKeyTrust(
      pinnedA,
      [{ line: 1, bytes: resealed.bytes, record: resealed.record as Record<string, JsonValue> }],
      log,
    );
    expect(log.close().map((f) => [f.code, f.chain, f.seq])).toEqual([['KEY_ROTATION_INVALID', 'c1', 3]]);
    expect(kindOf(t, 'c1', 4, b)).toBe('untrusted');
    expect(kindOf(t, 'c1', 4, a)).toBe('trusted');

    // A rotation whose content changed after sealing (hash no longer right) introduces nothing either.
    const altered = { ...good.record, ts: '2026-05-04T10:00:00.000Z' } as Record<string, JsonValue>;
    expect(kindOf(new PacketKeyTrust(pinnedA, [{ ...good, record: altered }], newFindings()), 'c1', 4, b)).toBe(
      'untrusted',
    );
  });

  it('applies neither of two different rotations claiming one position', async () => {
    const t = new PacketKeyTrust(
      pinnedA,
      [await rotation('c1', 3, a, b), await rotation('c1', 3, a, c)],
      newFindings(),
    );
    expect(kindOf(t, 'c1', 4, b)).toBe('untrusted');
    expect(kindOf(t, 'c1', 4, c)).toBe('untrusted');
  });

  it('with nothing pinned trusts nothing', async () => {
    const t = new PacketKeyTrust(new Map(), [await rotation('c1', 3, a, b)], newFindings());
    expect(t.any).toBe(false);
    expect(kindOf(t, 'c1', 4, b)).toBe('untrusted');
    expect(t.forCheckpoint('c1', 10)).toEqual([]);
  });
});
