// `proctor policy …`: authoring tools. build/test/sign are thin wrappers around the OPA CLI; inspect and eval use the
// exact loader and wasm engine the proxy uses; shadow-report summarises recorded shadow disagreements.
// Exit codes: 0 ok, 1 failure (bundle rejected, opa failed), 2 usage error (naming the flag).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { Sql } from '../db/index.ts';
import {
  compileBundle,
  DEFAULT_POLICY_ENTRYPOINT,
  openBundle,
  parseVerificationKey,
  smokeTest,
} from '../policy/index.ts';
import type { PolicyInput } from '../policy/index.ts';
import { readTarGz } from '../tar/index.ts';
import { openReportSql, shadowReport, formatShadowReport } from './policy-report.ts';
import { CliUsageError, parseCommandLine } from './usage-error.ts';

export interface PolicyIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  /** Tests pass the database; the command then leaves it open. */
  openSql?: () => Promise<Sql>;
}

const USAGE = `usage: proctor policy <command> [options]

  build [dir] --out <file> [--revision r] [--entrypoint e] [--signing-key <private pem> [--signing-alg RS256]]
        opa build -b -t wasm of a policy directory (default dir: policies, tests excluded)
  test [dir]                    opa check --strict, then opa test -v (default dir: policies)
  sign <bundle> --signing-key <private pem> [--signing-alg RS256] [--out <file>]
        re-package a built bundle with an OPA .signatures.json (opa build -b --signing-key)
  inspect <bundle> [--signing-key <public key>] [--json]
        manifest, revision, sha256, entrypoints, files, signature status, smoke evaluation
  eval <bundle> --input <file.json> [--signing-key <public key>]
        decide one policy-input.v1 document with the proxy's own engine and print the decision
  shadow-report (--db <url> | --pglite <dir>) --since <ISO time> --until <ISO time> [--chain c] [--json]
        summarise recorded shadow disagreements in [since, until)
`;

