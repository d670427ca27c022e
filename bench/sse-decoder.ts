// The upstream SSE decoder alone (src/pipeline/stream-sse.ts): time per MB for one long data line and for many
// ordinary events, delivered in chunks of 16 bytes, 100 bytes and 64 KB. Linear cost means the time per MB does not
// grow with the line's length or shrink with the chunk size beyond the per-chunk overhead (before the scan kept its
// position, an 800 kB line in 100-byte chunks took 24 s: every chunk rescanned the line from its start).
// Run alone with `node bench/sse-decoder.ts` (JSON on stdout).
import { performance } from 'node:perf_hooks';
import { createSseDecoder } from '../src/pipeline/stream-sse.ts';

const RUNS = Number(process.env.BENCH_SSE_RUNS ?? 5);
const CHUNKS = [16, 100, 64 * 1024];

function chunked(wire: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < wire.length; at += size) out.push(wire.subarray(at, at + size));
  return out;
}

/** Median ms to decode `wire` in `size`-byte chunks, and the events it held (a check that it decoded). */
function decodeTime(wire: Uint8Array, size: number): { ms: number; events: number } {
  const chunks = chunked(wire, size);
  const times: number[] = [];
  let events = 0;
  for (let r = 0; r < RUNS + 1; r += 1) {
    const decoder = createSseDecoder(2 * wire.length);
    const t0 = performance.now();
    events = 0;
    for (const c of chunks) events += decoder.push(c).length;
    if (r > 0) times.push(performance.now() - t0); // the first run warms up
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] as number, events };
}

function perMb(label: string, wire: Uint8Array) {
  const mb = wire.length / (1024 * 1024);
  return CHUNKS.map((size) => {
    const { ms, events } = decodeTime(wire, size);
    return { input: label, bytes: wire.length, chunk_bytes: size, events, ms: round(ms), ms_per_mb: round(ms / mb) };
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function benchSseDecoder() {
  const encode = (s: string) => new TextEncoder().encode(s);
  const line = (bytes: number) => encode(`data: {"t":"${'x'.repeat(bytes)}"}\n\n`);
  const delta = `data: {"choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}\n\n`;
  const rows = [
    ...perMb('one 200 kB line', line(200 * 1024)),
    ...perMb('one 800 kB line', line(800 * 1024)),
    ...perMb('one 4 MB line', line(4 * 1024 * 1024)),
    ...perMb('ordinary events, 4 MB', encode(delta.repeat(Math.ceil((4 * 1024 * 1024) / delta.length)))),
  ];
  // Linear: for each chunk size, the long line's time per MB at 4 MB over its time per MB at 200 kB (1 = linear;
  // the quadratic scan it replaces grew with the line, about 20x for this ratio of lengths).
  const ratio = (size: number) => {
    const at = (input: string) => rows.find((r) => r.input === input && r.chunk_bytes === size)?.ms_per_mb ?? 0;
    return round(at('one 4 MB line') / Math.max(at('one 200 kB line'), 0.01));
  };
  return {
    runs: RUNS,
    rows,
    per_mb_growth_200kb_to_4mb: Object.fromEntries(CHUNKS.map((size) => [`chunk_${size}`, ratio(size)])),
  };
}

if (import.meta.main) process.stdout.write(`${JSON.stringify(benchSseDecoder(), null, 2)}\n`);
