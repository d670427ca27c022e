// The order of one chain as stored against the order its records were signed in. Each record carries its seq in
// its signed bytes (q) and sits at a seq column position (p); honest chains have p = q, contiguous from the start,
// each prev naming the hash of the record signed one before it. From the two orders this tells apart a plain gap
// (CHAIN_SEQ_GAP), a record stored out of order (CHAIN_REORDERED), a record that is not part of the signed chain
// (RECORD_INSERTED), one record stored twice (RECORD_DUPLICATE) and a broken link (CHAIN_LINK_BROKEN).
// Memory is bounded: links are checked against the last WINDOW signed seqs; a hole that stays open for WINDOW
// positions is reported as a gap.
import type { FindingLog } from './findings.ts';

const WINDOW = 16_384;

export interface Placement {
  /** The row repeats a record already placed: it adds nothing to the chain (no Merkle leaf). */
  duplicate: boolean;
  /** The signed seq the record was placed at. */
  signedSeq: number;
}

interface Hole {
  from: number;
  to: number;
  /** Where the hole opened: the position of the record signed after it. */
  at: number;
  after: number;
  reported: boolean;
}

interface Signed {
  hashes: string[];
  at: number;
  good: boolean;
}

export class ChainOrder {
  private lastP: number | null = null;
  private lastQ = -1;
  private maxQ = -1;
  private readonly signed = new Map<number, Signed>();
  private pending: Hole[] = [];
  /** Links whose predecessor had not been seen yet, by the predecessor's signed seq. */
  private readonly waiting = new Map<number, { prev: string; at: number; q: number }>();
  /** Position and prev of the chain's first stored record (the retention rule needs them). */
  first: { at: number; prev: string | null } | null = null;
  private readonly chain: string;
  private readonly log: FindingLog;

  constructor(chain: string, log: FindingLog) {
    this.chain = chain;
    this.log = log;
  }

  /**
   * Places the row stored at seq `p`. `q` is its signed seq (null: unreadable, assumed in place), `hashes` the
   * hashes it may be known by (recomputed first), `prev` its signed prev (undefined: unreadable), `good` whether it
   * is hash-intact and not shown to be signed by anyone but a trusted key.
   */
  place(p: number, q: number | null, hashes: string[], prev: string | null | undefined, good: boolean): Placement {
    const { chain, log } = this;
    if (this.lastP !== null && p === this.lastP) {
      log.add('RECORD_DUPLICATE', chain, p, 'a second record with this seq');
      return { duplicate: true, signedSeq: this.lastQ };
    }
    if (this.lastP === null) {
      this.first = { at: p, prev: prev ?? null };
      this.lastP = p - 1;
      this.lastQ = p - 1;
      this.maxQ = p - 1;
    }
    const lastP = this.lastP;
    const signedSeq = q ?? this.maxQ + (p - lastP);
    const expected = this.maxQ + 1;
    let checkLink = prev !== undefined;
    let keep = true;
    if (signedSeq === expected) {
      if (p !== lastP + 1 && this.lastQ === this.maxQ) {
        log.add(
          'RECORD_INDEX_MISMATCH',
          chain,
          p,
          `stored at seq ${p} but signed as seq ${signedSeq}: the seq column was rewritten`,
        );
      }
      this.maxQ = signedSeq;
    } else if (signedSeq > expected) {
      this.pending.push({ from: expected, to: signedSeq - 1, at: p, after: signedSeq, reported: false });
      this.maxQ = signedSeq;
    } else if (this.takePending(signedSeq, p)) {
      // reported once per hole, by takePending
    } else {
      const earlier = this.signed.get(signedSeq);
      if (earlier && earlier.hashes.some((h) => hashes.includes(h))) {
        log.add(
          'RECORD_DUPLICATE',
          chain,
          p,
          `the record signed as seq ${signedSeq} (stored at seq ${earlier.at}) is stored again`,
        );
        return { duplicate: true, signedSeq };
      }
      if (earlier && !earlier.good && good) {
        log.add(
          'RECORD_INSERTED',
          chain,
          earlier.at,
          `the record at seq ${earlier.at} is not part of the signed chain: the record signed as seq ${signedSeq} ` +
            `follows at seq ${p}`,
        );
      } else {
        log.add(
          'RECORD_INSERTED',
          chain,
          p,
          `a second record claims signed seq ${signedSeq}${earlier ? ` (first at seq ${earlier.at})` : ''}; ` +
            'it is not part of the signed chain',
        );
        keep = false;
        checkLink = false;
      }
    }
    if (checkLink) {
      if (signedSeq === 0) {
        if (prev !== null)
          log.add('CHAIN_LINK_BROKEN', chain, p, 'the first record of the chain names a previous record');
      } else {
        const before = this.signed.get(signedSeq - 1);
        if (before && !before.hashes.includes(prev ?? '')) {
          log.add(
            'CHAIN_LINK_BROKEN',
            chain,
            p,
            `prev does not name the hash of the record signed as seq ${signedSeq - 1}`,
          );
        } else if (!before && this.first !== null && signedSeq > this.first.at) {
          // Its predecessor is stored later (a reorder): checked when it comes.
          this.waiting.set(signedSeq - 1, { prev: prev ?? '', at: p, q: signedSeq });
          if (this.waiting.size > WINDOW) this.waiting.delete(this.waiting.keys().next().value as number);
        }
      }
    }
    if (keep) {
      const next = this.waiting.get(signedSeq);
      if (next !== undefined) {
        this.waiting.delete(signedSeq);
        if (!hashes.includes(next.prev))
          log.add(
            'CHAIN_LINK_BROKEN',
            chain,
            next.at,
            `prev does not name the hash of the record signed as seq ${signedSeq}`,
          );
      }
      this.signed.set(signedSeq, { hashes, at: p, good });
      if (this.signed.size > WINDOW) this.signed.delete(this.signed.keys().next().value as number);
    }
    this.lastP = p;
    this.lastQ = signedSeq;
    while (this.pending.length > 0 && (this.pending[0] as Hole).at < p - WINDOW)
      this.reportGap(this.pending.shift() as Hole);
    return { duplicate: false, signedSeq };
  }

  /** Holes never filled are gaps. */
  finish(): void {
    for (const hole of this.pending) this.reportGap(hole);
    this.pending = [];
  }

  private reportGap(hole: Hole): void {
    this.log.add('CHAIN_SEQ_GAP', this.chain, hole.at, `records ${hole.from}..${hole.to} are missing`);
  }

  /** A record signed as seq q fills a hole: the first fill of a hole reports the reorder, where the hole opened. */
  private takePending(q: number, p: number): boolean {
    const i = this.pending.findIndex((h) => h.from <= q && q <= h.to);
    if (i < 0) return false;
    const hole = this.pending[i] as Hole;
    if (!hole.reported) {
      const what =
        hole.from === hole.to
          ? `the record signed as seq ${hole.from} is`
          : `records signed as seq ${hole.from}..${hole.to} are`;
      this.log.add(
        'CHAIN_REORDERED',
        this.chain,
        hole.at,
        `${what} stored after the record signed as seq ${hole.after} (stored at seq ${hole.at}); found at seq ${p}`,
      );
    }
    const parts: Hole[] = [
      ...(hole.from < q ? [{ ...hole, to: q - 1, reported: true }] : []),
      ...(q < hole.to ? [{ ...hole, from: q + 1, reported: true }] : []),
    ];
    this.pending.splice(i, 1, ...parts);
    return true;
  }
}
