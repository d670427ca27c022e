// `proctor verify`: a thin shell over the verifier library. Sources: a database (--db / --pglite), a checkpoint
// stream on its own (--checkpoints without a database), or an evidence packet (positional *.tar.gz, verified by
// src/evidence). Exit 0 clean (warnings that leave nothing unproven allowed), 1 integrity failure (a chain the state
// file or sink names missing included), 2 usage error (naming the bad flag), 3 inconclusive (no trusted key, no
// records, a pinned key not found, no trusted checkpoint for the tail with --state/--checkpoints, or the ledger
// unreadable). The state file (--state) moves only after a clean run with every signature checked.
import { connectPostgres, openPglite } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { LedgerError } from '../ledger/index.ts';
import {
  readVerifyState,
  sqlSource,
  StateFileError,
  verifyCheckpointStream,
  verifyLedger,
  writeVerifyState,
} from '../verify/index.ts';
import type { RememberedCheckpoint, StreamEntry, VerifyReport, VerifyState } from '../verify/index.ts';
import { CliUsageError } from './usage-error.ts';
import { parseVerifyArgs, readCheckpointSink, readTrust } from './verify-args.ts';
import type { TrustInput, VerifyArgs } from './verify-args.ts';
import { formatVerifyJson, formatVerifyReport, verifyExitCode } from './verify-report.ts';
import { runPacketVerify } from './verify-packet.ts';
import { startWitnessCheck } from './verify-witness.ts';

export { formatVerifyJson, formatVerifyReport, verifyExitCode } from './verify-report.ts';

export interface VerifyIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  /** Whether stderr is a terminal (progress is shown there on long runs); default: process.stderr.isTTY. */
  stderrIsTTY?: boolean;
}

const USAGE = `usage: proctor verify (--db <postgres url> | --pglite <dir> | --checkpoints <file> | <packet.tar.gz>) \
--trust <key> [options]

  --db <url>           PostgreSQL URL (default: $DATABASE_URL)
  --pglite <dir>       a PGlite data directory instead of PostgreSQL
  --checkpoints <f>    a checkpoint sink file (JSON Lines) kept outside the database; with a database its
                       checkpoints are checked against the records, without one the stream is verified on its own
  --trust <key>        pinned out of band (repeatable): a PEM file of Ed25519 public keys, a keyring JSON (validity
                       windows enforced), or a fingerprint ed25519:<hex> (resolved against keys found in the source)
  --trust-exporter <f> packets only: PEM public key(s) of exporters whose signed manifest you accept (docs/auditing.md)
  --chain <id>         verify only this chain (repeatable; default: every chain)
  --state <file>       remember the newest checkpoint accepted per chain; later runs flag rollback and rewrites
                       against it (created if missing; updated only after a clean run with every signature checked)
  --signatures <mode>  all (default) | sample (a seeded sample plus first, last and key records) | checkpoints
  --sample-seed <hex>  reproduce a sample
  --workers <n>        worker threads for record checks (default: one per core; 0: none)
  --progress           progress on stderr (default: only when stderr is a terminal and the run takes over a second)
  --json               print the report as JSON
  --witness <vkey>     a C2SP tlog-witness verifier key, pinned (repeatable): each chain's newest checkpoint must carry
                       cosignatures of --witness-quorum of them (default: all), and the records must reach and match it
  --witness-quorum <n> cosignatures required per checkpoint
  --witness-url <url>  ask the n-th --witness online the size it cosigned per chain: a rollback or deleted tail is
                       caught with no --state file (docs/auditing.md)

chains the state file or --checkpoints name must be in the database (CHAIN_MISSING); a chain no trusted checkpoint
covers is a VERIFY_TAIL_UNANCHORED warning (exit 3 with --state/--checkpoints, else printed, exit 0)

exit: 0 verified (warnings allowed), 1 integrity failure, 2 usage error, 3 inconclusive
`;

