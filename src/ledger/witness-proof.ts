// The RFC 9162 consistency proof from a cosigned size to a newer checkpoint, built from what the writer keeps: the
// frontier stored with the older checkpoint (the perfect-subtree roots covering [0, old)) and the leaf hashes
// [old, new) read back from the chain. Every node of PROOF(old, new) lies wholly below `old` — then it is one of
// the frontier's subtrees — or wholly at or above it, so the cost is the new leaves only, never the whole chain.
import { rootOf } from './merkle.ts';
import type { Hash } from './merkle.ts';

/** A node of the proof: the subtree over leaves [lo, hi). */
export type ProofRange = readonly [lo: number, hi: number];

/** The subtrees PROOF(oldSize, newSize) is made of, in proof order (RFC 9162 §2.1.4.1 SUBPROOF). */
export function proofRanges(oldSize: number, newSize: number): ProofRange[] {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) {
    throw new RangeError('sizes out of range');
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  const sub = (lo: number, hi: number, complete: boolean): ProofRange[] => {
    if (oldSize === hi) return complete ? [] : [[lo, hi]];
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    return oldSize - lo <= k ? [...sub(lo, lo + k, complete), [lo + k, hi]] : [...sub(lo + k, hi, false), [lo, lo + k]];
  };
  return sub(0, newSize, true);
}

/** The frontier's subtrees by range: `frontier` holds the perfect-subtree roots of the tree at `size`, largest
 * first. */
export function frontierRanges(size: number, frontier: readonly Hash[]): Map<string, Hash> {
  const ranges = new Map<string, Hash>();
  let start = 0;
  let i = 0;
  for (let bit = size > 0 ? 2 ** Math.floor(Math.log2(size)) : 0; bit >= 1; bit /= 2) {
    if (Math.floor(size / bit) % 2 === 0) continue;
    const h = frontier[i++];
    if (h === undefined) throw new RangeError('frontier does not match the size');
    ranges.set(`${start}:${start + bit}`, h);
    start += bit;
  }
  if (i !== frontier.length) throw new RangeError('frontier does not match the size');
  return ranges;
}

/**
 * PROOF(oldSize, newSize) with `frontier` the perfect-subtree roots of the tree at oldSize (largest first) and
 * `newLeaves` the leaf hashes at positions oldSize .. newSize-1. Throws RangeError when they do not fit together.
 */
export function consistencyProofFrom(oldSize: number, frontier: readonly Hash[], newLeaves: readonly Hash[]): Hash[] {
  const below = frontierRanges(oldSize, frontier);
  return proofRanges(oldSize, oldSize + newLeaves.length).map(([lo, hi]) => {
    if (hi <= oldSize) {
      const h = below.get(`${lo}:${hi}`);
      if (h === undefined) throw new RangeError(`no frontier subtree for [${lo}, ${hi})`);
      return h;
    }
    if (lo < oldSize) throw new RangeError(`subtree [${lo}, ${hi}) straddles the old size`);
    return rootOf(newLeaves.slice(lo - oldSize, hi - oldSize));
  });
}
