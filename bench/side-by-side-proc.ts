// What the side-by-side bench reads from the operating system: CPU pinning (taskset), a process's CPU time and peak
// RSS from /proc, the CPU of a whole PostgreSQL server (the postmaster, its live backends and the children it has
// reaped), and the disk's flush latency: fdatasync timed here call by call (percentiles), and pg_test_fsync's mean.
// Linux only, as the bench's layout (two cores, one per side) is.
import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** Clock ticks per second of /proc/<pid>/stat's CPU fields (USER_HZ; 100 on every Linux this runs on). */
const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Pins every thread of `pid` to `cpu`; threads and children it creates later inherit the pinning. */
export function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

/** utime, stime, cutime, cstime and ppid of one process, or null when it is gone. */
function stat(pid: number): { cpu: number; children: number; ppid: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // exited between listing and reading: its CPU is in its parent's cutime once reaped
  }
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (field: number) => Number(f[field - 3]);
  return { cpu: n(14) + n(15), children: n(16) + n(17), ppid: n(4) };
}

/** CPU seconds `pid` has used so far, all its threads included. */
export function processCpuSeconds(pid: number): number {
  return (stat(pid)?.cpu ?? Number.NaN) / TICKS_PER_S;
}

/** Peak resident set (VmHWM) of `pid` in MiB. */
export function peakRssMiB(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

/** The CPUs `pid` may run on ("0", "0-1"), as the kernel says: the layout checked, not assumed. */
export function cpusAllowed(pid: number): string {
  return /^Cpus_allowed_list:\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 'unknown';
}

/** Live children of `parent`. */
export function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && pid > 0 && stat(pid)?.ppid === parent) out.push(pid);
  }
  return out;
}

/** CPU seconds of a PostgreSQL server: the postmaster's own and reaped children's, plus every live child's. */
export function postgresCpuSeconds(postmaster: number): number {
  const own = stat(postmaster);
  if (own === null) return Number.NaN;
  const live = childrenOf(postmaster).reduce((sum, pid) => sum + (stat(pid)?.cpu ?? 0), 0);
  return (own.cpu + own.children + live) / TICKS_PER_S;
}

export interface FsyncTiming {
  method: string;
  calls: number;
  p50_us: number;
  p99_us: number;
  mean_us: number;
}

/** `calls` times: one 8 KiB write (as a WAL page) into a preallocated 1 MiB file in `dir`, then fdatasync. */
export function timeFdatasync(dir: string, calls: number): FsyncTiming {
  const file = path.join(dir, `fsync-probe-${process.pid}`);
  const fd = openSync(file, 'w');
  const page = Buffer.alloc(8192, 0x5a);
  const samples: number[] = [];
  try {
    for (let offset = 0; offset < 1 << 20; offset += page.length) writeSync(fd, page, 0, page.length, offset);
    fdatasyncSync(fd);
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      writeSync(fd, page, 0, page.length, (i % 128) * page.length);
      fdatasyncSync(fd);
      samples.push((performance.now() - t0) * 1000);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  samples.sort((a, b) => a - b);
  const at = (p: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? 0);
  const mean = Math.round(samples.reduce((a, b) => a + b, 0) / samples.length);
  return { method: 'write 8 KiB + fdatasync, timed here', calls, p50_us: at(0.5), p99_us: at(0.99), mean_us: mean };
}

/** pg_test_fsync on a file in `dir` (`seconds` a test); its fdatasync line for one 8 kB write, a mean only. */
export function pgTestFsync(bin: string, dir: string, seconds: number): { ops_per_s: number; mean_us: number } | null {
  const file = path.join(dir, `pg-test-fsync-${process.pid}`);
  try {
    const out = execFileSync(path.join(bin, 'pg_test_fsync'), ['-s', String(seconds), '-f', file], {
      encoding: 'utf8',
      timeout: 60_000 + seconds * 30_000,
    });
    // The first fdatasync line is the "one 8kB write" section: "fdatasync   7823.499 ops/sec   128 usecs/op".
    const match = /^\s*fdatasync\s+([\d.]+) ops\/sec\s+(\d+) usecs\/op/m.exec(out);
    return match ? { ops_per_s: Math.round(Number(match[1])), mean_us: Number(match[2]) } : null;
  } finally {
    rmSync(file, { force: true });
  }
}
