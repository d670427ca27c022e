// RFC 6962 reference vectors (as published in transparency-dev/merkle proof/verify_test.go, which takes them from
// the Certificate Transparency reference implementation) and fast-check properties for proofs of every shape.
import { hash as digest } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactTree,
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/ledger/merkle.ts';
import type { Hash } from '../../../src/ledger/merkle.ts';

const hx = (b: Uint8Array) => Buffer.from(b).toString('hex');
const dh = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const leafHash = (data: Uint8Array) =>
  new Uint8Array(digest('sha256', Buffer.concat([Buffer.from([0]), data]), 'buffer'));

const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  (s) => leafHash(dh(s)),
);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// [leaf (1-based, as in the source), tree size, proof]
const INCLUSION: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    2,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

describe('RFC 6962 reference vectors', () => {
  it('roots of sizes 0..8, by recursion and by the compact tree', () => {
    expect(hx(rootOf([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const tree = new CompactTree();
    expect(hx(tree.root())).toBe(hx(EMPTY_ROOT));
    LEAVES.forEach((leaf, i) => {
      tree.append(leaf);
      expect(hx(rootOf(LEAVES.slice(0, i + 1)))).toBe(ROOTS[i]);
      expect(hx(tree.root())).toBe(ROOTS[i]);
    });
  });

  it.each(INCLUSION)('inclusion proof of leaf %i in size %i', (leaf, size, proof) => {
    const tree = LEAVES.slice(0, size);
    expect(inclusionProof(leaf - 1, tree).map(hx)).toEqual(proof);
    const root = dh(ROOTS[size - 1] as string);
    expect(verifyInclusion(leaf - 1, size, LEAVES[leaf - 1] as Hash, proof.map(dh), root)).toBe(true);
    expect(verifyInclusion(leaf, size, LEAVES[leaf - 1] as Hash, proof.map(dh), root)).toBe(false);
    expect(verifyInclusion(leaf - 1, size * 2, LEAVES[leaf - 1] as Hash, proof.map(dh), root)).toBe(false);
    expect(verifyInclusion(leaf - 1, size, LEAVES[leaf - 1] as Hash, [...proof.map(dh), root], root)).toBe(false);
    if (proof.length > 0)
      expect(verifyInclusion(leaf - 1, size, LEAVES[leaf - 1] as Hash, proof.slice(1).map(dh), root)).toBe(false);
  });

  it.each(CONSISTENCY)('consistency proof from size %i to %i', (size1, size2, proof) => {
    expect(consistencyProof(size1, LEAVES.slice(0, size2)).map(hx)).toEqual(proof);
    const r1 = dh(ROOTS[size1 - 1] as string);
    const r2 = dh(ROOTS[size2 - 1] as string);
    expect(verifyConsistency(size1, size2, proof.map(dh), r1, r2)).toBe(true);
    if (proof.length > 0) {
      expect(verifyConsistency(size1, size2, proof.map(dh), r2, r1)).toBe(false);
      expect(verifyConsistency(size1, size2, [], r1, r2)).toBe(false);
      expect(verifyConsistency(size1 + 1, size2, proof.map(dh), r1, r2)).toBe(false);
      expect(verifyConsistency(size1, size2, proof.slice(0, -1).map(dh), r1, r2)).toBe(false);
    }
  });
});

const leavesArb = fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 70 });

describe('Merkle properties', () => {
  it('the compact tree root equals the recursive root at every size', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const tree = new CompactTree();
        leaves.forEach((leaf, i) => {
          tree.append(leaf);
          expect(hx(tree.root())).toBe(hx(rootOf(leaves.slice(0, i + 1))));
        });
      }),
    );
  });

  it('every inclusion proof verifies, and not for another leaf or index', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), (leaves, pick) => {
        const i = pick % leaves.length;
        const root = rootOf(leaves);
        const proof = inclusionProof(i, leaves);
        expect(verifyInclusion(i, leaves.length, leaves[i] as Hash, proof, root)).toBe(true);
        const other = new Uint8Array(leaves[i] as Hash);
        other[0] = (other[0] ?? 0) ^ 1;
        expect(verifyInclusion(i, leaves.length, other, proof, root)).toBe(false);
        if (leaves.length > 1)
          expect(verifyInclusion((i + 1) % leaves.length, leaves.length, leaves[i] as Hash, proof, root)).toBe(false);
      }),
    );
  });

  it('every consistency proof verifies, and fails once an old leaf is changed', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), (leaves, pick) => {
        const m = 1 + (pick % leaves.length);
        const proof = consistencyProof(m, leaves);
        expect(verifyConsistency(m, leaves.length, proof, rootOf(leaves.slice(0, m)), rootOf(leaves))).toBe(true);
        const forged = leaves.map((l) => new Uint8Array(l));
        (forged[m - 1] as Hash)[0] = ((forged[m - 1] as Hash)[0] ?? 0) ^ 1;
        if (m < leaves.length)
          expect(verifyConsistency(m, leaves.length, proof, rootOf(forged.slice(0, m)), rootOf(leaves))).toBe(false);
      }),
    );
  });
});
