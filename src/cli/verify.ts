// `proctor verify`: a thin shell over verifyLedger. Exit 0 clean (warnings allowed), 1 integrity failure,
// 2 usage error (naming the bad flag), 3 inconclusive (no trusted key, no records, or the ledger unreadable).
// Output names chains, seqs and finding codes only — never record contents. --json prints the report alone.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { connectPostgres, openPglite } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { keyWindows as keyringWindows, kidOf, LedgerError, parseKeyring, verifyLedger } from '../ledger/index.ts';
import type { ExternalCheckpoint, Keyring, KeyWindow, VerifyReport } from '../ledger/index.ts';

export interface VerifyIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

const USAGE = `usage: proctor verify (--db <postgres url> | --pglite <dir>) --trust <public key PEM file> [options]

  --db <url>        PostgreSQL URL (default: $DATABASE_URL)
  --pglite <dir>    a PGlite data directory instead of PostgreSQL
  --trust <file>    PEM Ed25519 public key(s), or a keyring JSON with validity windows, pinned out of band (repeatable)
  --chain <id>      verify only this chain (repeatable; default: every chain)
  --checkpoints <f> a checkpoint sink file (JSON Lines) kept outside the database, checked like stored checkpoints
  --json            print the report as JSON

exit: 0 verified (warnings allowed), 1 integrity failure, 2 usage error, 3 inconclusive
`;

interface Args {
  db: string | undefined;
  pglite: string | undefined;
  trust: string[];
  chains: string[];
  checkpoints: string[];
  json: boolean;
}

class UsageError extends Error {}

export async function runVerify(args: string[], io: VerifyIo): Promise<number> {
  let parsed: Args;
  let trustedKeys: string[];
  let checkpoints: ExternalCheckpoint[];
  const keyWindows = new Map<string, KeyWindow>();
  try {
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout(USAGE);
      return 0;
    }
    parsed = parseArgs(args, io.env);
    trustedKeys = parsed.trust.flatMap((file) => readTrustFile(file, keyWindows));
    checkpoints = parsed.checkpoints.flatMap(readCheckpointSink);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`proctor verify: ${err.message}\n\n${USAGE}`);
    return 2;
  }

  let sql: Sql | undefined;
  let report: VerifyReport;
  let reported = 0;
  try {
    sql = parsed.pglite !== undefined ? await openPglite(parsed.pglite) : connectPostgres(parsed.db ?? '', { max: 2 });
    report = await verifyLedger({
      sql,
      trustedKeys,
      ...(parsed.chains.length > 0 ? { chains: parsed.chains } : {}),
      checkpoints,
      keyWindows,
      onProgress: ({ chain, records }) => {
        if (records < reported) reported = 0; // a new chain
        if (records - reported < 100_000) return;
        reported = records;
        io.stderr(`verify: chain ${chain}: ${records} records checked\n`);
      },
    });
  } catch (err) {
    const why = err instanceof LedgerError ? err.code : 'ERR_AUDIT_UNAVAILABLE';
    io.stderr(`proctor verify: the ledger could not be read (${why}); nothing was verified — verdict: INCONCLUSIVE\n`);
    return 3;
  } finally {
    await sql?.close().catch(() => undefined);
  }

  if (parsed.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(summary(report, parsed, trustedKeys));
  const errors = report.findings.some((f) => f.severity === 'error');
  return errors ? 1 : report.inconclusive ? 3 : 0;
}