export async function runVerify(args: string[], io: VerifyIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  // An evidence packet has its own flags (--trust-exporter) and checks: src/cli/verify-packet.ts.
  if (args.some((a) => !a.startsWith('-') && a.endsWith('.tar.gz'))) return runPacketVerify(args, io);
  let parsed: VerifyArgs;
  let trust: TrustInput;
  let sink: StreamEntry[];
  let state: VerifyState | null = null;
  try {
    parsed = parseVerifyArgs(args, io.env);
    trust = readTrust(parsed.trust);
    sink = parsed.checkpoints.flatMap(readCheckpointSink);
    if (parsed.state !== undefined) state = readVerifyState(parsed.state);
  } catch (err) {
    if (err instanceof StateFileError) {
      io.stderr(`proctor verify: --state: ${err.message}\n`);
      return 2;
    }
    if (!(err instanceof CliUsageError)) throw err;
    io.stderr(`proctor verify: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.packet !== undefined) {
    io.stderr(`proctor verify: ${parsed.packet}: an evidence packet is a *.tar.gz file\n`);
    return 2;
  }
  const remembered: Record<string, RememberedCheckpoint> = state?.chains ?? {};

  let report: VerifyReport;
  if (parsed.db === undefined && parsed.pglite === undefined) {
    if (trust.fingerprints.length > 0 && trust.pems.length === 0) {
      io.stderr(
        'proctor verify: --trust: a checkpoint stream holds no public keys to resolve a fingerprint against; give ' +
          'the PEM or keyring\n',
      );
      return 2;
    }
    report = verifyCheckpointStream({
      entries: sink,
      trustedKeys: trust.pems,
      ...(parsed.chains.length > 0 ? { chains: parsed.chains } : {}),
      remembered,
      describe: `checkpoint stream ${parsed.checkpoints.join(', ')}`,
    });
    // --witness: the sink's cosignatures (src/cli/verify-witness.ts)
    const witnessed = await startWitnessCheck(null, sink, parsed);
    if (witnessed) report = await witnessed.finish(report);
  } else {
    let sql: Sql | undefined;
    const progress = progressReporter(io, parsed.progress);
    try {
      sql =
        parsed.pglite !== undefined ? await openPglite(parsed.pglite) : connectPostgres(parsed.db ?? '', { max: 2 });
      const describe = parsed.pglite !== undefined ? `pglite ${parsed.pglite}` : redactUrl(parsed.db ?? '');
      // --witness: quorum-cosigned checkpoints join the trusted ones; witness findings are added after
      // (src/cli/verify-witness.ts).
      const witnessed = await startWitnessCheck(sql, sink, parsed);
      report = await verifyLedger({
        source: sqlSource(
          sql,
          sink.length > 0 ? `${describe} with checkpoint stream ${parsed.checkpoints.join(', ')}` : describe,
        ),
        trustedKeys: trust.pems,
        trustedFingerprints: trust.fingerprints,
        ...(parsed.chains.length > 0 ? { chains: parsed.chains } : {}),
        checkpoints: [...sink.map(({ chain, note }) => ({ chain, note })), ...(witnessed?.anchors ?? [])],
        keyWindows: trust.windows,
        remembered,
        // With --state or --checkpoints the auditor asked for anchored tails: an unanchored one is inconclusive.
        // Without, it is still said (a warning, exit 0): deleting a tail with its stored checkpoints would go unseen.
        requireAnchor: parsed.state !== undefined || sink.length > 0,
        warnUnanchored: true,
        signatures: parsed.signatures,
        ...(parsed.sampleSeed !== undefined ? { sampleSeed: parsed.sampleSeed } : {}),
        ...(parsed.workers !== undefined ? { workers: parsed.workers } : {}),
        onProgress: progress.update,
      });
      if (witnessed) report = await witnessed.finish(report);
    } catch (err) {
      progress.done();
      const why = err instanceof LedgerError ? err.code : 'ERR_AUDIT_UNAVAILABLE';
      io.stderr(
        `proctor verify: the ledger could not be read (${why}); nothing was verified — verdict: INCONCLUSIVE\n`,
      );
      return 3;
    } finally {
      await sql?.close().catch(() => undefined);
    }
    progress.done();
  }

  const code = verifyExitCode(report);
  let stateNote: string | undefined;
  if (parsed.state !== undefined && state !== null) {
    try {
      stateNote = updateState(parsed.state, state, report, code);
    } catch (err) {
      if (!(err instanceof StateFileError)) throw err;
      io.stderr(`proctor verify: --state: ${err.message}\n`);
      stateNote = `NOT updated: ${err.message}`;
    }
  }
  io.stdout(
    parsed.json
      ? formatVerifyJson(report, stateNote === undefined ? {} : { state: stateNote })
      : formatVerifyReport(report, stateNote === undefined ? {} : { state: stateNote }),
  );
  return code;
}

/** Moves the state file to the checkpoints this run accepted, only after a clean, full run. */
function updateState(file: string, state: VerifyState, report: VerifyReport, code: number): string {
  if (code !== 0) return `not updated (${file}): the run was not clean`;
  if (report.kind !== 'ledger') return `not updated (${file}): only a run over the records can accept a checkpoint`;
  if (report.signatures !== 'all')
    return `not updated (${file}): not every signature was checked (--signatures ${report.signatures})`;
  const now = new Date().toISOString();
  const moved: string[] = [];
  const next: VerifyState = { version: 1, chains: { ...state.chains } };
  for (const c of report.chains) {
    if (c.checkpoint === null) continue;
    const before = next.chains[c.chain];
    if (before && before.size === c.checkpoint.size && before.root === c.checkpoint.root) continue;
    next.chains[c.chain] = {
      origin: c.checkpoint.origin,
      size: c.checkpoint.size,
      root: c.checkpoint.root,
      note: c.checkpoint.note,
      accepted_at: now,
    };
    moved.push(`${c.chain} at ${c.checkpoint.size} records`);
  }
  if (moved.length === 0) return `unchanged (${file})`;
  writeVerifyState(file, next);
  return `updated ${file}: ${moved.join(', ')}`;
}

function progressReporter(
  io: VerifyIo,
  forced: boolean,
): { update: (p: { chain: string; records: number }) => void; done: () => void } {
  const show = forced || (io.stderrIsTTY ?? process.stderr.isTTY === true);
  const started = Date.now();
  let last = started;
  let total = 0;
  let chainSeen = '';
  let chainRecords = 0;
  let shown = false;
  return {
    update({ chain, records }) {
      if (chain !== chainSeen) {
        chainSeen = chain;
        chainRecords = 0;
      }
      total += records - chainRecords;
      chainRecords = records;
      const now = Date.now();
      if (!show || now - started < 1000 || now - last < 1000) return;
      last = now;
      shown = true;
      const rate = Math.round((total * 1000) / (now - started));
      io.stderr(`verify: chain ${chain}: ${records} records checked (${total} in all, ${rate} records/s)\n`);
    },
    done() {
      if (shown) io.stderr(`verify: ${total} records checked in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgres'; // never echo a URL we cannot parse: it may hold a password
  }
}
