// Write and read system calls a request, by peer (issue #17): Proctor launched as the side-by-side bench launches it
// (bench/side-by-side-targets.ts, PostgreSQL with fsync on), a closed loop at c=64 (one hot subject, 20 ms mock), and
// `strace -f -yy` attached to every thread of the serve process during the measured window. Each call is put to its
// peer by the socket strace names: the client (Proctor's listening port), the upstream (the mock), PostgreSQL, other
// sockets, files (the log), and eventfd/pipe wakeups (libuv waking the event loop from a thread). Requests are counted
// in the trace itself: responses written to clients (`HTTP/1.1 ` at a write's start). strace slows the process many
// times over, which changes how many records a group commit carries: the database's share a request is an order of
// magnitude, not a figure of an untraced run. Run: `flock /tmp/bench.lock node bench/side-by-side-syscalls.ts`
// (BENCH_SYSCALLS_SECONDS, default 4; BENCH_SBS_PROCTOR_BIN launches another checkout's bin/proctor.js). Prints JSON.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closedLoop } from './side-by-side-load.ts';
import { pin } from './side-by-side-proc.ts';
import { LOAD_CPU, startMock, startProctorTarget, warmCompileCache } from './side-by-side-targets.ts';

const seconds = Number(process.env.BENCH_SYSCALLS_SECONDS ?? 4);
const CALLS = 'write,writev,sendto,sendmsg,pwrite64,read,readv,recvfrom,recvmsg';
/** `<tid> <call>(<fd><what>>, "<first bytes>"...` as `strace -f -yy` prints a completed or resumed call. */
const LINE = /^\d+\s+(\w+)\((\d+)(<(?:->|[^>])*>)?(?:, (?:\[\{iov_base=)?"((?:[^"\\]|\\.)*)")?/;

type Peer = 'client' | 'upstream' | 'postgres' | 'other socket' | 'file' | 'wakeup (eventfd/pipe)' | 'other';
interface Ports {
  proctor: number;
  mock: number;
  postgres: number;
}

export function peerOf(fd: string, ports: Ports): Peer {
  const tcp = /TCP(?:v6)?:\[(.*?)\]>?$/.exec(fd)?.[1];
  if (tcp !== undefined) {
    const [local = '', remote = ''] = tcp.split('->');
    const port = (end: string) => Number(end.slice(end.lastIndexOf(':') + 1).replace(/\]$/, ''));
    if (port(local) === ports.proctor) return 'client';
    if (port(remote) === ports.mock) return 'upstream';
    if (port(remote) === ports.postgres) return 'postgres';
    return 'other socket';
  }
  if (/eventfd|pipe:/.test(fd)) return 'wakeup (eventfd/pipe)';
  if (fd.startsWith('</')) return 'file';
  return 'other';
}

/** Calls a request by peer and kind (write or read) from a trace; requests are the responses written to clients. */
export function tally(trace: string, ports: Ports) {
  const counts: Record<string, number> = {};
  let responses = 0;
  for (const line of trace.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, call = '', , fd = '', data = ''] = m;
    const kind = /^(write|writev|sendto|sendmsg|pwrite64)$/.test(call) ? 'write' : 'read';
    const peer = peerOf(fd, ports);
    const key = `${peer} ${kind} (${call})`;
    counts[key] = (counts[key] ?? 0) + 1;
    if (peer === 'client' && kind === 'write' && data.startsWith('HTTP/1.1 ')) responses += 1;
  }
  const perRequest = Object.fromEntries(
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([key, n]) => [key, Math.round((n / Math.max(1, responses)) * 100) / 100]),
  );
  return { responses, calls: counts, per_request: perRequest };
}

async function main() {
  pin(process.pid, LOAD_CPU);
  const mock = await startMock();
  await mock.configure(20, 2);
  warmCompileCache();
  const target = await startProctorTarget(mock.url, 1);
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-syscalls-'));
  const traceFile = path.join(dir, 'trace');
  const ports: Ports = {
    proctor: Number(new URL(target.url).port),
    mock: Number(new URL(mock.url).port),
    postgres: Number(readFileSync(path.join(target.dataDir as string, 'postmaster.pid'), 'utf8').split('\n')[3]),
  };
  let strace: ReturnType<typeof spawn> | undefined;
  try {
    const load = await closedLoop({
      url: target.url,
      concurrency: 64,
      stream: false,
      warmupSeconds: 3,
      seconds,
      headers: (i) => target.headers(i, 1),
      onWindow(edge) {
        if (edge === 'start')
          strace = spawn(
            'strace',
            ['-f', '-qq', '-yy', '-e', `trace=${CALLS}`, '-o', traceFile, '-p', `${target.pid}`],
            {
              stdio: 'ignore',
            },
          );
        else strace?.kill('SIGINT');
      },
    });
    // Ended by SIGINT: its exit code stays null (signalCode is set), so wait for 'exit' only while neither is.
    if (strace && strace.exitCode === null && strace.signalCode === null) await once(strace, 'exit');
    const result = tally(readFileSync(traceFile, 'utf8'), ports);
    const report = {
      when: new Date().toISOString(),
      load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
      rps_under_strace: Math.round(load.completed / load.seconds),
      errors: load.errors,
      ...result,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await target.close();
    await mock.close();
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) await main();
