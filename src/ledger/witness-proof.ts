// The RFC 9162 consistency proof from a cosigned size to a newer checkpoint, built from what the writer keeps: the
// frontier stored with the older checkpoint (the perfect-subtree roots covering [0, old)) and the leaf hashes
// [old, new) read back from the chain. Every node of PROOF(old, new) lies wholly below `old` — then it is one of
// the frontier's subtrees — or wholly at or above it, so the cost is the new leaves only, never the whole chain.
import { rootOf } from './merkle.ts';
import type { Hash } from './merkle.ts';

/**
 * PROOF(oldSize, newSize) with `frontier` the perfect-subtree roots of the tree at oldSize (largest first) and
 * `newLeaves` the leaf hashes at positions oldSize .. newSize-1. Throws RangeError when they do not fit together.
 */
export function consistencyProofFrom(oldSize: number, frontier: readonly Hash[], newLeaves: readonly Hash[]): Hash[] {
  const newSize = oldSize + newLeaves.length;
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new RangeError('old size out of range');
  if (oldSize === 0 || newLeaves.length === 0) return [];
  const ranges = new Map<string, Hash>();
  let start = 0;
  for (let bit = 2 ** Math.floor(Math.log2(oldSize)), i = 0; bit >= 1; bit /= 2) {
    if (Math.floor(oldSize / bit) % 2 === 0) continue;
    const h = frontier[i++];
    if (h === undefined) throw new RangeError('frontier does not match the old size');
    ranges.set(`${start}:${start + bit}`, h);
    start += bit;
  }
  if (ranges.size !== frontier.length) throw new RangeError('frontier does not match the old size');
  const node = (lo: number, hi: number): Hash => {
    if (hi <= oldSize) {
      const h = ranges.get(`${lo}:${hi}`);
      if (h === undefined) throw new RangeError(`no frontier subtree for [${lo}, ${hi})`);
      return h;
    }
    if (lo < oldSize) throw new RangeError(`subtree [${lo}, ${hi}) straddles the old size`);
    return rootOf(newLeaves.slice(lo - oldSize, hi - oldSize));
  };
  const sub = (lo: number, hi: number, complete: boolean): Hash[] => {
    if (oldSize === hi) return complete ? [] : [node(lo, hi)];
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    return oldSize - lo <= k
      ? [...sub(lo, lo + k, complete), node(lo + k, hi)]
      : [...sub(lo + k, hi, false), node(lo, lo + k)];
  };
  return sub(0, newSize, true);
}
