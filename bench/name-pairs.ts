// CPU of classifying a parsed chat request whose names are read as one set (classification/name-pairs.ts), with 0, 8
// and 128 tools: ordinary names (`lookup_cd`: no value's piece, only the model's pairs read), names with a digit
// (`lookup_3`) and the worst case (every name can be a piece: `Lookup3Tool`, every two read; 30 and 64 characters long). `--against <checkout>` classifies the same segments with that checkout's
// classifier too, interleaved, and reports the ratios (this tree / that one). Writes bench/results/name-pairs.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../src/classification/index.ts';
import { adapterFor } from '../src/providers/index.ts';

type Classify = (segments: readonly { path: string; text: string }[]) => unknown;

function bodyOf(tools: number, name: (i: number) => string): Uint8Array {
  const body = {
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'You are a helpful assistant. Use the tools when they help.' },
      { role: 'user', content: 'What is the weather in Paris tomorrow, and should I bring an umbrella?' },
    ],
    ...(tools === 0
      ? {}
      : {
          tools: Array.from({ length: tools }, (_, i) => ({
            type: 'function',
            function: {
              name: name(i),
              description: 'Looks a thing up by its name.',
              parameters: { type: 'object', properties: { q: { type: 'string' } } },
            },
          })),
        }),
  };
  return new TextEncoder().encode(JSON.stringify(body));
}

/** µs of this thread's CPU per call, the median of `rounds` rounds of `iterations` calls. */
function cpuPerCall(fn: () => unknown, iterations: number, rounds = 5): number {
  for (let i = 0; i < iterations; i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.threadCpuUsage();
    for (let i = 0; i < iterations; i++) fn();
    const used = process.threadCpuUsage(start);
    samples.push((used.user + used.system) / iterations);
  }
  samples.sort((a, b) => a - b);
  return Math.round((samples[Math.floor(rounds / 2)] as number) * 10) / 10;
}

async function main(): Promise<void> {
  const against = process.argv.indexOf('--against');
  const key = new Uint8Array(32).fill(1);
  const here = createClassifier({ fingerprintKey: key });
  let there: { classify: Classify } | undefined;
  if (against >= 0) {
    const dir = path.resolve(process.argv[against + 1] as string);
    const module = (await import(
      path.join(dir, 'src/classification/index.ts')
    )) as typeof import('../src/classification/index.ts');
    there = module.createClassifier({ fingerprintKey: key });
  }
  const kinds = {
    ordinary: (i: number) => `lookup_${String.fromCharCode(97 + (i % 26), 97 + Math.floor(i / 26))}`,
    with_digit: (i: number) => `lookup_${i}`,
    piece_like: (i: number) => `Lookup${i}Tool`,
    // Longer names (30 characters: 128 of them are about the most the pairs read; 64 are refused).
    piece_like_30: (i: number) => `Lookup${i}Tool${'Ab9'.repeat(22)}`.slice(0, 30),
    piece_like_64: (i: number) => `Lookup${i}Tool${'Ab9'.repeat(22)}`.slice(0, 64),
  };
  const rows: Record<string, unknown>[] = [];
  for (const [kind, name] of Object.entries(kinds)) {
    for (const tools of [0, 8, 128]) {
      if (tools === 0 && kind !== 'ordinary') continue;
      const { segments } = adapterFor('openai.chat_completions').parse(bodyOf(tools, name));
      const iterations = tools === 128 ? 20 : 400;
      const row: Record<string, unknown> = { kind, tools, segments: segments.length };
      // Interleaved, so both see the same load.
      try {
        here.classify(segments);
      } catch (error) {
        // Past MAX_NAME_PAIR_CHARS: refused (ERR_NAME_PAIRS_EXCEEDED), measured no further.
        row.refused = (error as { code?: string }).code;
        rows.push(row);
        console.log(JSON.stringify(row));
        continue;
      }
      for (let round = 0; round < 3; round++) {
        const mine = cpuPerCall(() => here.classify(segments), iterations);
        row[`us_${round}`] = mine;
        if (there !== undefined) {
          const theirs = cpuPerCall(() => (there as { classify: Classify }).classify(segments), iterations);
          row[`against_us_${round}`] = theirs;
          row[`ratio_${round}`] = Math.round((mine / theirs) * 100) / 100;
        }
      }
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
  const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'name-pairs.json'), `${JSON.stringify({ rows }, null, 2)}\n`);
}

await main();
