// `proctor migrate`: applies the schema migrations this build ships, as the schema owner, so that `serve` can run as
// the least-privilege runtime role (database.migrations: check). `--status` only reports what is applied and pending.
// Exit 0 ok (status: nothing pending), 1 failure or pending migrations with --status, 2 usage error.
import { loadConfigFile } from '../config/index.ts';
import { connectPostgres, migrate, openPglite, schemaStatus, type Sql } from '../db/index.ts';
import { parseCommandLine } from './usage-error.ts';

export interface MigrateIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

const USAGE = `usage:
  proctor migrate (--db <postgres url> | --pglite <dir> | --config <file>) [--status] [--json]
      apply every pending migration (connect as the schema owner), or with --status list applied and pending ones
      (exit 1 when any is pending). Serve then runs as a role granted proctor_runtime, with database.migrations: check.
`;

export async function runMigrate(args: string[], io: MigrateIo): Promise<number> {
  let values;
  try {
    values = parseCommandLine(args, {
      db: { type: 'string' },
      pglite: { type: 'string' },
      config: { type: 'string' },
      status: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    }).values;
  } catch (error) {
    io.stderr(`proctor migrate: ${error instanceof Error ? error.message : 'bad arguments'}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if ([values.db, values.pglite, values.config].filter((v) => v !== undefined).length !== 1) {
    io.stderr(`proctor migrate: exactly one of --db, --pglite and --config is required\n\n${USAGE}`);
    return 2;
  }
  if (values.db !== undefined && !/^postgres(ql)?:\/\//.test(values.db)) {
    io.stderr(`proctor migrate: --db must be a postgres:// URL\n\n${USAGE}`);
    return 2;
  }
  let sql: Sql | null = null;
  try {
    sql = await open(values, io);
    const before = await schemaStatus(sql);
    if (!values.status && before.pending.length > 0) await migrate(sql);
    const after = values.status ? before : await schemaStatus(sql);
    const applied = values.status ? [] : before.pending;
    if (values.json)
      io.stdout(`${JSON.stringify({ applied_now: applied, applied: after.applied, pending: after.pending })}\n`);
    else if (values.status)
      io.stdout(
        `applied: ${after.applied.length}; pending: ` +
          `${after.pending.length === 0 ? 'none' : after.pending.join(', ')}\n`,
      );
    else io.stdout(applied.length === 0 ? 'schema up to date; nothing applied\n' : `applied: ${applied.join(', ')}\n`);
    return after.pending.length === 0 ? 0 : 1;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    io.stderr(
      `proctor migrate: ${typeof code === 'string' ? `${code}: ` : ''}` +
        `${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    await sql?.close();
  }
}

async function open(values: { db?: string; pglite?: string; config?: string }, io: MigrateIo): Promise<Sql> {
  if (values.db !== undefined) return connectPostgres(values.db, { max: 1 });
  if (values.pglite !== undefined) return openPglite(values.pglite);
  const config = loadConfigFile(values.config as string, io.env);
  return config.database.kind === 'postgres'
    ? connectPostgres(config.database.url, { max: 1, connectTimeoutMs: config.database.connectTimeoutMs })
    : openPglite(config.database.dataDir);
}
