// How `proctor serve` sizes V8's heap (docs/performance.md, "Memory"): V8's defaults size a heap for the machine, not
// the container (on a 24 GiB host: 64 MiB semi-spaces and an old space that fills with garbage to ~200 MiB before a
// full collection), so a replica's RSS was 3 times its live data. The launcher (bin/proctor.js) adds what is missing:
// a young generation of `SEMI_SPACE_MIB` a semi-space, a full collection once the old space has grown by half over
// what survived the last one, and, when the memory limit is known (PROCTOR_MEMORY_LIMIT_MIB, else the cgroup's), a
// hard old-space cap of half of it. A flag the operator already gave (NODE_OPTIONS or node's own arguments) wins.

/** Semi-space (MiB): V8's default on a large host is 64; 16 keeps the scavenger's cost per request (measured). */
export const SEMI_SPACE_MIB = 16;
/** The old space may grow to (1 + this / 100) × what survived the last full collection before the next one. */
export const HEAP_GROWING_PERCENT = 50;
/** Share of the memory limit the main thread's old space may use: the rest is the young generation, code, the
 * classification threads' heaps, RE2's and the tokenizer's native memory, and the mapped binaries (~60 MiB). */
export const OLD_SPACE_SHARE = 0.5;
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
  return c > 0 && c < inputs.totalBytes ? Math.floor(c / 2 ** 20) : null;
}

/** The V8 flags to add (none when every one is given already). */
export function heapFlags(inputs: HeapInputs): string[] {
  const has = (flag: string) => inputs.given.some((arg) => arg.replaceAll('_', '-').startsWith(flag));
  const flags: string[] = [];
  if (!has('--max-semi-space-size')) flags.push(`--max-semi-space-size=${SEMI_SPACE_MIB}`);
  if (!has('--heap-growing-percent')) flags.push(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const limit = memoryLimitMiB(inputs);
  if (limit !== null && !has('--max-old-space-size'))
    flags.push(`--max-old-space-size=${Math.floor(limit * OLD_SPACE_SHARE)}`);
  return flags;
}

/** Replaces this process's image by node with the missing heap flags (same pid, arguments and environment), or
 * returns when none is missing, PROCTOR_NODE_HEAP is `off`, or this node cannot exec. Node takes heap flags only at
 * start. Also run by bin/warm-compile-cache.js: the compile cache is keyed by some of these flags. */
export function relaunchWithHeapFlags(env: Record<string, string | undefined>, totalBytes: number): void {
  if (env.PROCTOR_NODE_HEAP === 'off' || typeof process.execve !== 'function') return;
  const flags = heapFlags({
    limitSetting: env.PROCTOR_MEMORY_LIMIT_MIB,
    constrainedBytes: process.constrainedMemory(),
    totalBytes,
    given: [...process.execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)],
  });
  if (flags.length > 0)
    process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)]);
}