function parseArgs(args: string[], env: Record<string, string | undefined>): Args {
  const out: Args = { db: undefined, pglite: undefined, trust: [], chains: [], checkpoints: [], json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) {
        throw new UsageError(`${flag} needs a value`);
      }
      return v;
    };
    switch (flag) {
      case '--db':
        out.db = value();
        break;
      case '--pglite':
        out.pglite = value();
        break;
      case '--trust':
        out.trust.push(value());
        break;
      case '--chain':
        out.chains.push(value());
        break;
      case '--checkpoints':
        out.checkpoints.push(value());
        break;
      case '--json':
        if (inline !== undefined) throw new UsageError('--json takes no value');
        out.json = true;
        break;
      default:
        throw new UsageError(`unknown argument ${flag}`);
    }
  }
  if (out.db !== undefined && out.pglite !== undefined) throw new UsageError('--db and --pglite exclude each other');
  if (out.pglite !== undefined) {
    if (!existsSync(path.join(out.pglite, 'PG_VERSION'))) throw new UsageError(`--pglite: no database in ${out.pglite}`);
    return out;
  }
  out.db ??= env.DATABASE_URL;
  if (out.db === undefined) throw new UsageError('--db (or $DATABASE_URL) or --pglite is required');
  if (!/^postgres(ql)?:\/\//.test(out.db)) throw new UsageError('--db must be a postgres:// URL');
  return out;
}

/** A checkpoint sink: one JSON object per line, { chain, note, … }. */
function readCheckpointSink(file: string): ExternalCheckpoint[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--checkpoints: cannot read ${file}`);
  }
  return text.split('\n').filter((line) => line.trim() !== '').map((line, i) => {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw new UsageError(`--checkpoints: ${file} line ${i + 1} is not JSON`);
    }
    const { chain, note } = (entry ?? {}) as { chain?: unknown; note?: unknown };
    if (typeof chain !== 'string' || typeof note !== 'string') throw new UsageError(`--checkpoints: ${file} line ${i + 1} has no chain and note`);
    return { chain, note };
  });
}

/** A trust file holds one or more PEM public keys, or is a keyring (JSON, docs/ledger.md) whose windows are enforced. */
function readTrustFile(file: string, windows: Map<string, KeyWindow>): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--trust: cannot read ${file}`);
  }
  if (text.trimStart().startsWith('{')) {
    let keyring: Keyring;
    try {
      keyring = parseKeyring(text);
    } catch (err) {
      throw new UsageError(`--trust: ${file} is not a valid keyring (${err instanceof Error ? err.message : 'invalid'})`);
    }
    for (const [kid, w] of keyringWindows(keyring)) windows.set(kid, w);
    return keyring.keys.map((k) => k.public_key_pem);
  }
  const pems = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  if (pems.length === 0) throw new UsageError(`--trust: ${file} holds no PEM public key`);
  for (const pem of pems) {
    try {
      kidOf(pem);
    } catch {
      throw new UsageError(`--trust: ${file} holds a key that is not an Ed25519 public key`);
    }
  }
  return pems;
}

function summary(report: VerifyReport, args: Args, trustedKeys: string[]): string {
  const lines: string[] = [];
  lines.push(`source: ${args.pglite !== undefined ? `pglite ${args.pglite}` : redactUrl(args.db ?? '')}`);
  lines.push(`trusted keys: ${trustedKeys.length === 0 ? 'none' : trustedKeys.map(kidOf).join(', ')}`);
  lines.push(
    'checked: canonical bytes (RFC 8785), schema, hashes, signatures, index columns, chain links, sequence, chain heads, signed checkpoints (RFC 6962 roots), decision/outcome pairs',
  );
  for (const c of report.chains) {
    const span = c.first_ts === null ? 'no records' : `${c.first_ts} .. ${c.last_ts ?? '?'}`;
    lines.push(`chain ${c.chain}: ${c.records} records, ${span}${c.head_hash ? `, head ${c.head_hash}` : ''}`);
  }
  for (const f of report.findings) {
    const where = `${f.chain === '' ? '' : `chain ${f.chain}`}${f.seq === null ? '' : ` seq ${f.seq}`}`;
    lines.push(`${f.severity.toUpperCase()} ${f.code}${where ? ` (${where.trim()})` : ''}: ${f.message}`);
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const verdict =
    errors > 0 ? 'FAILED: integrity errors found' : report.inconclusive ? 'INCONCLUSIVE: nothing could be proven' : 'OK: verified';
  lines.push(`verdict: ${verdict} (${errors} error(s), ${warnings} warning(s))`);
  return `${lines.join('\n')}\n`;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgres';
  }
}
