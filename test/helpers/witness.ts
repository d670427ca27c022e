// A real C2SP tlog-witness for tests: filippo.io/torchwood's litewitness (pinned), installed with `go install` into
// .tools/go/bin when missing (scripts/toolchain.sh --with-witness does the same for CI), run on 127.0.0.1 with its own
// SQLite database and a dedicated ssh-agent (foreground, so stop() ends exactly the processes it started) holding a
// fresh Ed25519 key. Logs are registered with witnessctl. Nothing here speaks the protocol: the code under test does.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { witnessKeyHash } from '../../src/ledger/witness-cosignature.ts';

const run = promisify(execFile);
export const TORCHWOOD_VERSION = 'v0.6.1';
const GOBIN = path.resolve(import.meta.dirname, '../../.tools/go/bin');

export interface RunningWitness {
  name: string;
  url: string;
  /** The witness's cosignature verifier key, derived here from its SSH public key. */
  vkey: string;
  /** Registers a log (its origin and note verifier key) with witnessctl. */
  addLog(origin: string, logVkey: string): Promise<void>;
  stop(): Promise<void>;
}

/** The pinned litewitness and witnessctl, installed on first use (a minute or two the first time). */
export async function ensureLitewitness(): Promise<{ litewitness: string; witnessctl: string }> {
  const litewitness = path.join(GOBIN, 'litewitness');
  const witnessctl = path.join(GOBIN, 'witnessctl');
  if (!existsSync(litewitness) || !existsSync(witnessctl)) {
    const pkgs = ['litewitness', 'witnessctl'].map((c) => `filippo.io/torchwood/cmd/${c}@${TORCHWOOD_VERSION}`);
    await run('go', ['install', ...pkgs], { env: { ...process.env, GOBIN, GOFLAGS: '-mod=mod' }, timeout: 600_000 });
  }
  return { litewitness, witnessctl };
}

export async function startWitness(name: string): Promise<RunningWitness> {
  const bins = await ensureLitewitness();
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-witness-'));
  const key = path.join(dir, 'witness');
  const sock = path.join(dir, 'agent.sock');
  const db = path.join(dir, 'witness.db');
  await run('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', name, '-f', key]);
  const fingerprint = (await run('ssh-keygen', ['-l', '-f', `${key}.pub`])).stdout.split(' ')[1] ?? '';
  const children: ChildProcess[] = [];
  // A test process that exits without stop() (a failed hook) still ends the processes it started.
  const killAll = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', killAll);
  const stop = async () => {
    process.removeListener('exit', killAll);
    for (const child of children.reverse()) {
      if (child.exitCode !== null || child.pid === undefined) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(agent);
    // ssh-agent prints its environment lines once its socket listens (ssh-agent.c): an event, not a poll.
    await printed(agent, /SSH_AUTH_SOCK=/, 'ssh-agent');
    await run('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
    // litewitness names the address it was given, not the one it bound: a port 0 cannot be read back. A free port is
    // only known free until someone else binds it, so a witness that could not bind it is started again on another
    // (as the PostgreSQL helper does).
    let port = 0;
    for (let attempt = 1; ; attempt += 1) {
      port = await freePort();
      const args = ['-db', db, '-name', name, '-key', fingerprint, '-ssh-agent', sock, '-listen', `127.0.0.1:${port}`];
      const child = spawn(bins.litewitness, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      let log = '';
      child.stderr?.on('data', (d: Buffer) => void (log = (log + d.toString()).slice(-4000)));
      const listening = () => child.exitCode === null && canConnect(port);
      await until(
        async () => child.exitCode !== null || (await listening()),
        'litewitness listening',
        () => log,
      );
      if (child.exitCode === null) break;
      if (!/address already in use/i.test(log) || attempt === 5)
        throw new Error(`litewitness exited (${child.exitCode}): ${log}`);
    }
    const url = `http://127.0.0.1:${port}`;
    return {
      name,
      url,
      vkey: vkeyOf(name, readFileSync(`${key}.pub`, 'utf8')),
      async addLog(origin, logVkey) {
        await run(bins.witnessctl, ['add-log', '-db', db, '-origin', origin]);
        await run(bins.witnessctl, ['add-key', '-db', db, '-origin', origin, '-key', logVkey]);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `name+hash+base64(0x04 ‖ key)` from an OpenSSH ssh-ed25519 public key line. */
function vkeyOf(name: string, sshPub: string): string {
  const blob = Buffer.from(sshPub.split(' ')[1] ?? '', 'base64');
  const raw = blob.subarray(blob.length - 32);
  const hash = Buffer.from(witnessKeyHash(name, raw)).toString('hex');
  return `${name}+${hash}+${Buffer.concat([Buffer.from([4]), raw]).toString('base64')}`;
}

/** Resolves once `child` has printed `pattern` on stdout; rejects when it exits first. */
function printed(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-4000);
      if (pattern.test(out)) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${what} exited (${signal ?? code}) before it was ready: ${out}`)),
    );
  });
}

/** Waits for litewitness to accept connections: it logs "listening" before it binds (litewitness.go), so no line of
 * its own marks it ready; connecting is the real condition, polled (a readiness poll, not a timing assumption), up to
 * 30 s. */
async function until(
  ready: () => boolean | Promise<boolean>,
  what: string,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what}: not ready after 30 s ${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
