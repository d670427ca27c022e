// A throwaway PostgreSQL 15 cluster for integration tests: initdb in a fresh temp dir, loopback TCP on a free
// port, fsync off. As root the server runs as the `postgres` user (initdb refuses root). A detached watchdog
// stops the server and removes the directory when this process dies, however it dies (kill -9 included).
// `url` is an unprivileged owner of database `proctor`; `superuserUrl` is the `postgres` superuser.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface ThrowawayPostgres {
  url: string;
  superuserUrl: string;
  /** Stops the server (pg_ctl stop -m fast); the data survives for start(). */
  stop(): Promise<void>;
  /** Starts it again after stop(), on the same port. */
  start(): Promise<void>;
  /** Stops the server and removes its directory (also done automatically when the process exits). */
  destroy(): Promise<void>;
}

/** durable: fsync, full-page writes and synchronous commit on, as in production (benches that count disk flushes);
 * default off: tests need no durability across a power cut. */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<ThrowawayPostgres> {
  const bin = findBinaries();
  const asPostgres = typeof process.getuid === 'function' && process.getuid() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-pg-'));
  const data = path.join(dir, 'data');
  const pgctl = path.join(bin, 'pg_ctl');
  const command = (file: string, args: string[]): [string, string[]] =>
    asPostgres ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  const exec = async (file: string, args: string[]) => {
    const [cmd, argv] = command(file, args);
    await run(cmd, argv, { timeout: 60_000 });
  };
  if (asPostgres) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }

  const template = await templateCluster(bin, exec, asPostgres);
  await run('cp', ['-a', template, data], { timeout: 60_000 });
  // A free port is only known free until someone else binds it: the first start retries on another if it was taken.
  let port = await freePort();
  const options = () =>
    [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${dir}`,
      ...(opts.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ].join(' ');
  const log = path.join(dir, 'server.log');
  const startServer = () => exec(pgctl, ['start', '-D', data, '-w', '-t', '30', '-l', log, '-o', options()]);
  const stopServer = () => exec(pgctl, ['stop', '-D', data, '-m', 'fast', '-w']);
  let running = false;
  let destroyed = false;
  const cleanupSync = () => {
    if (destroyed) return;
    destroyed = true;
    if (running) {
      const [cmd, argv] = command(pgctl, ['stop', '-D', data, '-m', 'immediate', '-w']);
      try {
        execFileSync(cmd, argv, { stdio: 'ignore', timeout: 20_000 });
      } catch {
        // the watchdog retries after we are gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanupSync);
  startWatchdog(command(pgctl, ['stop', '-D', data, '-m', 'immediate']), dir);

  for (let attempt = 1; ; attempt++) {
    try {
      await startServer();
      break;
    } catch (error) {
      const taken = existsSync(log) && /could not bind|Address already in use/.test(readFileSync(log, 'utf8'));
      if (!taken || attempt === 5) throw error;
      port = await freePort();
    }
  }
  running = true;
  const superuserUrl = `postgres://postgres@127.0.0.1:${port}/proctor`;
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  try {
    await admin.query('CREATE ROLE proctor LOGIN');
    await admin.query('CREATE DATABASE proctor OWNER proctor');
  } finally {
    await admin.end();
  }

  return {
    url: `postgres://proctor@127.0.0.1:${port}/proctor`,
    superuserUrl,
    async stop() {
      if (!running) return;
      await stopServer();
      running = false;
    },
    async start() {
      if (running) return;
      await startServer();
      running = true;
    },
    async destroy() {
      process.removeListener('exit', cleanupSync);
      if (running && !destroyed) {
        await stopServer().catch(() => undefined);
        running = false;
      }
      cleanupSync();
    },
  };
}

function findBinaries(): string {
  const candidates = [process.env.PG_BIN, '/usr/lib/postgresql/15/bin'];
  try {
    candidates.push(
      execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
  } catch {
    // no pg_config on PATH
  }
  for (const dir of candidates) {
    if (dir && existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  const hint =
    'install PostgreSQL 15 (Debian/Ubuntu: apt-get install postgresql-15) or set PG_BIN to its bin directory';
  throw new Error(
    process.env.CI
      ? `PostgreSQL server binaries not found; integration tests need them in CI — ${hint}`
      : `PostgreSQL server binaries (initdb, pg_ctl) not found: ${hint}`,
  );
}

const INITDB_ARGS = ['-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'];

/**
 * initdb's output for INITDB_ARGS, built once a machine (per initdb binary and user) and copied into each new cluster
 * (`cp -a` keeps the owner and the 0700 mode): initdb takes 1.5 s quiet and far more on a loaded CI box, a copy 0.3 s.
 * Built in a directory of its own and renamed into place, so processes building it at once leave one whole template.
 */
async function templateCluster(
  bin: string,
  exec: (file: string, args: string[]) => Promise<void>,
  asPostgres: boolean,
): Promise<string> {
  const initdb = path.join(bin, 'initdb');
  const key = createHash('sha256')
    .update(`${initdb} ${statSync(initdb).mtimeMs} ${asPostgres} ${INITDB_ARGS.join(' ')}`)
    .digest('hex')
    .slice(0, 16);
  const template = path.join(tmpdir(), `proctor-pg-template-${key}`);
  if (existsSync(path.join(template, 'PG_VERSION'))) return template;
  const building = mkdtempSync(path.join(tmpdir(), 'proctor-pg-building-'));
  try {
    if (asPostgres) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(building, uid, gid);
    }
    await exec(initdb, ['-D', path.join(building, 'data'), ...INITDB_ARGS]);
    try {
      renameSync(path.join(building, 'data'), template);
    } catch (error) {
      // another process renamed its whole template into place first: use that one
      if (!existsSync(path.join(template, 'PG_VERSION'))) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A detached shell that outlives us: once our pid is gone it stops the server and removes the directory. */
function startWatchdog([cmd, argv]: [string, string[]], dir: string): void {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const stop = [cmd, ...argv].map(quote).join(' ');
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${stop} >/dev/null 2>&1; rm -rf ${quote(dir)}`;
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
}