export async function runPolicyCli(argv: string[], io: PolicyIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'build':
        return buildCommand(rest, io);
      case 'test':
        return testCommand(rest, io);
      case 'sign':
        return signCommand(rest, io);
      case 'inspect':
        return await inspectCommand(rest, io);
      case 'eval':
        return await evalCommand(rest, io);
      case 'shadow-report':
        return await shadowReportCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.stderr(`proctor policy: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`proctor policy ${command}: ${error.message}\n`);
      return 2;
    }
    const code = (error as { code?: unknown }).code;
    io.stderr(
      `proctor policy ${command}: ${typeof code === 'string' ? `${code}: ` : ''}` +
        `${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  return parseCommandLine(args, options, true);
}

function one(positionals: string[], what: string, fallback?: string): string {
  if (positionals.length > 1) throw new CliUsageError(`expected one ${what}, got ${positionals.length}`);
  const value = positionals[0] ?? fallback;
  if (value === undefined) throw new CliUsageError(`<${what}> is required`);
  return value;
}

/** Runs the OPA CLI, relaying its output; a missing opa binary is a clear error, not a stack trace. */
function opa(args: string[], io: PolicyIo, cwd?: string): number {
  const result = spawnSync('opa', args, { cwd, encoding: 'utf8', env: { ...process.env, ...io.env } });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw Object.assign(
      new Error(
        missing
          ? 'the opa CLI is not on PATH; run: eval "$(bash scripts/toolchain.sh --with-opa)"'
          : result.error.message,
      ),
      { code: 'ERR_OPA_CLI' },
    );
  }
  if (result.stdout) io.stdout(result.stdout);
  if (result.stderr) io.stderr(result.stderr);
  return result.status ?? 1;
}

function signingArgs(key: string | undefined, alg: string | undefined): string[] {
  if (key === undefined) {
    if (alg !== undefined) throw new CliUsageError('--signing-alg needs --signing-key');
    return [];
  }
  return ['--signing-key', path.resolve(key), '--signing-alg', alg ?? 'RS256'];
}

function buildCommand(args: string[], io: PolicyIo): number {
  const { values, positionals } = parse(args, {
    out: { type: 'string' },
    revision: { type: 'string' },
    entrypoint: { type: 'string', default: DEFAULT_POLICY_ENTRYPOINT },
    'signing-key': { type: 'string' },
    'signing-alg': { type: 'string' },
  });
  if (!values.out) throw new CliUsageError('--out <file> is required');
  const dir = one(positionals, 'dir', 'policies');
  const revision = values.revision ?? `build-${new Date().toISOString().replace(/[-:.]/g, '')}`;
  return opa(
    [
      'build',
      '-b',
      '-t',
      'wasm',
      '-e',
      values.entrypoint,
      '--ignore',
      '*_test.rego',
      '--revision',
      revision,
      dir,
      '-o',
      path.resolve(values.out),
      ...signingArgs(values['signing-key'], values['signing-alg']),
    ],
    io,
  );
}

function testCommand(args: string[], io: PolicyIo): number {
  const { positionals } = parse(args, {});
  const dir = one(positionals, 'dir', 'policies');
  const checked = opa(['check', '--strict', dir], io);
  return checked !== 0 ? checked : opa(['test', dir, '-v'], io);
}

function signCommand(args: string[], io: PolicyIo): number {
  const { values, positionals } = parse(args, {
    'signing-key': { type: 'string' },
    'signing-alg': { type: 'string' },
    out: { type: 'string' },
  });
  const bundle = one(positionals, 'bundle');
  if (!values['signing-key']) throw new CliUsageError('--signing-key <private key PEM> is required');
  const out = path.resolve(values.out ?? bundle.replace(/(\.tar\.gz|\.tgz)?$/, '.signed.tar.gz'));
  // Unpack with Proctor's strict reader (no links, no traversal), drop any old signature, re-package signed.
  const work = mkdtempSync(path.join(tmpdir(), 'proctor-sign-'));
  try {
    for (const [name, content] of readTarGz(readFileSync(bundle))) {
      if (name === '.signatures.json') continue;
      mkdirSync(path.dirname(path.join(work, name)), { recursive: true });
      writeFileSync(path.join(work, name), content);
    }
    const status = opa(
      ['build', '-b', '.', '-o', out, ...signingArgs(values['signing-key'], values['signing-alg'])],
      io,
      work,
    );
    if (status === 0) io.stdout(`signed bundle written to ${out}\n`);
    return status;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function keyOption(file: string | undefined) {
  return file === undefined ? null : parseVerificationKey(readFileSync(file, 'utf8'));
}

async function inspectCommand(args: string[], io: PolicyIo): Promise<number> {
  const { values, positionals } = parse(args, {
    'signing-key': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const file = one(positionals, 'bundle');
  const opened = await openBundle(readFileSync(file), { verificationKey: keyOption(values['signing-key']) });
  let smoke = 'passed';
  try {
    smokeTest(await compileBundle(opened));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    smoke = `failed: ${(error as { code?: string }).code ?? ''} ${message}`;
  }
  const report = {
    file,
    revision: opened.manifest.revision,
    sha256: opened.sha256,
    bytes: opened.bytes,
    entrypoint: opened.manifest.entrypoint,
    entrypoints: opened.manifest.entrypoints,
    signature: opened.signature,
    files: opened.files,
    smoke,
  };
  if (values.json) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const signature = opened.signature;
    const sig =
      signature.status === 'verified'
        ? `verified (${signature.algorithm}${signature.keyid ? `, kid ${signature.keyid}` : ''}, ` +
          `${signature.files} files)`
        : signature.status;
    io.stdout(
      [
        `bundle     ${file}`,
        `revision   ${report.revision}`,
        `sha256     ${report.sha256}`,
        `bytes      ${report.bytes}`,
        `entrypoint ${report.entrypoint}` +
          `${report.entrypoints.length > 1 ? ` (also: ${report.entrypoints.slice(1).join(', ')})` : ''}`,
        `signature  ${sig}`,
        `smoke      ${smoke}`,
        `files      ${report.files.join(', ')}`,
        '',
      ].join('\n'),
    );
  }
  return smoke === 'passed' ? 0 : 1;
}

async function evalCommand(args: string[], io: PolicyIo): Promise<number> {
  const { values, positionals } = parse(args, { input: { type: 'string' }, 'signing-key': { type: 'string' } });
  const file = one(positionals, 'bundle');
  if (!values.input) throw new CliUsageError('--input <file.json> is required');
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(values.input, 'utf8'));
  } catch (error) {
    throw new CliUsageError(`--input ${values.input}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const engine = await compileBundle(
    await openBundle(readFileSync(file), { verificationKey: keyOption(values['signing-key']) }),
  );
  // The engine validates the input itself: an invalid one is an ERR_POLICY_INPUT_INVALID deny, as in the proxy.
  const decision = engine.decide(input as PolicyInput);
  io.stdout(`${JSON.stringify({ policy: engine.version, decision }, null, 2)}\n`);
  return 0;
}

async function shadowReportCommand(args: string[], io: PolicyIo): Promise<number> {
  const { values, positionals } = parse(args, {
    db: { type: 'string' },
    pglite: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    chain: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument '${positionals[0]}'`);
  const since = instant(values.since, '--since');
  const until = instant(values.until, '--until');
  if (until <= since) throw new CliUsageError('--until must be after --since');
  const sql = io.openSql ? await io.openSql() : await openReportSql(values, io.env, (m) => new CliUsageError(m));
  try {
    const report = await shadowReport(sql, { since, until, chain: values.chain ?? null });
    io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatShadowReport(report));
    return 0;
  } finally {
    if (!io.openSql) await sql.close();
  }
}

function instant(value: string | undefined, flag: string): Date {
  if (value === undefined) throw new CliUsageError(`${flag} <ISO 8601 time> is required`);
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new CliUsageError(`${flag} must be an ISO 8601 time, got '${value}'`);
  return date;
}
