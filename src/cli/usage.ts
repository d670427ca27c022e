// `proctor usage`: spend and tokens over a window, by subject, group, tenant or model, computed from the ledger's
// records (each outcome's cost and settlement joined to its decision's principal and model), so it agrees with what
// an auditor computes from the same records. It reads; it verifies nothing (run `proctor verify` for that), and it
// never reads the limits counters, which are an enforcement cache, not evidence.
import { connectPostgres, openPglite, type Sql } from '../db/index.ts';
import { CliUsageError, parseCommandLine } from './usage-error.ts';

export interface UsageIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

const USAGE = `usage: proctor usage (--db <postgres url> | --pglite <dir>) [--from <date>] [--to <date>] [--by \
subject|group|tenant|model] [--json]

  --db <url>      PostgreSQL URL (default: $DATABASE_URL)
  --pglite <dir>  a PGlite data directory instead of PostgreSQL
  --from <date>   window start, inclusive (ISO 8601; default: the start of the current UTC month)
  --to <date>     window end, exclusive (ISO 8601; default: now)
  --by <key>      subject (default) | group (a request counts once in each of its groups) | tenant | model
  --json          print the report as JSON

Spend is the sum of the outcome records' cost_micro_usd (integer micro-USD, each at the pricing version recorded beside
it); tokens are the settled tokens. Record signatures are NOT checked here: run \`proctor verify\` against the same
database first when the figures are evidence.
`;

type By = 'subject' | 'group' | 'tenant' | 'model';

export interface UsageRow {
  key: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  tokens: number;
  cost_micro_usd: number;
  /** Outcomes without a recorded cost (written before the limits stage existed). */
  unpriced: number;
}

export interface UsageReport {
  from: string;
  to: string;
  by: By;
  rows: UsageRow[];
  totals: Omit<UsageRow, 'key'>;
}

const OPTIONS = {
  db: { type: 'string' },
  pglite: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  by: { type: 'string', default: 'subject' },
  json: { type: 'boolean', default: false },
} as const;

function dateOf(flag: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (v === '' || Number.isNaN(d.getTime())) throw new CliUsageError(`${flag}: '${v}' is not an ISO 8601 date`);
  return d;
}

function parseArgs(
  args: string[],
  env: UsageIo['env'],
): { db?: string; pglite?: string; from: Date; to: Date; by: By; json: boolean } {
  const { values } = parseCommandLine(args, OPTIONS);
  for (const flag of ['db', 'pglite'] as const) {
    if (values[flag] === '') throw new CliUsageError(`--${flag} needs a value`);
  }
  const by = values.by;
  if (by !== 'subject' && by !== 'group' && by !== 'tenant' && by !== 'model') {
    throw new CliUsageError(`--by: '${by}' is not one of subject, group, tenant, model`);
  }
  const out: { db?: string; pglite?: string; from?: Date; to?: Date; by: By; json: boolean } = {
    db: values.db,
    pglite: values.pglite,
    from: dateOf('--from', values.from),
    to: dateOf('--to', values.to),
    by,
    json: values.json,
  };
  if (out.db !== undefined && out.pglite !== undefined) throw new CliUsageError('give --db or --pglite, not both');
  if (out.db === undefined && out.pglite === undefined) {
    if (!env.DATABASE_URL) throw new CliUsageError('--db or --pglite is required (or set DATABASE_URL)');
    out.db = env.DATABASE_URL;
  }
  const now = new Date();
  const from = out.from ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = out.to ?? now;
  if (from.getTime() >= to.getTime()) throw new CliUsageError('--from must be before --to');
  return {
    ...(out.db === undefined ? {} : { db: out.db }),
    ...(out.pglite === undefined ? {} : { pglite: out.pglite }),
    from,
    to,
    by: out.by,
    json: out.json,
  };
}

