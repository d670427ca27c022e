// ProofTree builds the same RFC 9162 proofs as the ledger's reference builder, and they verify.
import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProofTree } from '../../../src/evidence/index.ts';
import {
  consistencyProof,
  inclusionProof,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/ledger/index.ts';

const leaves = Array.from({ length: 40 }, (_, i) => new Uint8Array(hash('sha256', `leaf ${i}`, 'buffer')));
const hex = (hs: Uint8Array[]) => hs.map((h) => Buffer.from(h).toString('hex'));

describe('ProofTree', () => {
  const tree = new ProofTree(leaves);
  it('roots, inclusion and consistency proofs match the reference for every size and index', () => {
    for (let size = 1; size <= leaves.length; size++) {
      const prefix = leaves.slice(0, size);
      const root = rootOf(prefix);
      expect(hex([tree.root(0, size)])).toEqual(hex([root]));
      for (let i = 0; i < size; i++) {
        const proof = tree.inclusion(i, size);
        expect(hex(proof)).toEqual(hex(inclusionProof(i, prefix)));
        expect(verifyInclusion(i, size, leaves[i] as Uint8Array, proof, root)).toBe(true);
      }
      for (let m = 0; m <= size; m++) {
        const proof = tree.consistency(m, size);
        expect(hex(proof)).toEqual(hex(consistencyProof(m, prefix)));
        if (m > 0) expect(verifyConsistency(m, size, proof, rootOf(leaves.slice(0, m)), root)).toBe(true);
      }
    }
  });

  it('refuses indexes and sizes outside the tree', () => {
    expect(() => tree.inclusion(5, 5)).toThrow(RangeError);
    expect(() => tree.inclusion(0, 41)).toThrow(RangeError);
    expect(() => tree.consistency(6, 5)).toThrow(RangeError);
  });
});
