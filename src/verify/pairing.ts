// Decision/outcome pairing within one chain. An allowed decision waits for its outcome (DECISION_WITHOUT_OUTCOME,
// a warning: a crash between the two is incomplete, not tampering); a denial is complete on its own but may have
// one. An outcome MUST name an earlier decision of the chain (OUTCOME_WITHOUT_DECISION, an error). An outcome
// stored before its decision pairs up if the decision was signed earlier (the reorder itself is reported by
// src/verify/order.ts). Outcomes of decisions no longer in memory are looked up in the source at the end.
// An outcome's query columns (subject, decision, policy_version) MUST be NULL or those its decision's bytes imply
// (RECORD_INDEX_MISMATCH), checked when its decision is still waiting for it or among the RECENT ones seen before it.
import type { FindingLog } from './findings.ts';
import { columnsDiffer } from '../ledger/format.ts';
import type { QueryColumns } from '../ledger/format.ts';
import type { RecordFacts } from './inspect-record.ts';
import type { LedgerSource } from './source.ts';

const RECENT = 65_536;
const HASH = /^[0-9a-f]{64}$/;

export class Pairing {
  /** Allowed decisions still waiting for their outcome (however long ago), with their query columns. */
  private readonly open = new Map<string, { at: number; columns: QueryColumns | null }>();
  private readonly recent = new Map<string, { at: number; signedSeq: number; columns: QueryColumns | null }>();
  private readonly orphans = new Map<string, { at: number; signedSeq: number; decisionHash: string }[]>();
  private readonly chain: string;
  private readonly log: FindingLog;
  private readonly source: LedgerSource;

  constructor(chain: string, log: FindingLog, source: LedgerSource) {
    this.chain = chain;
    this.log = log;
    this.source = source;
  }

  /** A readable record at `at`, signed as seq `signedSeq`. */
  see(f: RecordFacts, at: number, signedSeq: number): void {
    if (f.type === 'decision') {
      // Outcomes name the hash the writer returned: the claimed one (equal to the recomputed one unless altered).
      const hash = f.claimedHash ?? f.hash;
      const orphans = this.orphans.get(hash) ?? [];
      const waiting = orphans.filter((o) => o.signedSeq > signedSeq);
      if (waiting.length > 0) {
        const rest = orphans.filter((o) => o.signedSeq <= signedSeq);
        if (rest.length > 0) this.orphans.set(hash, rest);
        else this.orphans.delete(hash);
      } else if (f.allow !== false) this.open.set(hash, { at, columns: f.columns });
      this.recent.set(hash, { at, signedSeq, columns: f.columns });
      if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value as string);
      return;
    }
    if (f.type !== 'outcome') return;
    const dh = f.decisionHash;
    if (dh === null || !HASH.test(dh)) {
      this.log.add('OUTCOME_WITHOUT_DECISION', this.chain, at, 'decision_hash names no earlier decision in this chain');
      return;
    }
    const earlier = this.recent.get(dh);
    const waiting = this.open.get(dh);
    const decided = waiting ?? (earlier && earlier.at < at ? earlier : undefined);
    if (decided && decided.columns !== null && f.columns !== null) {
      const differs = columnsDiffer(decided.columns, f.columns);
      if (differs.length > 0)
        this.log.add(
          'RECORD_INDEX_MISMATCH',
          this.chain,
          at,
          `index column(s) disagree with the decision this outcome names: ${differs.join(', ')}`,
        );
    }
    if (this.open.delete(dh)) return;
    if (earlier && earlier.at < at) return;
    const list = this.orphans.get(dh) ?? [];
    list.push({ at, signedSeq, decisionHash: dh });
    this.orphans.set(dh, list);
  }

  async finish(): Promise<void> {
    for (const [hash, list] of this.orphans) {
      const found = await this.source.findRecord(this.chain, hash);
      for (const o of list) {
        if (found && found.type === 'decision' && found.seq < o.at) continue;
        this.log.add(
          'OUTCOME_WITHOUT_DECISION',
          this.chain,
          o.at,
          'decision_hash names no earlier decision in this chain',
        );
      }
    }
    for (const [, { at }] of this.open) {
      this.log.add(
        'DECISION_WITHOUT_OUTCOME',
        this.chain,
        at,
        'an allowed decision has no outcome record (incomplete, not tampering)',
      );
    }
  }
}