export async function runUsage(args: string[], io: UsageIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(args, io.env);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr(`proctor usage: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  let sql: Sql | undefined;
  try {
    sql =
      parsed.pglite !== undefined
        ? await openPglite(parsed.pglite)
        : await connectPostgres(parsed.db ?? '', { max: 2 });
    const report = await usageReport(sql, parsed.from, parsed.to, parsed.by);
    io.stdout(parsed.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return 0;
  } catch (error) {
    io.stderr(
      `proctor usage: the ledger could not be read (${error instanceof Error ? error.message : String(error)})\n`,
    );
    return 1;
  } finally {
    await sql?.close();
  }
}

interface Joined {
  d: unknown;
  o: unknown;
  dhash: unknown;
}

/** Sums every outcome in [from, to) whose decision record (same request, hash named by the outcome) is found. */
export async function usageReport(sql: Sql, from: Date, to: Date, by: By): Promise<UsageReport> {
  const { rows } = await sql.query<Joined>(
    `SELECT d.record AS d, o.record AS o, d.hash AS dhash FROM audit_records o
       JOIN audit_records d ON d.request_id = o.request_id AND d.type = 'decision'
      WHERE o.type = 'outcome' AND o.ts >= $1 AND o.ts < $2`,
    [from.toISOString(), to.toISOString()],
  );
  const groups = new Map<string, UsageRow>();
  const zero = (): Omit<UsageRow, 'key'> => ({
    requests: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    tokens: 0,
    cost_micro_usd: 0,
    unpriced: 0,
  });
  const totals = zero();
  for (const row of rows) {
    const decision = parseRecord(row.d);
    const outcome = parseRecord(row.o);
    // Another decision of a reused request id.
    if (outcome.decision_hash !== Buffer.from(row.dhash as Uint8Array).toString('hex')) continue;
    const principal = (decision.principal ?? {}) as { sub?: string; groups?: string[]; tenant?: string | null };
    const request = (decision.request ?? {}) as { model?: string };
    const keys =
      by === 'subject'
        ? [principal.sub ?? '(none)']
        : by === 'group'
          ? principal.groups?.length
            ? principal.groups
            : ['(none)']
          : by === 'tenant'
            ? [principal.tenant ?? '(none)']
            : [request.model ?? '(none)'];
    const settlement = outcome.settlement as { prompt_tokens?: number; completion_tokens?: number } | undefined;
    const usage = outcome.usage as { prompt_tokens?: number; completion_tokens?: number } | null | undefined;
    const prompt = settlement?.prompt_tokens ?? usage?.prompt_tokens ?? 0;
    const completion = settlement?.completion_tokens ?? usage?.completion_tokens ?? 0;
    const cost = typeof outcome.cost_micro_usd === 'number' ? outcome.cost_micro_usd : null;
    const add = (t: Omit<UsageRow, 'key'>) => {
      t.requests += 1;
      t.prompt_tokens += prompt;
      t.completion_tokens += completion;
      t.tokens += prompt + completion;
      if (cost === null) t.unpriced += 1;
      else t.cost_micro_usd += cost;
    };
    for (const key of keys) {
      const g = groups.get(key) ?? { key, ...zero() };
      add(g);
      groups.set(key, g);
    }
    add(totals);
  }
  const sorted = [...groups.values()].sort(
    (a, b) => b.cost_micro_usd - a.cost_micro_usd || b.tokens - a.tokens || a.key.localeCompare(b.key),
  );
  return { from: from.toISOString(), to: to.toISOString(), by, rows: sorted, totals };
}

function parseRecord(bytes: unknown): Record<string, unknown> {
  return JSON.parse(Buffer.from(bytes as Uint8Array).toString('utf8')) as Record<string, unknown>;
}

function usd(micro: number): string {
  return `$${(micro / 1_000_000).toFixed(6)}`;
}

function formatReport(r: UsageReport): string {
  const lines = [`usage ${r.from} .. ${r.to} by ${r.by}`, ''];
  const header = [r.by, 'requests', 'prompt', 'completion', 'tokens', 'cost_micro_usd', 'cost'];
  const body = r.rows.map((x) => [
    x.key,
    String(x.requests),
    String(x.prompt_tokens),
    String(x.completion_tokens),
    String(x.tokens),
    String(x.cost_micro_usd),
    usd(x.cost_micro_usd),
  ]);
  body.push([
    'TOTAL',
    String(r.totals.requests),
    String(r.totals.prompt_tokens),
    String(r.totals.completion_tokens),
    String(r.totals.tokens),
    String(r.totals.cost_micro_usd),
    usd(r.totals.cost_micro_usd),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
  for (const row of [header, ...body])
    lines.push(row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '));
  if (r.totals.unpriced > 0)
    lines.push('', `${r.totals.unpriced} outcome(s) carry no cost (recorded before limits and cost were enforced).`);
  lines.push('', 'Record signatures were not checked: run `proctor verify` first when these figures are evidence.');
  return `${lines.join('\n')}\n`;
}
