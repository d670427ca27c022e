// The side-by-side bench's processes. The mock upstream runs on the generator's core; each target on the other core,
// one at a time: the bare passthrough (bench/passthrough.ts), Portkey's gateway (the @portkey-ai/gateway dev
// dependency, routed to the mock by its x-portkey-provider / x-portkey-custom-host headers) and Proctor launched as
// production launches it (`bin/proctor.js serve`, its heap sized for a container limit; real JWTs from the development
// issuer, the default policy, signed records committed to a throwaway PostgreSQL 15 with fsync on, the server pinned
// to Proctor's core), durable or with outcome_commit flush_deferred. A target's `pid` is the process whose CPU and peak
// RSS the bench reads (the launcher re-execs node in place: same pid); `postmaster` is Proctor's database, whose CPU
// counts as Proctor's.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectPostgres } from '../src/db/index.ts';
import { generateDevIssuerKey, mintDevToken, startDevIssuer } from '../src/dev/dev-issuer.ts';
import { generateSigningKey } from '../src/ledger/index.ts';
import { readTarGz } from '../src/tar/index.ts';
import { PORTKEY_ENTRY } from '../test/helpers/gateways.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { childrenOf, pin } from './side-by-side-proc.ts';

export const LOAD_CPU = 1;
export const TARGET_CPU = 0;
const execArgv = ['--disable-warning=ExperimentalWarning'];

export interface Process {
  /** Base URL with /v1. */
  url: string;
  pid: number;
  child: ChildProcess;
  close(): Promise<void>;
}

export interface Target {
  name: 'bare' | 'portkey' | 'proctor' | 'proctor_deferred';
  /** Base URL with /v1. */
  url: string;
  pid: number;
  close(): Promise<void>;
  /** Headers for request `i`; `subjects` spreads Proctor's requests over that many callers (others ignore it). */
  headers(i: number, subjects: number): Record<string, string>;
  /** Proctor's PostgreSQL server, pinned to the target's core; null for the others. */
  postmaster: number | null;
  /** Where PostgreSQL keeps its data (the disk whose flushes Proctor waits for); null for the others. */
  dataDir: string | null;
}

