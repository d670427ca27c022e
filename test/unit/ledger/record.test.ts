import { createPublicKey, hash as digest } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, parseCanonical } from '../../../src/ledger/canonical.ts';
import { LedgerError } from '../../../src/ledger/errors.ts';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import {
  leafHash,
  recomputeHash,
  schemaProblem,
  sealRecord,
  signatureValid,
  signingMessage,
} from '../../../src/ledger/record.ts';
import type { UnsignedRecord } from '../../../src/ledger/record.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
const publicKey = createPublicKey(key.publicKeyPem);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function unsigned(over: Partial<UnsignedRecord> = {}): UnsignedRecord {
  return {
    v: 1,
    type: 'decision',
    chain: 'replica-1',
    seq: 1,
    ts: '2026-01-01T00:00:00.000Z',
    prev: 'ab'.repeat(32),
    request_id: 'req-1',
    decision: { allow: true, reasons: [], obligations: null },
    ...over,
  };
}

describe('leaf hash and signing message', () => {
  it('is the RFC 6962 leaf hash: SHA-256 of 0x00 followed by the bytes', () => {
    // SHA-256 of the single byte 0x00, the RFC 6962 hash of an empty leaf.
    expect(hex(leafHash(new Uint8Array()))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    const bytes = new TextEncoder().encode('{"a":1}');
    expect(hex(leafHash(bytes))).toBe(digest('sha256', Buffer.concat([Buffer.from([0]), bytes]), 'hex'));
  });

  it('domain-separates the signed message', () => {
    const h = new Uint8Array(32).fill(7);
    expect(Buffer.from(signingMessage(h)).toString('latin1')).toBe(`proctor/audit-record/v1\n${'\u0007'.repeat(32)}`);
  });
});

describe('sealRecord', () => {
  it('hashes the record without hash/kid/sig, signs the hash, and stores the canonical bytes of it all', async () => {
    const u = unsigned();
    const sealed = await sealRecord(u, signer);
    expect(sealed.record.hash).toBe(hex(leafHash(canonicalize(u))));
    expect(hex(sealed.hash)).toBe(sealed.record.hash);
    expect(sealed.record.kid).toBe(key.kid);
    expect(signatureValid(sealed.hash, sealed.record.sig, publicKey)).toBe(true);
    expect(parseCanonical(sealed.bytes)).toEqual(sealed.record);
    expect(hex(recomputeHash(sealed.record))).toBe(sealed.record.hash);
    expect(schemaProblem(sealed.record)).toBeNull();
  });

  it('a signature does not verify for another hash, another key, or a signature of the bare hash', async () => {
    const sealed = await sealRecord(unsigned(), signer);
    const other = new Uint8Array(sealed.hash);
    other[0] = (other[0] ?? 0) ^ 1;
    expect(signatureValid(other, sealed.record.sig, publicKey)).toBe(false);
    expect(signatureValid(sealed.hash, sealed.record.sig, createPublicKey(generateSigningKey().publicKeyPem))).toBe(
      false,
    );
    const bare = Buffer.from(await signer.sign(sealed.hash)).toString('base64url');
    expect(signatureValid(sealed.hash, bare, publicKey)).toBe(false);
    expect(signatureValid(sealed.hash, 'AAAA', publicKey)).toBe(false);
  });

  it.each([
    ['a ts without milliseconds', { ts: '2026-01-01T00:00:00Z' }],
    ['a ts with an offset', { ts: '2026-01-01T00:00:00.000+01:00' }],
    ['seq 0 that is not chain_opened', { seq: 0, prev: null }],
    ['a later record without prev', { prev: null }],
    ['chain_opened after seq 0', { type: 'chain_opened' as const }],
    ['a bad chain id', { chain: 'has space' }],
    ['a typed body field of the wrong type', { decision: { allow: 'yes' } }],
    ['a non-hex decision_hash', { type: 'outcome' as const, decision_hash: 'xyz' }],
    [
      'policy_activated without source',
      { type: 'policy_activated' as const, policy: { revision: 'r', sha256: 'a' }, shadow: null },
    ],
    [
      'policy_activated whose shadow carries a decision',
      {
        type: 'policy_activated' as const,
        policy: { revision: 'r', sha256: 'a' },
        source: 'b',
        shadow: { revision: 's', sha256: 'b', decision: { allow: true } },
      },
    ],
    [
      'key_rotated without counter_sig',
      {
        type: 'key_rotated' as const,
        old_kid: `ed25519:${'a'.repeat(64)}`,
        new_kid: `ed25519:${'b'.repeat(64)}`,
        new_public_key: 'A'.repeat(43),
      },
    ],
    ['an unknown response_action', { type: 'outcome' as const, response_action: 'dropped' }],
    ['redaction without types', { redaction: {} }],
  ])('refuses %s with ERR_RECORD_INVALID', async (_name, over) => {
    const err = await sealRecord(unsigned(over), signer).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerError);
    expect((err as LedgerError).code).toBe('ERR_RECORD_INVALID');
  });

  it.each([
    [
      'policy_activated',
      {
        type: 'policy_activated' as const,
        request_id: null,
        decision: undefined,
        policy: { revision: 'r7', sha256: 'ab' },
        source: 'bundles/default.tar.gz',
        shadow: { revision: 'r8', sha256: 'cd' },
      },
    ],
    [
      'policy_activated without shadow',
      {
        type: 'policy_activated' as const,
        request_id: null,
        decision: undefined,
        policy: { revision: 'r7', sha256: 'ab' },
        source: 'x',
        shadow: null,
      },
    ],
    [
      'a decision with redaction and shadow',
      {
        redaction: { types: { email: 2 } },
        shadow: {
          revision: 'r8',
          sha256: 'cd',
          decision: { allow: false, reasons: [{ code: 'x' }], obligations: null },
        },
      },
    ],
    [
      'an outcome with response facts',
      {
        type: 'outcome' as const,
        decision: undefined,
        decision_hash: 'ab'.repeat(32),
        response_classification: { finding_count: 1, types: { iban: 1 } },
        response_action: 'redacted',
      },
    ],
  ])('accepts %s', async (_name, over) => {
    const u: Record<string, unknown> = { ...unsigned(), ...over };
    if (u.decision === undefined) delete u.decision;
    const sealed = await sealRecord(u as UnsignedRecord, signer);
    expect(schemaProblem(sealed.record)).toBeNull();
  });

  it('stores exactly the canonical bytes of the sealed record (serialised once, merged with the seal)', async () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string({ unit: 'grapheme' })),
      fc.dictionary(fc.string(), fc.integer()),
    );
    const reserved = new Set([
      'v',
      'type',
      'chain',
      'seq',
      'ts',
      'prev',
      'request_id',
      'hash',
      'kid',
      'sig',
      '__proto__',
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.string({ unit: 'binary' }).filter((k) => !reserved.has(k)),
          value,
        ),
        async (body) => {
          const sealed = await sealRecord({ ...unsigned(), ...body } as UnsignedRecord, signer).catch(
            (e: unknown) => e,
          );
          if (sealed instanceof LedgerError) return; // a body the schema refuses (a typed field of the wrong type)
          const s = sealed as Awaited<ReturnType<typeof sealRecord>>;
          expect(Buffer.from(s.bytes).equals(Buffer.from(canonicalize(s.record)))).toBe(true);
          expect(hex(recomputeHash(s.record))).toBe(s.record.hash);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('accepts unknown body fields (the pipeline may add facts)', async () => {
    const sealed = await sealRecord(unsigned({ experimental_fact: { tokens: 100, cost_micro_usd: 42 } }), signer);
    expect(sealed.record.experimental_fact).toEqual({ tokens: 100, cost_micro_usd: 42 });
  });

  it('refuses a float anywhere in the body before signing', async () => {
    const err = await sealRecord(unsigned({ usage: { cost: 0.5 } }), signer).catch((e: unknown) => e);
    expect((err as LedgerError).code).toBe('ERR_RECORD_INVALID');
    expect((err as LedgerError).path).toBe('$.usage.cost');
  });
});
