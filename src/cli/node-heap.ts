// How `proctor serve` sizes V8's heap (docs/performance.md, "Memory"): V8 sizes a heap for the machine, not the
// container (on a 24 GiB host: 64 MiB semi-spaces and an old space limited to ~4 GiB, which fills with garbage far past
// the live data before a full collection). When the memory limit is known (PROCTOR_MEMORY_LIMIT_MIB, else the cgroup's)
// the launcher (bin/proctor.js) caps the old space at half of it and the semi-spaces at 16 MiB.
// Smaller semi-spaces or a forced heap growth factor cut the peak further but cost CPU: every scavenge copies the
// in-flight requests' state (measured in docs/performance.md). A flag the operator already gave (NODE_OPTIONS or
// node's own arguments) wins.

/** Share of the memory limit the main thread's old space may use: the rest is the young generation, code, the
 * classification threads' heaps, RE2's and the tokenizer's native memory, and the mapped binaries (~60 MiB). */
export const OLD_SPACE_SHARE = 0.5;
/** Semi-space (MiB) as a share of the memory limit, and its bounds: below 16 the scavenger's cost per request grows
 * fast (8: GC a stream ×3); 32 against 16 bought no CPU a request or a stream beyond noise in five alternating pairs
 * but 16–45 MiB of peak RSS, and V8's own 64 on a large host ~55 MiB more (docs/performance.md, "Memory at peak"). */
export const SEMI_SPACE_SHARE = 1 / 16;
export const SEMI_SPACE_MIB = { min: 16, max: 16 } as const;
/** Below this limit (MiB) Proctor does not start reliably at all (its live heap alone is ~100 MiB). */
export const MIN_MEMORY_LIMIT_MIB = 256;

export interface HeapInputs {
  /** PROCTOR_MEMORY_LIMIT_MIB as given, if any. */
  limitSetting: string | undefined;
  /** process.constrainedMemory(): the cgroup's limit in bytes (0 or a huge number when there is none). */
  constrainedBytes: number;
  /** os.totalmem() in bytes. */
  totalBytes: number;
  /** node's own arguments (process.execArgv) and NODE_OPTIONS: flags given there are kept as they are. */
  given: readonly string[];
}

/** The memory limit in MiB: the setting, else the cgroup's limit when it is below the machine's memory, else null. */
export function memoryLimitMiB(inputs: Omit<HeapInputs, 'given'>): number | null {
  if (inputs.limitSetting !== undefined && inputs.limitSetting !== '') {
    const mib = Number(inputs.limitSetting);
    if (!Number.isSafeInteger(mib) || mib < MIN_MEMORY_LIMIT_MIB)
      throw new RangeError(
        `PROCTOR_MEMORY_LIMIT_MIB must be an integer of at least ${MIN_MEMORY_LIMIT_MIB}, got '${inputs.limitSetting}'`,
      );
    return mib;
  }
  const c = inputs.constrainedBytes;
  const mib = c > 0 && c < inputs.totalBytes ? Math.floor(c / 2 ** 20) : null;
  // A cgroup too small to size a heap for (old space under Proctor's live heap) is left to node's defaults.
  return mib !== null && mib >= MIN_MEMORY_LIMIT_MIB ? mib : null;
}

/** The V8 flags to add: none when the memory limit is unknown, or when the operator gave them already. */
export function heapFlags(inputs: HeapInputs): string[] {
  const limit = memoryLimitMiB(inputs);
  if (limit === null) return [];
  const has = (flag: string) => inputs.given.some((arg) => arg.replaceAll('_', '-').startsWith(flag));
  const semi = Math.min(SEMI_SPACE_MIB.max, Math.max(SEMI_SPACE_MIB.min, Math.floor(limit * SEMI_SPACE_SHARE)));
  const flags: string[] = [];
  if (!has('--max-semi-space-size')) flags.push(`--max-semi-space-size=${semi}`);
  if (!has('--max-old-space-size')) flags.push(`--max-old-space-size=${Math.floor(limit * OLD_SPACE_SHARE)}`);
  return flags;
}

/** glibc's malloc arenas when the operator sets none: by default each thread that allocates (classification, signing,
 * libuv's pool) may get an arena of its own, up to 8 a core, each keeping freed memory; two hold RE2's and the
 * tokenizer's native memory as well (measured in docs/performance.md). glibc reads it only at start. */
export const MALLOC_ARENA_MAX = '2';

/** The environment `serve` runs with: the operator's, with MALLOC_ARENA_MAX added when unset. */
export function launchEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return env.MALLOC_ARENA_MAX === undefined ? { ...env, MALLOC_ARENA_MAX } : env;
}

/** Replaces this process's image by node with the missing heap flags (same pid, arguments; launchEnv), or
 * returns when none is missing, PROCTOR_NODE_HEAP is `off`, or this node cannot exec. Node takes heap flags only at
 * start. Also run by bin/warm-compile-cache.js, so that it compiles with the flags `serve` runs with. */
export function relaunchWithHeapFlags(env: Record<string, string | undefined>, totalBytes: number): void {
  if (env.PROCTOR_NODE_HEAP === 'off' || typeof process.execve !== 'function') return;
  const flags = heapFlags({
    limitSetting: env.PROCTOR_MEMORY_LIMIT_MIB,
    constrainedBytes: process.constrainedMemory(),
    totalBytes,
    given: [...process.execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)],
  });
  if (flags.length > 0)
    process.execve(
      process.execPath,
      [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)],
      launchEnv(env),
    );
}
