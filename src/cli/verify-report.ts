// How a verify report is shown: one short human summary (what was checked, from when to when, records per chain,
// every finding with where and why, the verdict) and the exit code. Shared by every kind of verify (ledger,
// checkpoint stream, evidence packet). Output names chains, seqs, key ids and finding codes — never record contents.
import type { VerifyReport } from '../verify/index.ts';

/** 0 verified (warnings and notes allowed unless the run is inconclusive), 1 integrity failure (any error wins),
 * 3 inconclusive. */
export function verifyExitCode(report: VerifyReport): 0 | 1 | 3 {
  if (report.findings.some((f) => f.severity === 'error')) return 1;
  return report.inconclusive ? 3 : 0;
}

const CHECKED: Record<VerifyReport['kind'], string> = {
  ledger:
    'canonical bytes (RFC 8785), schema, hashes, signatures and key validity, every column against the bytes ' +
    '(subject, decision, policy_version, kid included), signed order (gaps, reorders, insertions, duplicates, ' +
    'links), chain heads, signed checkpoints (RFC 6962 roots), decision/outcome pairs, chains the state file or ' +
    'sink names present',
  'checkpoint-stream':
    'checkpoint signatures, note bodies against their columns, one origin per chain, sizes never shrinking, one root ' +
    'per size (records not read: consistency across sizes needs the database or a packet)',
  packet: 'manifest signature, file digests, records, inclusion and consistency proofs, checkpoints',
};

export interface FormatContext {
  /** What the state file did, if one was given. */
  state?: string;
}

export function formatVerifyReport(report: VerifyReport, context: FormatContext = {}): string {
  const lines: string[] = [];
  lines.push(`source: ${report.source}`);
  lines.push(`trusted keys: ${report.trusted_kids.length === 0 ? 'none' : report.trusted_kids.join(', ')}`);
  lines.push(`checked: ${CHECKED[report.kind]}`);
  if (report.kind === 'ledger') {
    const total = report.chains.reduce((n, c) => n + c.records, 0);
    const signed = report.chains.reduce((n, c) => n + c.signatures_checked, 0);
    const how = {
      all: 'every record',
      sample: `a sample (seed ${report.sample_seed ?? '?'}) plus the first, last and key records`,
      checkpoints: 'checkpoints and key records only',
    }[report.signatures];
    const backend =
      report.signature_backend === undefined
        ? ''
        : ` (Ed25519 by ${
            report.signature_backend === 'native-ed25519-dalek'
              ? 'the native ed25519-dalek addon, node:crypto re-checking any it rejects'
              : 'node:crypto'
          })`;
    lines.push(`signatures: ${how}: ${signed} of ${total} record signatures verified${backend}`);
  }
  const from = report.chains
    .map((c) => c.first_ts)
    .filter((t): t is string => t !== null)
    .sort()[0];
  const until = report.chains
    .map((c) => c.last_ts)
    .filter((t): t is string => t !== null)
    .sort()
    .at(-1);
  if (from !== undefined && until !== undefined) lines.push(`time range: ${from} .. ${until}`);
  for (const c of report.chains) {
    if (report.kind === 'checkpoint-stream') {
      lines.push(`chain ${c.chain}: newest checkpoint covers ${c.records} records`);
      continue;
    }
    if (c.records === 0 && report.findings.some((f) => f.code === 'CHAIN_MISSING' && f.chain === c.chain)) {
      lines.push(`chain ${c.chain}: MISSING (named by the state file or the checkpoint sink)`);
      continue;
    }
    const span =
      c.first_seq === null
        ? 'no records'
        : `seq ${c.first_seq}..${String(c.last_seq)}, ${c.first_ts ?? '?'} .. ${c.last_ts ?? '?'}`;
    const anchor =
      c.checkpoint === null
        ? 'tail not anchored by a trusted checkpoint'
        : `tail anchored by the ${c.checkpoint.source} checkpoint at ${c.checkpoint.size} records`;
    const trimmed = c.trimmed_through === null ? '' : `, records 0..${c.trimmed_through} removed by retention`;
    lines.push(
      `chain ${c.chain}: ${c.records} records, ${span}${trimmed}; ${anchor}` +
        `${c.head_hash ? `; head ${c.head_hash}` : ''}`,
    );
  }
  for (const f of report.findings) {
    const where = `${f.chain === '' ? '' : `chain ${f.chain}`}${f.seq === null ? '' : ` seq ${f.seq}`}`.trim();
    lines.push(`${f.severity.toUpperCase()} ${f.code}${where ? ` (${where})` : ''}: ${f.message}`);
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  const code = verifyExitCode(report);
  const verdict =
    code === 1
      ? 'FAILED: integrity errors found'
      : code === 3
        ? 'INCONCLUSIVE: not everything could be proven'
        : 'OK: verified';
  lines.push(`verdict: ${verdict} (${errors} error(s), ${warnings} warning(s))`);
  if (context.state !== undefined) lines.push(`state: ${context.state}`);
  return `${lines.join('\n')}\n`;
}

/** The report as JSON, for machines (the same object the library returns). */
export function formatVerifyJson(report: VerifyReport, context: FormatContext = {}): string {
  return `${JSON.stringify(context.state === undefined ? report : { ...report, state: context.state }, null, 2)}\n`;
}
