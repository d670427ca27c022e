// The o200k_base counter's retained heap and its CPU a count, variants side by side in one run: the package's own
// encoding module (ranks from its JavaScript literal), the counter built from the tiktoken file (src/limits/bpe-ranks.ts)
// with the package's merge cache (100,000 pieces) and with the cache bounded. Each variant runs in a fresh process
// (`node --expose-gc`), in turns, ROUNDS rounds; heap is V8's used heap after two full collections. Also printed: what
// a packed table would take (the tokens' bytes, an offset a rank, an open-addressing slot table at load ≤ 0.5), which
// gpt-tokenizer cannot take without a fork (its core builds a Map<string, number> of every rank, no lookup to plug in).
// Each child: heap before and after building the counter, after counting the fixture corpus, after 150,000 distinct
// made-up words (the cache at its bound); then, in that state, CPU µs a count of the two-message request, of a text
// not seen before and of the same text again. Run: node bench/tokenizer-memory.ts (JSON on stdout).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const ROUNDS = Number(process.env.BENCH_TOKENIZER_ROUNDS ?? 3);
const VARIANTS = ['package-module', 'tiktoken-cache-100000', 'tiktoken-cache-16384', 'tiktoken-cache-4096'] as const;
type Variant = (typeof VARIANTS)[number];
const AS_TEXT = { disallowedSpecial: new Set<string>() };
/** The side-by-side bench's request (bench/limits.ts cpu_per_request counts the same two messages). */
const REQUEST = [
  'You are a helpful assistant.',
  'Summarise the quarterly report for the north region in two sentences.',
];

/** The repository's fixture texts, then the same words shuffled with digits, CJK and emoji: many pieces to merge. */
function corpus(seed: number): string[] {
  const root = new URL('../test/fixtures/', import.meta.url);
  const lines = readFileSync(new URL('quality/dev.jsonl', root), 'utf8').split('\n').filter(Boolean);
  const texts = lines.map((l) => (JSON.parse(l) as { text: string }).text);
  const words = texts.join(' ').split(/\s+/);
  const extra = ['東京都', '👩‍💻', 'naïve', 'Straße', 'Ωμέγα', 'مرحبا', '١٢٣', 'x86_64', '0x7f3a'];
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s;
  };
  for (let i = 0; i < 4000; i++) {
    const parts: string[] = [];
    for (let k = 0; k < 24; k++) {
      const r = next();
      parts.push(r % 7 === 0 ? `${extra[r % extra.length]}${r % 100_000}` : (words[r % words.length] ?? ''));
    }
    texts.push(parts.join(r2(next()) ? ' ' : ''));
  }
  return texts;
}
const r2 = (n: number) => n % 5 !== 0;

async function counterOf(variant: Variant): Promise<(text: string) => number> {
  if (variant === 'package-module') {
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    return (t) => countTokens(t, AS_TEXT);
  }
  const { loadCounter } = await import('../src/limits/bpe-ranks.ts');
  const count = loadCounter('o200k_base', Number(variant.slice('tiktoken-cache-'.length)));
  return (t) => count(t, AS_TEXT);
}

function heapMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the child with --expose-gc');
  gc();
  gc();
  return Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10;
}

function cpuUs(start: NodeJS.CpuUsage, n: number): number {
  const used = process.cpuUsage(start);
  return Math.round(((used.user + used.system) / n) * 10) / 10;
}

async function child(variant: Variant) {
  const before = heapMiB();
  const count = await counterOf(variant);
  count('warm');
  const built = heapMiB();
  let tokens = 0;
  for (const t of corpus(1)) tokens += count(t);
  const afterCorpus = heapMiB();
  // The cache's bound: 150,000 distinct made-up words (letters only, so each is one piece, and not one token).
  const letters = (n: number) =>
    [...n.toString(26)].map((d) => String.fromCharCode(106 + Number.parseInt(d, 26))).join('');
  for (let i = 0; i < 150_000; i++) count(` qz${letters(i * 7919)}`);
  const afterDistinct = heapMiB();
  // CPU: the request shape (its pieces all cached or single tokens), then texts never seen (every merge computed).
  for (let i = 0; i < 2000; i++) for (const t of REQUEST) count(t);
  let start = process.cpuUsage();
  const n = 20_000;
  for (let i = 0; i < n; i++) for (const t of REQUEST) count(t);
  const requestUs = cpuUs(start, n);
  const unseen = corpus(2);
  start = process.cpuUsage();
  for (const t of unseen) count(t);
  const unseenUs = cpuUs(start, unseen.length);
  start = process.cpuUsage();
  for (const t of unseen) count(t);
  const againUs = cpuUs(start, unseen.length);
  return {
    variant,
    corpus_tokens: tokens,
    retained_heap_mib: Math.round((built - before) * 10) / 10,
    retained_after_corpus_mib: Math.round((afterCorpus - before) * 10) / 10,
    retained_after_150k_distinct_pieces_mib: Math.round((afterDistinct - before) * 10) / 10,
    request_count_cpu_us: requestUs,
    unseen_text_cpu_us: unseenUs,
    same_text_again_cpu_us: againUs,
  };
}

async function packedEstimate() {
  const { createRequire } = await import('node:module');
  const path = createRequire(import.meta.url).resolve('gpt-tokenizer/data/o200k_base.tiktoken');
  const lines = readFileSync(path, 'latin1').split('\n').filter(Boolean);
  let bytes = 0;
  for (const l of lines) bytes += Buffer.from(l.slice(0, l.indexOf(' ')), 'base64').length;
  const slots = 2 ** Math.ceil(Math.log2(lines.length * 2));
  return {
    ranks: lines.length,
    bytes_mib: +(bytes / 2 ** 20).toFixed(2),
    total_mib: +((bytes + 4 * lines.length + 4 * slots) / 2 ** 20).toFixed(2),
  };
}

if (process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(await child(process.argv[3] as Variant)));
} else if (import.meta.main) {
  const runs: unknown[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of VARIANTS) {
      const out = execFileSync(
        process.execPath,
        ['--expose-gc', new URL(import.meta.url).pathname, '--child', variant],
        {
          encoding: 'utf8',
        },
      );
      runs.push({ round, ...JSON.parse(out) });
    }
  }
  const result = { load_average_1m: loadavg()[0], packed_table_estimate: await packedEstimate(), runs };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
