// `proctor ledger retention`: lists (dry run, the default) or drops (--apply) the monthly partitions of the audit
// ledger that ended before the retention window. Whole partitions only, never rows; never the current or previous
// month; fewer than 6 months only with an explicit --months, and then loudly. --apply needs the chains' signing key
// (each trimmed chain gets a signed retention_applied record first) and their replicas stopped (ERR_CHAIN_LEASED).
// Exit 0 ok, 1 failure (the error code is printed), 2 usage error (the message names the flag).
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfigFile } from '../config/index.ts';
import { connectPostgres, openPglite } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { applyRetention, DEFAULT_RETENTION_MONTHS, LedgerError, loadSigner, planRetention } from '../ledger/index.ts';
import type { RetentionPlan, Signer } from '../ledger/index.ts';
import { CliUsageError, parseCommandLine } from './usage-error.ts';

export interface LedgerIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

const USAGE = `usage:
  proctor ledger retention (--db <postgres url> | --pglite <dir> | --config <file>) [--months N] [--apply --key \
<pem>] [--json]
      list the monthly partitions older than the retention window (dry run), or with --apply drop them, after a
      signed retention_applied record in each chain that loses records. --months defaults to ledger.retention_months
      from --config, else ${DEFAULT_RETENTION_MONTHS}; fewer than ${DEFAULT_RETENTION_MONTHS} only when given \
explicitly. --apply needs the chains' current
      signing key (--key, or ledger.signing_key from --config), the replicas of those chains stopped, and a database
      user that owns audit_records (the runtime role cannot drop partitions).
`;

export async function runLedgerCli(args: string[], io: LedgerIo): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'retention':
        return await retention(rest, io);
      case 'help':
      case '--help':
      case undefined:
        io.stdout(USAGE);
        return sub === undefined ? 2 : 0;
      default:
        throw new CliUsageError(`unknown ledger subcommand '${sub}' (expected: retention)`);
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`proctor ledger: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof LedgerError || error instanceof ConfigError) {
      io.stderr(`proctor ledger ${sub ?? ''}: ${error.code}: ${error.message}\n`);
      return 1;
    }
    const code = (error as { code?: unknown }).code;
    io.stderr(
      `proctor ledger ${sub ?? ''}: ${typeof code === 'string' ? `${code}: ` : ''}` +
        `${(error as Error).message ?? String(error)}\n`,
    );
    return 1;
  }
}

async function retention(args: string[], io: LedgerIo): Promise<number> {
  const { values } = parseCommandLine(args, {
    db: { type: 'string' },
    pglite: { type: 'string' },
    config: { type: 'string' },
    months: { type: 'string' },
    apply: { type: 'boolean' },
    key: { type: 'string' },
    json: { type: 'boolean' },
  });
  const sources = [values.db, values.pglite, values.config].filter((v) => v !== undefined).length;
  if (sources !== 1) throw new CliUsageError('exactly one of --db, --pglite and --config is required');
  if (values.db !== undefined && !/^postgres(ql)?:\/\//.test(values.db))
    throw new CliUsageError('--db must be a postgres:// URL');
  let months: number | undefined;
  if (values.months !== undefined) {
    months = Number(values.months);
    if (!/^[0-9]+$/.test(values.months) || !Number.isSafeInteger(months) || months < 1 || months > 1200) {
      throw new CliUsageError(`--months must be an integer from 1 to 1200, got '${values.months}'`);
    }
  }
  if (values.key !== undefined && !values.apply) throw new CliUsageError('--key is only used with --apply');

  const config = values.config === undefined ? null : loadConfigFile(values.config, io.env);
  const effectiveMonths = months ?? config?.ledger.retentionMonths ?? DEFAULT_RETENTION_MONTHS;
  let signer: Signer | null = null;
  if (values.apply) {
    if (values.key !== undefined) {
      let pem: string;
      try {
        pem = readFileSync(values.key, 'utf8');
      } catch (cause) {
        throw new CliUsageError(`--key: cannot read ${values.key}`, { cause });
      }
      signer = loadSigner(pem);
    } else if (config) signer = loadSigner(config.ledger.signingKeyPem);
    else throw new CliUsageError("--apply needs --key <pem> (the chains' current signing key) or --config");
  }
  if (months !== undefined && months < DEFAULT_RETENTION_MONTHS) {
    io.stderr(
      `WARNING: --months ${months} keeps less than the default ${DEFAULT_RETENTION_MONTHS} months of audit records. ` +
        'Records older than that are destroyed for good; the EU AI Act (Art. 19, 26) asks deployers to keep logs at ' +
        'least 6 months.\n',
    );
  }

  let sql: Sql;
  if (values.pglite !== undefined) sql = await openPglite(values.pglite);
  else if (values.db !== undefined) sql = connectPostgres(values.db, { max: 2 });
  else if (config?.database.kind === 'pglite') sql = await openPglite(config.database.dataDir);
  else if (config?.database.kind === 'postgres')
    sql = connectPostgres(config.database.url, { max: 2, connectTimeoutMs: config.database.connectTimeoutMs });
  else throw new CliUsageError('no database');
  try {
    const options = { months: effectiveMonths, allowShort: months !== undefined };
    if (!signer) {
      const plan = await planRetention(sql, options);
      io.stdout(
        values.json
          ? `${JSON.stringify({ applied: false, ...plan })}\n`
          : `${describe(plan)}dry run: nothing dropped (add --apply to drop)\n`,
      );
      return 0;
    }
    const result = await applyRetention(sql, { ...options, signer, clock: { now: () => new Date() } });
    if (values.json) {
      io.stdout(
        `${JSON.stringify({
          applied: true,
          ...result.plan,
          dropped: result.dropped,
          records: result.records.map((r) => ({ chain: r.chain, seq: r.seq, hash: r.hash })),
        })}\n`,
      );
    } else {
      let text = describe(result.plan);
      for (const r of result.records) text += `chain ${r.chain}: retention_applied at seq ${r.seq}\n`;
      text += result.dropped.length > 0 ? `dropped ${result.dropped.join(', ')}\n` : 'nothing to drop\n';
      io.stdout(text);
    }
    return 0;
  } finally {
    await sql.close().catch(() => undefined);
  }
}

function describe(plan: RetentionPlan): string {
  let text =
    `retention: ${plan.months} whole months before the current one; ` +
    `partitions ending on or before ${plan.cutoff} expire\n`;
  for (const p of plan.drop) text += `expired  ${p.name} (${p.rows} records)\n`;
  for (const name of plan.keep) text += `kept     ${name}\n`;
  for (const c of plan.chains)
    text += `chain ${c.chain}: loses its records through seq ${c.droppedThroughSeq} (${c.droppedRecords} present)\n`;
  return text;
}
