// What a verification is asked (VerifyOptions) and what it answers (VerifyReport, one ChainSummary per chain): the
// shapes the verifier, the checkpoint-stream and packet checks and the CLI share. The report is printed as JSON by
// `proctor verify --json`.
import type { Sql } from '../db/index.ts';
import type { KeyWindow, SignatureBackend } from '../ledger/format.ts';
import type { AcceptedCheckpoint, ExternalCheckpoint, RememberedCheckpoint } from './checkpoints.ts';
import type { VerifyFinding } from './findings.ts';
import type { LedgerSource } from './source.ts';

export type SignatureMode = 'all' | 'sample' | 'checkpoints';

export interface ChainSummary {
  chain: string;
  records: number;
  first_seq: number | null;
  last_seq: number | null;
  first_ts: string | null;
  last_ts: string | null;
  head_hash: string | null;
  /** Record signatures verified under a trusted key. */
  signatures_checked: number;
  /** The newest checkpoint whose signature held and whose root matched the records: what a state file remembers. */
  checkpoint: AcceptedCheckpoint | null;
  /** Records 0..n were removed by retention, accounted for by a signed retention_applied record; else null. */
  trimmed_through: number | null;
}

export interface VerifyReport {
  /** What was checked: a ledger's records, a checkpoint stream alone, or an evidence packet. */
  kind: 'ledger' | 'checkpoint-stream' | 'packet';
  /** No error findings and not inconclusive. */
  ok: boolean;
  /** Something could not be proven: no trusted key, no records, a pinned key not found, an unanchored tail. */
  inconclusive: boolean;
  source: string;
  signatures: SignatureMode;
  /** The seed of the sample (signatures = sample), to reproduce it. */
  sample_seed: string | null;
  /** What checked the record signatures (ledger reports): the native addon, with node:crypto re-checking every
   * signature it did not accept, or node:crypto alone. The verdicts are the same either way (docs/auditing.md). */
  signature_backend?: SignatureBackend;
  trusted_kids: string[];
  chains: ChainSummary[];
  findings: VerifyFinding[];
}

export interface VerifyOptions {
  /** The database to read (or give `source`). */
  sql?: Sql;
  source?: LedgerSource;
  /** SPKI PEM Ed25519 public keys, pinned out of band. */
  trustedKeys: string[];
  /** Pinned key fingerprints (`ed25519:<hex>`), resolved against public keys found in the source: a fingerprint
   * names exactly one key, so a key that matches it is the pinned key wherever it was found. */
  trustedFingerprints?: string[];
  /** Only these chains (default: every chain in the source). */
  chains?: string[];
  /** Validity windows by kid (from a keyring): a record signed outside its key's window is
   * RECORD_KEY_OUTSIDE_WINDOW. */
  keyWindows?: Map<string, KeyWindow>;
  /** Checkpoint notes kept outside the database (the sink file), checked like the stored ones. */
  checkpoints?: ExternalCheckpoint[];
  /** Per chain, the checkpoint an earlier clean run accepted (the state file). */
  remembered?: Record<string, RememberedCheckpoint>;
  /** A chain with no trusted checkpoint to compare its tail with is inconclusive (VERIFY_TAIL_UNANCHORED). */
  requireAnchor?: boolean;
  /** Without requireAnchor: such a chain still gets the VERIFY_TAIL_UNANCHORED warning, without making the run
   * inconclusive (the CLI's choice when the auditor gave no --state or --checkpoints). */
  warnUnanchored?: boolean;
  /** all (default): every record signature; sample: a seeded sample plus the first, last and key records;
   * checkpoints: checkpoint signatures only (and key records), with every hash, link and root. */
  signatures?: SignatureMode;
  /** Hex seed of the sample; random when absent (reported, so a run can be reproduced). */
  sampleSeed?: string;
  /** Worker threads for record checks (default: one per core; 0: inline). */
  workers?: number;
  pageSize?: number;
  onProgress?: (progress: { chain: string; records: number }) => void;
}

/** A chain with nothing checked yet. */
export function emptySummary(chain: string): ChainSummary {
  return {
    chain,
    records: 0,
    first_seq: null,
    last_seq: null,
    first_ts: null,
    last_ts: null,
    head_hash: null,
    signatures_checked: 0,
    checkpoint: null,
    trimmed_through: null,
  };
}
