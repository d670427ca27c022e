// RFC 9162 inclusion and consistency proofs over a chain's leaf hashes, built in O(log² n) per proof from the
// precomputed roots of every aligned perfect subtree (2n hashes in memory), so an export of many records from a
// long chain does not rehash the chain per record. The proofs are checked with the ledger's own verifiers
// (verifyInclusion, verifyConsistency); test/unit/evidence cross-checks them against the ledger's reference builder.
import { nodeHash } from '../ledger/index.ts';
import type { Hash } from '../ledger/index.ts';

export class ProofTree {
  private readonly levels: Hash[][];

  constructor(leaves: readonly Hash[]) {
    this.levels = [[...leaves]];
    for (let below = this.levels[0] as Hash[]; below.length >= 2; ) {
      const level: Hash[] = [];
      for (let i = 0; i + 1 < below.length; i += 2) level.push(nodeHash(below[i] as Hash, below[i + 1] as Hash));
      this.levels.push(level);
      below = level;
    }
  }

  get size(): number {
    return (this.levels[0] as Hash[]).length;
  }

  /** MTH(D[lo:hi]). */
  root(lo = 0, hi = this.size): Hash {
    const n = hi - lo;
    if (n <= 0 || hi > this.size) throw new RangeError('range outside the tree');
    if ((n & (n - 1)) === 0 && lo % n === 0) return this.levels[Math.log2(n)]?.[lo / n] as Hash;
    const k = split(n);
    return nodeHash(this.root(lo, lo + k), this.root(lo + k, hi));
  }

  /** PATH(index, D[0:size]). */
  inclusion(index: number, size: number): Hash[] {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size || size > this.size)
      throw new RangeError('leaf index outside the tree');
    const path: Hash[] = [];
    const walk = (m: number, lo: number, hi: number): void => {
      const n = hi - lo;
      if (n === 1) return;
      const k = split(n);
      if (m < k) {
        walk(m, lo, lo + k);
        path.push(this.root(lo + k, hi));
      } else {
        walk(m - k, lo + k, hi);
        path.push(this.root(lo, lo + k));
      }
    };
    walk(index, 0, size);
    return path;
  }

  /** PROOF(size1, D[0:size2]). */
  consistency(size1: number, size2: number): Hash[] {
    if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > size2 || size2 > this.size)
      throw new RangeError('sizes outside the tree');
    if (size1 === 0 || size1 === size2) return [];
    const path: Hash[] = [];
    const sub = (m: number, lo: number, hi: number, complete: boolean): void => {
      const n = hi - lo;
      if (m === n) {
        if (!complete) path.push(this.root(lo, hi));
        return;
      }
      const k = split(n);
      if (m <= k) {
        sub(m, lo, lo + k, complete);
        path.push(this.root(lo + k, hi));
      } else {
        sub(m - k, lo + k, hi, false);
        path.push(this.root(lo, lo + k));
      }
    };
    sub(size1, 0, size2, true);
    return path;
  }
}

/** Largest power of two strictly less than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
