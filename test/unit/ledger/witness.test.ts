// Witness pieces without a witness: the consistency proof built from a stored frontier and the new leaves equals the
// reference PROOF(m, n) for every shape (fast-check), and cosignature/v1 lines verify only under the pinned key, for
// the exact body and time they were made for. The real litewitness is exercised in test/integration/witness*.test.ts.
import { generateKeyPairSync, hash as digest } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactTree, consistencyProof, rootOf, verifyConsistency } from '../../../src/ledger/merkle.ts';
import {
  checkCosignature,
  cosign,
  logSignedOnly,
  parseWitnessKey,
  withSignatures,
  witnessVerifierKey,
} from '../../../src/ledger/witness-cosignature.ts';
import { consistencyProofFrom } from '../../../src/ledger/witness-proof.ts';

const leaf = (i: number) => new Uint8Array(digest('sha256', Buffer.from(`leaf ${i}`), 'buffer'));
const hex = (hs: Uint8Array[]) => hs.map((h) => Buffer.from(h).toString('hex'));

describe('consistencyProofFrom', () => {
  it('equals PROOF(m, n) over all the leaves, and verifies', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (a, b) => {
        const [m, n] = a <= b ? [a, b] : [b, a];
        const leaves = Array.from({ length: n }, (_, i) => leaf(i));
        const tree = new CompactTree();
        for (const l of leaves.slice(0, m)) tree.append(l);
        const proof = consistencyProofFrom(m, tree.frontier(), leaves.slice(m));
        expect(hex(proof)).toEqual(hex(consistencyProof(m, leaves)));
        if (m > 0) expect(verifyConsistency(m, n, proof, rootOf(leaves.slice(0, m)), rootOf(leaves))).toBe(true);
      }),
    );
  });

  it('refuses a frontier that does not fit the old size', () => {
    const tree = new CompactTree();
    for (let i = 0; i < 5; i++) tree.append(leaf(i));
    expect(() => consistencyProofFrom(7, tree.frontier(), [leaf(7)])).toThrow(RangeError);
  });
});

describe('cosignature/v1', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const priv = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const vkey = witnessVerifierKey('witness.test/w1', pub);
  const witness = parseWitnessKey(vkey);
  const body = `proctor/ledger/c1\n3\n${Buffer.alloc(32, 7).toString('base64')}\n`;
  const note = `${body}\n\u2014 proctor/ledger/c1 AAAAAAAA\n`;

  it('verifies under the pinned key, with its time', () => {
    const line = cosign(body, 'witness.test/w1', priv, 1_700_000_000);
    const check = checkCosignature(withSignatures(note, [line]), witness);
    expect(check).toEqual({ status: 'valid', cosignature: { witness: vkey, time: 1_700_000_000, line } });
  });

  it('is absent without a line of the key, invalid when altered or for another body', () => {
    expect(checkCosignature(note, witness).status).toBe('absent');
    const line = cosign(body, 'witness.test/w1', priv, 1_700_000_000);
    const blob = Buffer.from(line.split(' ')[2] ?? '', 'base64');
    blob[7] = (blob[7] ?? 0) ^ 1; // the time
    const altered = `\u2014 witness.test/w1 ${blob.toString('base64')}`;
    expect(checkCosignature(withSignatures(note, [altered]), witness).status).toBe('invalid');
    const other = `proctor/ledger/c1\n4\n${Buffer.alloc(32, 7).toString('base64')}\n`;
    expect(
      checkCosignature(withSignatures(`${other}\n\u2014 proctor/ledger/c1 AAAAAAAA\n`, [line]), witness).status,
    ).toBe('invalid');
  });

  it('keeps only the log signature when sending to a witness', () => {
    const line = cosign(body, 'witness.test/w1', priv, 1);
    expect(logSignedOnly(withSignatures(note, [line]), 'proctor/ledger/c1')).toBe(note);
  });

  it('refuses malformed verifier keys', () => {
    const bad = [
      vkey.replace('+', '+0'),
      vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'),
      vkey.replace('witness.test/w1', 'other'),
      'a+b',
      `${vkey}+x`,
    ];
    for (const k of bad) expect(() => parseWitnessKey(k)).toThrow(expect.objectContaining({ code: 'ERR_KEY_INVALID' }));
  });
});