/** `node <args>` pinned to `cpu` (taskset execs node: same pid), ready once it prints its base URL on stdout. */
export async function startNode(args: string[], cpu: number, env: Record<string, string> = {}): Promise<Process> {
  const child = spawn('taskset', ['-c', String(cpu), process.execPath, ...execArgv, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const [url] = (await Promise.race([
    once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line'),
    exited.then(([code]) => Promise.reject(new Error(`${args.at(-1)} exited (code ${code}) before it listened`))),
  ])) as [string];
  return {
    url,
    pid: child.pid as number,
    child,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The mock upstream, on the load generator's core; `configure` sets its delays for the next scenario. */
export async function startMock(): Promise<
  Process & { configure(delayMs: number, streamDelayMs: number): Promise<void> }
> {
  const mock = await startNode([fileURLToPath(new URL('./side-by-side-mock.ts', import.meta.url))], LOAD_CPU);
  return {
    ...mock,
    configure: (delayMs, streamDelayMs) =>
      new Promise((resolve) => {
        mock.child.once('message', () => resolve());
        mock.child.send({ delay_ms: delayMs, stream_delay_ms: streamDelayMs });
      }),
  };
}

const json = { 'content-type': 'application/json' };

export async function startBare(upstreamUrl: string): Promise<Target> {
  const entry = fileURLToPath(new URL('./passthrough.ts', import.meta.url));
  const proc = await startNode([entry], TARGET_CPU, { PASSTHROUGH_UPSTREAM: upstreamUrl });
  const headers = { ...json, authorization: 'Bearer sk-bench' };
  return {
    url: proc.url,
    pid: proc.pid,
    close: proc.close,
    name: 'bare',
    headers: () => headers,
    postmaster: null,
    dataDir: null,
  };
}

/** A loopback port free at this moment, for Portkey's `--port` (its start script takes no port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Portkey's gateway (its own start script, production mode, no UI) with bench/side-by-side-portkey-preload.ts. */
export async function startPortkeyTarget(upstreamUrl: string): Promise<Target> {
  const port = await freePort();
  const preload = fileURLToPath(new URL('./side-by-side-portkey-preload.ts', import.meta.url));
  const args = [process.execPath, ...execArgv, '--import', preload, PORTKEY_ENTRY, `--port=${port}`, '--headless'];
  const child = spawn('taskset', ['-c', String(TARGET_CPU), ...args], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOME: process.env.HOME ?? tmpdir() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  for (let ready = false; !ready; ) {
    if (child.exitCode !== null) throw new Error(`the Portkey gateway exited (code ${child.exitCode})`);
    ready = await fetch(origin, { signal: AbortSignal.timeout(1000) }).then(
      (res) => res.ok,
      () => false, // not listening yet
    );
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const headers = {
    ...json,
    authorization: 'Bearer sk-bench',
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': upstreamUrl,
  };
  return {
    url: `${origin}/v1`,
    pid: child.pid as number,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    name: 'portkey',
    headers: () => headers,
    postmaster: null,
    dataDir: null,
  };
}

/** The default bundle with one group added whose four limits are null (unlimited): the same policy code, so every
 * stage still runs (admission, reservation, settlement), but no subject in that group is ever capped. */
export function unlimitedBundle(dir: string): string {
  const files = readTarGz(readFileSync(fileURLToPath(new URL('../bundles/default.tar.gz', import.meta.url))));
  const data = JSON.parse((files.get('data.json') as Buffer).toString('utf8'));
  data.proctor.config.limits.groups['bench-unlimited'] = {
    tokens_per_minute: null,
    requests_per_minute: null,
    spend_micro_usd_per_day: null,
    spend_micro_usd_per_month: null,
  };
  const root = path.join(dir, 'bundle');
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'data.json'), JSON.stringify(data));
  writeFileSync(path.join(root, '.manifest'), files.get('.manifest') as Buffer);
  writeFileSync(path.join(root, 'policy.wasm'), files.get('policy.wasm') as Buffer);
  const out = path.join(dir, 'bench-unlimited.tar.gz');
  execFileSync('tar', ['-czf', out, '-C', root, '.manifest', 'data.json', 'policy.wasm']);
  return out;
}

/** Proctor's launch as production's (bin/proctor.js serve; the image's ENTRYPOINT): the container memory limit it sizes
 * V8's heap from (src/cli/node-heap.ts; 2048: the Helm chart's default limit), and whether that sizing is on. */
export const proctorLaunch = {
  memoryLimitMiB: Number(process.env.BENCH_SBS_PROCTOR_MEMORY_MIB ?? 2048),
  nodeHeap: process.env.BENCH_SBS_PROCTOR_NODE_HEAP === 'off' ? ('off' as const) : ('on' as const),
  /** Node's compile cache, warmed before the first launch as the image's build warms its own (deploy/Dockerfile). */
  compileCache: path.join(tmpdir(), 'proctor-bench-compile-cache'),
  /** Another checkout's bin/proctor.js to launch instead of this one's (a before/after pair in one run). */
  get bin(): string | undefined {
    return process.env.BENCH_SBS_PROCTOR_BIN;
  },
};

/** `node bin/proctor.js serve --config <file>` pinned to `cpu`, with the image's environment; ready once it says where
 * it serves. Its logs (JSON lines at the configured level) and its stderr go to a file beside its config, as a
 * container's go to its runtime, so reading them costs the load core nothing. */
async function startServe(configFile: string, cpu: number, env: Record<string, string>, nodeArgs: string[]) {
  const bin = proctorLaunch.bin ?? fileURLToPath(new URL('../bin/proctor.js', import.meta.url));
  const logFile = path.join(path.dirname(configFile), 'proctor.log');
  const log = openSync(logFile, 'w');
  const args = ['-c', String(cpu), process.execPath, ...nodeArgs, bin, 'serve', '--config', configFile];
  const child = spawn('taskset', args, {
    env: {
      ...process.env,
      ...env,
      NODE_ENV: 'production',
      NODE_COMPILE_CACHE: proctorLaunch.compileCache,
      PROCTOR_MEMORY_LIMIT_MIB: String(proctorLaunch.memoryLimitMiB),
      PROCTOR_NODE_HEAP: proctorLaunch.nodeHeap,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = once(child, 'exit');
  let url: string | undefined;
  while (url === undefined) {
    if (child.exitCode !== null)
      throw new Error(`proctor serve exited (code ${child.exitCode}) before it listened; see ${logFile}`);
    url = /^proctor: serving (\S+)/m.exec(readFileSync(logFile, 'utf8'))?.[1];
    if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid as number,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Warms the compile cache as the image's build does (bin/warm-compile-cache.js, with the launch's memory limit):
 * type stripping then never loads in Proctor's threads. */
export function warmCompileCache(): void {
  const warm = proctorLaunch.bin?.replace(/proctor\.js$/, 'warm-compile-cache.js');
  execFileSync(process.execPath, [warm ?? fileURLToPath(new URL('../bin/warm-compile-cache.js', import.meta.url))], {
    env: {
      ...process.env,
      NODE_COMPILE_CACHE: proctorLaunch.compileCache,
      PROCTOR_MEMORY_LIMIT_MIB: String(proctorLaunch.memoryLimitMiB),
      PROCTOR_NODE_HEAP: proctorLaunch.nodeHeap,
    },
    stdio: 'inherit',
  });
}

/** Proctor and its PostgreSQL (fsync on) on the target's core, launched as production launches it (bin/proctor.js
 * serve, heap sized from BENCH_SBS_PROCTOR_MEMORY_MIB); `outcomeCommit` as `ledger.outcome_commit`; `cpuProfileDir`
 * runs it under `node --cpu-prof`. */
export async function startProctorTarget(
  upstreamUrl: string,
  subjects: number,
  options: { outcomeCommit?: 'durable' | 'flush_deferred'; cpuProfileDir?: string } = {},
): Promise<Target> {
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-side-by-side-'));
  const bundle = unlimitedBundle(dir);
  const postgres = await startPostgres({ durable: true });
  const admin = connectPostgres(postgres.superuserUrl, { max: 1 });
  const [row] = (await admin.query('SHOW data_directory')).rows as { data_directory: string }[];
  await admin.close();
  const dataDir = (row as { data_directory: string }).data_directory;
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  // New backends fork from the postmaster and inherit its core; those already running are pinned one by one.
  for (const pid of [postmaster, ...childrenOf(postmaster)]) pin(pid, TARGET_CPU);
  const issuerKey = await generateDevIssuerKey();
  const issuer = await startDevIssuer({ key: issuerKey, port: 0 });
  const key = generateSigningKey();
  const outcomeCommit = options.outcomeCommit ?? 'durable';
  const doc = {
    server: { host: '127.0.0.1', port: 0 },
    database: { url: { env: 'DATABASE_URL' }, pool_size: Number(process.env.BENCH_POOL_SIZE ?? 10) },
    ledger: { chain: 'side-by-side', signing_key: { env: 'KEY' }, outcome_commit: outcomeCommit },
    identity: {
      issuers: [{ issuer: issuer.issuer, audience: ['proctor'], algorithms: ['ES256'], allow_insecure_http: true }],
    },
    classification: { fingerprint_key: { env: 'FP' } },
    policy: { bundle },
    upstreams: [
      {
        name: 'echo',
        kind: 'openai-compatible',
        base_url: upstreamUrl,
        models: ['*'],
        attributes: { zero_data_retention: true },
      },
    ],
  };
  const configFile = path.join(dir, 'proctor.json'); // JSON is YAML: `proctor serve --config` reads it as such
  writeFileSync(configFile, JSON.stringify(doc));
  const env = { KEY: key.privateKeyPem, FP: 'f'.repeat(32), DATABASE_URL: postgres.url };
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const proc = await startServe(configFile, TARGET_CPU, env, [...execArgv, ...profile]);
  const tokens = await Promise.all(
    Array.from({ length: subjects }, (_, i) =>
      mintDevToken({
        key: issuerKey,
        issuer: issuer.issuer,
        audience: 'proctor',
        sub: `bench-${i}`,
        groups: ['eng', 'bench-unlimited'],
        ttlSeconds: 3600,
      }),
    ),
  );
  const authorized = tokens.map((token) => ({ ...json, authorization: `Bearer ${token}` }));
  return {
    url: proc.url,
    pid: proc.pid,
    name: outcomeCommit === 'durable' ? 'proctor' : 'proctor_deferred',
    headers: (i, spread) =>
      authorized[spread <= 1 ? 0 : i % Math.min(spread, authorized.length)] as Record<string, string>,
    postmaster,
    dataDir,
    close: async () => {
      await proc.close();
      await postgres.destroy();
      await issuer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
