// `proctor replay`: re-evaluates recorded decisions against the bundle each record names (by SHA-256) and reports
// every decision that does not reproduce. Sources: a database (--db / --pglite, optionally narrowed by request id or
// time window) or an evidence packet (whose digests and manifest signature are checked first; bundles it carries are
// used too). Exit 0 all reproduced, 1 a mismatch (or an altered packet), 2 usage error, 3 a bundle is missing or
// nothing could be replayed. Output names chains, seqs, request ids and reason codes — never record contents.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { connectPostgres, openPglite } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import {
  indexBundles,
  newFindings,
  PACKET_LIMITS,
  parseRecords,
  readPacket,
  replayDecisions,
  selectRecords,
  verifyPacket,
} from '../evidence/index.ts';
import type { ReplayReport } from '../evidence/index.ts';
import type { JsonValue } from '../ledger/index.ts';
import { readBundleDir } from './export.ts';
import { CliUsageError, parseCommandLine } from './usage-error.ts';

export interface ReplayIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  openSql?: () => Promise<Sql>;
}

const USAGE = `usage: proctor replay (--db <url> | --pglite <dir> | <packet.tar.gz>) [--request-id <id>]... [--from \
<t>] [--to <t>] --bundles <dir> [--json]

  --bundles <dir>     policy bundles (*.tar.gz), matched to records by SHA-256 (required for a database;
                      optional for a packet, whose included bundles are used as well)
  --request-id <id>   replay only this request's decision (repeatable)
  --from / --to       replay decisions in this window (RFC 3339; --to exclusive); default: all
  --json              print the report as JSON

exit: 0 every decision reproduced, 1 a decision did not reproduce, 2 usage error, 3 a bundle is missing
`;

export async function runReplay(args: string[], io: ReplayIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  let values;
  let positionals: string[];
  let bundles: Map<string, Uint8Array>;
  try {
    ({ values, positionals } = parseCommandLine(
      args,
      {
        db: { type: 'string' },
        pglite: { type: 'string' },
        bundles: { type: 'string' },
        'request-id': { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean' },
      },
      true,
    ));
    const sources = [values.db !== undefined, values.pglite !== undefined, positionals.length > 0].filter(
      Boolean,
    ).length;
    if (positionals.length > 1) throw new CliUsageError('give one packet file');
    if (sources > 1) throw new CliUsageError('--db, --pglite and a packet file exclude each other');
    if (
      positionals.length === 0 &&
      values.pglite === undefined &&
      values.db === undefined &&
      io.env.DATABASE_URL === undefined &&
      !io.openSql
    ) {
      throw new CliUsageError('--db (or $DATABASE_URL), --pglite or a packet file is required');
    }
    if (positionals.length === 0 && values.bundles === undefined)
      throw new CliUsageError('--bundles <dir> is required to replay from a database');
    if (values.pglite !== undefined && !existsSync(path.join(values.pglite, 'PG_VERSION')))
      throw new CliUsageError(`--pglite: no database in ${values.pglite}`);
    for (const [flag, v] of [
      ['--from', values.from],
      ['--to', values.to],
    ] as const) {
      if (v !== undefined && Number.isNaN(Date.parse(v)))
        throw new CliUsageError(`${flag} must be an RFC 3339 date-time, got '${v}'`);
    }
    bundles = values.bundles === undefined ? new Map() : readBundleDir(values.bundles, '--bundles');
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    io.stderr(`proctor replay: ${err.message}\n\n${USAGE}`);
    return 2;
  }

  let records: Record<string, JsonValue>[];
  const packet = positionals[0];
  if (packet !== undefined) {
    const loaded = loadPacket(packet, bundles, io);
    if (typeof loaded === 'number') return loaded;
    records = loaded;
    const wanted = new Set(values['request-id'] ?? []);
    const from = values.from === undefined ? null : Date.parse(values.from);
    const to = values.to === undefined ? null : Date.parse(values.to);
    records = records.filter((r) => {
      const t = Date.parse(String(r.ts));
      return (
        (wanted.size === 0 || wanted.has(String(r.request_id))) &&
        (from === null || t >= from) &&
        (to === null || t < to)
      );
    });
  } else {
    let sql: Sql | undefined;
    try {
      sql = io.openSql
        ? await io.openSql()
        : values.pglite !== undefined
          ? await openPglite(values.pglite)
          : connectPostgres(values.db ?? io.env.DATABASE_URL ?? '', { max: 2 });
      const selected = await selectRecords(
        sql,
        {
          subjects: [],
          groups: [],
          tenants: [],
          clients: [],
          request_ids: values['request-id'] ?? [],
          policy_versions: [],
          from: values.from === undefined ? null : new Date(values.from).toISOString(),
          to: values.to === undefined ? null : new Date(values.to).toISOString(),
          decision: null,
          types: ['decision'],
          until_checkpoint: false,
        },
        Number.MAX_SAFE_INTEGER,
      );
      records = selected.map((s) => s.record);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      io.stderr(
        `proctor replay: the ledger could not be read (${typeof code === 'string' ? code : 'ERR_AUDIT_UNAVAILABLE'})\n`,
      );
      return 3;
    } finally {
      if (!io.openSql) await sql?.close().catch(() => undefined);
    }
  }

  let report: ReplayReport;
  try {
    report = await replayDecisions(records, bundles);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    io.stderr(
      `proctor replay: a policy bundle could not be loaded (${typeof code === 'string' ? code : 'error'}: ` +
        `${(err as Error).message})\n`,
    );
    return 3;
  }
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : summary(report));
  if (report.mismatches.length > 0) return 1;
  if (report.missing_bundles.length > 0 || report.replayed === 0) return 3;
  return 0;
}

