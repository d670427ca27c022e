// What `verify` can find, with a stable code and a fixed severity each. Errors mean the ledger is not what was
// signed (tampering, loss, or a writer bug); warnings mean incomplete but untampered (a crash between decision and
// outcome) or not provable; info notes a documented, signed event (a chain trimmed by retention). Findings name
// chain, seq and why — never record contents. Codes are stable: docs/auditing.md lists each with what to do.

export const FINDING_SEVERITY = {
  RECORD_NOT_CANONICAL: 'error',
  RECORD_SCHEMA_INVALID: 'error',
  RECORD_HASH_MISMATCH: 'error',
  RECORD_SIGNATURE_INVALID: 'error',
  RECORD_KEY_UNTRUSTED: 'error',
  RECORD_KEY_RETIRED: 'error',
  RECORD_KEY_OUTSIDE_WINDOW: 'error',
  KEY_ROTATION_INVALID: 'error',
  RECORD_INDEX_MISMATCH: 'error',
  RECORD_DUPLICATE: 'error',
  CHAIN_LINK_BROKEN: 'error',
  CHAIN_SEQ_GAP: 'error',
  CHAIN_HEAD_MISMATCH: 'error',
  CHAIN_TRUNCATED: 'error',
  CHECKPOINT_MISMATCH: 'error',
  CHECKPOINT_INVALID: 'error',
  CHAIN_REORDERED: 'error',
  RECORD_INSERTED: 'error',
  CHAIN_ROLLED_BACK: 'error',
  CHAIN_MISSING: 'error',
  CHECKPOINT_INCONSISTENT: 'error',
  // Witnesses (verify --witness, src/verify/witness.ts): the chain is not what a quorum of them cosigned.
  WITNESS_QUORUM_MISSING: 'error',
  WITNESS_COSIGNATURE_INVALID: 'error',
  WITNESS_FORK: 'error',
  WITNESS_UNREACHABLE: 'warning',
  WITNESS_AHEAD: 'warning',
  WITNESS_BEHIND: 'info',
  CHAIN_TRIMMED: 'info',
  VERIFY_TAIL_UNANCHORED: 'warning',
  TRUST_KEY_NOT_FOUND: 'warning',
  OUTCOME_WITHOUT_DECISION: 'error',
  DECISION_WITHOUT_OUTCOME: 'warning',
  VERIFY_NO_TRUSTED_KEY: 'warning',
  VERIFY_NO_RECORDS: 'warning',
  // Evidence packets (src/evidence/, docs/auditing.md): the packet is not what its exporter signed, or a record in
  // it is not proven to be in a checkpointed chain.
  PACKET_MALFORMED: 'error',
  PACKET_MANIFEST_SIGNATURE_INVALID: 'error',
  PACKET_FILE_DIGEST_MISMATCH: 'error',
  PACKET_FILE_MISSING: 'error',
  PACKET_FILE_UNLISTED: 'error',
  PACKET_RECORD_MISSING: 'error',
  PACKET_PROOF_INVALID: 'error',
  PACKET_CONSISTENCY_INVALID: 'error',
  PACKET_BUNDLE_MISMATCH: 'error',
  PACKET_EXPORTER_UNTRUSTED: 'warning',
} as const satisfies Record<string, FindingSeverity>;

export type FindingSeverity = 'error' | 'warning' | 'info';

export type FindingCode = keyof typeof FINDING_SEVERITY;

export interface VerifyFinding {
  code: FindingCode;
  severity: FindingSeverity;
  chain: string;
  seq: number | null;
  message: string;
}

/** Per chain and code, at most this many findings are listed; the rest are counted in one closing finding. */
const LIST_LIMIT = 100;

export class FindingLog {
  readonly findings: VerifyFinding[] = [];
  private readonly counts = new Map<string, number>();

  add(code: FindingCode, chain: string, seq: number | null, message: string): void {
    const key = `${chain}\u0000${code}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n <= LIST_LIMIT) this.findings.push({ code, severity: FINDING_SEVERITY[code], chain, seq, message });
  }

  /** Closes a chain: one finding per code whose findings were not all listed. */
  closeChain(chain: string): void {
    for (const [key, n] of this.counts) {
      const [keyChain, code] = key.split('\u0000') as [string, FindingCode];
      if (keyChain !== chain || n <= LIST_LIMIT) continue;
      this.findings.push({
        code,
        severity: FINDING_SEVERITY[code],
        chain,
        seq: null,
        message: `${n - LIST_LIMIT} more ${code} findings in this chain are not listed (${n} in all)`,
      });
    }
  }

  get errorCount(): number {
    return this.findings.filter((f) => f.severity === 'error').length;
  }
}
