// RFC 6962 / RFC 9162 Merkle tree over the chain's record hashes: a leaf is a record's `hash` (already
// SHA-256(0x00 ‖ bytes)), an interior node is SHA-256(0x01 ‖ left ‖ right), the empty tree is SHA-256("").
// Proofs follow RFC 9162 §2.1.3 (inclusion) and §2.1.4 (consistency); verifiers reject anything malformed.
// CompactTree keeps only the O(log n) perfect-subtree roots, so a writer appends and takes roots in O(log n).
import { hash as digest } from 'node:crypto';

export type Hash = Uint8Array;

export const EMPTY_ROOT: Hash = new Uint8Array(digest('sha256', new Uint8Array(), 'buffer'));

/** A frontier holds one hash a set bit of its size: at most 53 for a safe integer. A stored one longer is never read. */
export const MAX_FRONTIER_BYTES = 53 * 32;

export function nodeHash(left: Hash, right: Hash): Hash {
  const input = new Uint8Array(65);
  input[0] = 1;
  input.set(left, 1);
  input.set(right, 33);
  return new Uint8Array(digest('sha256', input, 'buffer'));
}

/** Largest power of two strictly less than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(leaves): the root of the tree over these leaf hashes. */
export function rootOf(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0] as Hash;
  const k = split(leaves.length);
  return nodeHash(rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k)));
}

/** PATH(m, leaves): the inclusion proof of leaf `index` in the tree over `leaves`. */
export function inclusionProof(index: number, leaves: readonly Hash[]): Hash[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length)
    throw new RangeError('leaf index outside the tree');
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return index < k
    ? [...inclusionProof(index, leaves.slice(0, k)), rootOf(leaves.slice(k))]
    : [...inclusionProof(index - k, leaves.slice(k)), rootOf(leaves.slice(0, k))];
}

/** PROOF(m, leaves): the consistency proof from the first `size1` leaves to all of `leaves`. */
export function consistencyProof(size1: number, leaves: readonly Hash[]): Hash[] {
  if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > leaves.length)
    throw new RangeError('size1 outside the tree');
  if (size1 === 0 || size1 === leaves.length) return [];
  return subproof(size1, leaves, true);
}

function subproof(m: number, leaves: readonly Hash[], complete: boolean): Hash[] {
  if (m === leaves.length) return complete ? [] : [rootOf(leaves)];
  const k = split(leaves.length);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), complete), rootOf(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), rootOf(leaves.slice(0, k))];
}

const equal = (a: Hash, b: Hash) => a.length === b.length && Buffer.compare(a, b) === 0;
const valid = (hashes: readonly Hash[]) => hashes.every((h) => h instanceof Uint8Array && h.length === 32);

/** RFC 9162 §2.1.3.2: true when `proof` proves `leaf` at `index` in the tree of `size` with `root`. */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!valid([leaf, root, ...proof])) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 §2.1.4.2: true when `proof` proves the tree (size2, root2) extends the tree (size1, root1). */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Hash[],
  root1: Hash,
  root2: Hash,
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < size1) return false;
  if (!valid([root1, root2, ...proof])) return false;
  if (size1 === size2) return proof.length === 0 && equal(root1, root2);
  if (size1 === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Hash;
  let sr = path[0] as Hash;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, root1) && equal(sr, root2);
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** An append-only tree that keeps only the roots of its perfect subtrees (the "compact range" from leaf 0). */
export class CompactTree {
  private readonly stack: Hash[] = []; // roots of perfect subtrees, largest first
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The perfect-subtree roots, largest first: one per set bit of size. */
  frontier(): Hash[] {
    return [...this.stack];
  }

  /** Rebuilds a tree from a frontier taken at `size`; throws RangeError when they do not fit together. */
  static fromFrontier(size: number, frontier: readonly Hash[]): CompactTree {
    let bits = 0;
    for (let n = size; n > 0; n = Math.floor(n / 2)) bits += n % 2;
    if (!Number.isSafeInteger(size) || size < 0 || bits !== frontier.length || !valid(frontier))
      throw new RangeError('frontier does not match size');
    const tree = new CompactTree();
    tree.stack.push(...frontier.map((h) => new Uint8Array(h)));
    tree.count = size;
    return tree;
  }

  append(leaf: Hash): void {
    let node = leaf;
    let n = this.count;
    // Merge while the lowest bit of the old size is set: those subtrees are now complete siblings.
    while (n % 2 === 1) {
      node = nodeHash(this.stack.pop() as Hash, node);
      n = Math.floor(n / 2);
    }
    this.stack.push(node);
    this.count++;
  }

  /** MTH over everything appended so far. */
  root(): Hash {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let r = this.stack[this.stack.length - 1] as Hash;
    for (let i = this.stack.length - 2; i >= 0; i--) r = nodeHash(this.stack[i] as Hash, r);
    return r;
  }
}