/** The packet's records, after checking it is what its exporter signed (trust is `proctor verify`'s job). */
function loadPacket(
  file: string,
  bundles: Map<string, Uint8Array>,
  io: ReplayIo,
): Record<string, JsonValue>[] | number {
  let bytes: Buffer;
  try {
    if (statSync(file).size > PACKET_LIMITS.maxArchiveBytes) throw new Error('too large');
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    io.stderr(`proctor replay: cannot read ${file} (${typeof code === 'string' ? code : 'unreadable'})\n`);
    return 2;
  }
  const check = verifyPacket(bytes, { ledgerKeys: [], exporterKeys: [] });
  const broken = check.findings.filter((f) => f.code.startsWith('PACKET_') && f.severity === 'error');
  if (broken.length > 0) {
    for (const f of broken) io.stderr(`ERROR ${f.code}: ${f.message}\n`);
    io.stderr('proctor replay: the packet is not what its exporter signed; run proctor verify on it\n');
    return 1;
  }
  const files = readPacket(bytes);
  for (const [name, data] of files)
    if (name.startsWith('policies/') && name.endsWith('.tar.gz'))
      for (const [sha, b] of indexBundles([data])) if (!bundles.has(sha)) bundles.set(sha, b);
  return parseRecords(files, newFindings()).map((r) => r.record);
}

function summary(r: ReplayReport): string {
  const lines = [
    `decisions: ${r.decisions}, replayed: ${r.replayed}, reproduced: ${r.reproduced}, did not reproduce: ` +
      `${r.mismatches.length}`,
  ];
  for (const [why, n] of Object.entries(r.skipped))
    lines.push(`skipped ${n} decision(s): ${why} (not decided by policy)`);
  for (const m of r.missing_bundles)
    lines.push(`MISSING bundle ${m.revision} sha256 ${m.sha256}: ${m.decisions} decision(s) could not be replayed`);
  for (const m of r.mismatches) {
    lines.push(
      `MISMATCH chain ${m.chain} seq ${m.seq}${m.request_id ? ` request ${m.request_id}` : ''} ` +
        `(${m.slot} policy ${m.policy.revision}): ` +
        `recorded ${m.recorded.allow ? 'allow' : 'deny'} [${m.recorded.reasons.join(', ')}], replayed ` +
        `${m.replayed.allow ? 'allow' : 'deny'} [${m.replayed.reasons.join(', ')}]; differs in ` +
        `${m.differs.join(', ')}`,
    );
  }
  const verdict =
    r.mismatches.length > 0
      ? 'FAILED: decisions did not reproduce'
      : r.missing_bundles.length > 0 || r.replayed === 0
        ? 'INCONCLUSIVE: not every decision could be replayed'
        : 'OK: every replayed decision reproduced';
  lines.push(`verdict: ${verdict}`);
  return `${lines.join('\n')}\n`;
}
