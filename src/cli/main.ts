// The `proctor` command: a thin dispatcher over the libraries. Exit codes: 0 ok, 1 failure (verify: integrity
// failure), 2 usage error, 3 inconclusive (verify). Usage errors name the flag that was wrong.
// Each command's module is imported when that command runs: `serve` does not load PGlite, the CLI's tools or their
// dependencies (docs/performance.md, "Memory").
import { ConfigError, loadConfigFile } from '../config/index.ts';
import { CliUsageError, parseCommandLine } from './usage-error.ts';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

const processIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
};

/** The usage text; the dev stack's default directory is read from its module, imported for it. */
const usage = async () => {
  const { DEFAULT_DEV_DIR } = await import('../dev/dev-stack.ts');
  return `usage: proctor <command> [options]

commands:
  dev                       start the development stack (PGlite, dev OIDC issuer, echo upstream) on loopback
      [--port 8080] [--data-dir ${DEFAULT_DEV_DIR}]
  dev token --sub <subject> print a development access token for the running dev stack
      [--groups a,b] [--tenant t] [--ttl 3600] [--data-dir ${DEFAULT_DEV_DIR}]
  serve --config <file>     start Proctor from a configuration file
  migrate                   apply the schema migrations as the schema owner (see: proctor migrate --help)
  check-config <file>       validate a configuration file and list every problem
  verify                    verify the audit ledger or an evidence packet (see: proctor verify --help)
  usage                     spend and tokens by subject, group, tenant or model, from the records (see: proctor usage \
--help)
  export                    write a signed evidence packet with report.html (see: proctor export --help)
  replay                    re-evaluate recorded decisions against their policy bundles (see: proctor replay --help)
  policy <command>          policy bundles: build, test, sign, inspect, eval, shadow-report (see: proctor policy help)
  keys <command>            ledger keys: generate, export, rotate (see: proctor keys help)
  ledger retention          list or drop audit partitions older than the retention window (see: proctor ledger help)
`;
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'dev':
        return rest[0] === 'token' ? await devTokenCommand(rest.slice(1), io) : await devCommand(rest, io);
      case 'serve':
        return await serveCommand(rest, io);
      case 'check-config':
        return await checkConfigCommand(rest, io);
      case 'verify':
        return await (await import('./verify.ts')).runVerify(rest, io);
      case 'usage':
        return await (await import('./usage.ts')).runUsage(rest, io);
      case 'policy':
        return await (await import('./policy.ts')).runPolicyCli(rest, io);
      case 'keys':
        return await (await import('./keys.ts')).runKeysCli(rest, io);
      case 'export':
        return await (await import('./export.ts')).runExport(rest, io);
      case 'replay':
        return await (await import('./replay.ts')).runReplay(rest, io);
      case 'ledger':
        return await (await import('./ledger.ts')).runLedgerCli(rest, io);
      case 'migrate':
        return await (await import('./migrate.ts')).runMigrate(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(await usage());
        return command === undefined ? 2 : 0;
      default:
        io.stderr(`proctor: unknown command '${command}'\n\n${await usage()}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`proctor ${command}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr(`proctor ${command}: ${error.message}\n`);
      return 1;
    }
    const code = (error as { code?: unknown }).code;
    io.stderr(
      `proctor ${command}: ${typeof code === 'string' ? `${code}: ` : ''}` +
        `${(error as Error).message ?? String(error)}\n`,
    );
    return 1;
  }
}

async function devCommand(args: string[], io: Io): Promise<number> {
  const { DEFAULT_DEV_DIR, startDevStack } = await import('../dev/dev-stack.ts');
  const { values } = parseCommandLine(args, {
    port: { type: 'string', default: '8080' },
    'data-dir': { type: 'string', default: DEFAULT_DEV_DIR },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65533)
    throw new CliUsageError(`--port must be an integer from 0 to 65533, got '${values.port}'`);
  const { terminalLog } = await import('../observability/index.ts');
  const { devBanner } = await import('./banner.ts');
  // A terminal's view: one short line per request and event (serve writes JSON lines for log collectors).
  const stack = await startDevStack({
    dataDir: values['data-dir'],
    port,
    log: terminalLog((line) => process.stderr.write(line)),
  });
  io.stdout(devBanner(stack.state, values['data-dir']));
  await untilSignal();
  await stack.close();
  return 0;
}

async function devTokenCommand(args: string[], io: Io): Promise<number> {
  const { DEFAULT_DEV_DIR, devToken } = await import('../dev/dev-stack.ts');
  const { values } = parseCommandLine(args, {
    sub: { type: 'string' },
    groups: { type: 'string', default: '' },
    tenant: { type: 'string' },
    ttl: { type: 'string', default: '3600' },
    'data-dir': { type: 'string', default: DEFAULT_DEV_DIR },
  });
  if (!values.sub) throw new CliUsageError('--sub <subject> is required');
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400)
    throw new CliUsageError(`--ttl must be 1..86400 seconds, got '${values.ttl}'`);
  const groups = values.groups
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  io.stdout(
    `${await devToken({
      dataDir: values['data-dir'],
      sub: values.sub,
      groups,
      tenant: values.tenant ?? null,
      ttlSeconds: ttl,
    })}\n`,
  );
  return 0;
}

async function serveCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandLine(args, { config: { type: 'string' } });
  if (!values.config) throw new CliUsageError('--config <file> is required');
  const config = loadConfigFile(values.config, io.env);
  const { startProctor } = await import('../main.ts');
  const proctor = await startProctor(config);
  io.stderr(`proctor: serving ${proctor.url} (chain ${proctor.chain})\n`);
  await untilSignal();
  await proctor.close();
  return 0;
}

async function checkConfigCommand(args: string[], io: Io): Promise<number> {
  const { positionals } = parseCommandLine(args, {}, true);
  if (positionals.length !== 1) throw new CliUsageError('expects exactly one configuration file');
  const config = loadConfigFile(positionals[0] as string, io.env);
  const { loadPricingFile } = await import('../limits/index.ts');
  loadPricingFile(config.limits.pricingFile); // ERR_PRICING_INVALID names every problem with its path
  io.stdout(`${positionals[0]}: ok\n`);
  return 0;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
