// Linearity read on one text (issue 18: time per KB at 1 MB within 1.5x of that at 8 KB). The main bench's markdown
// rows compare 8 KB of apis.md with 1 MB of every document (different texts, different work a KB); here each size is
// cut from the same text: the first 8 KB of the docs (apis.md) repeated to 64 KB and 1 MB, and one generated news text
// (newsProse, a fixed seed) at 8 KB, 64 KB and 1 MB. CPU time a call (`process.threadCpuUsage`), lowest and median of
// the rounds; the classifier is warmed past V8's optimiser first (a JIT cost shows only after ~20 calls). Run alone
// with `node bench/classification-linearity.ts`, or as `same_text_linearity` in `node bench/classification.ts`.
import { fileURLToPath } from 'node:url';
import { type Classifier, createClassifier } from '../src/classification/index.ts';
import { markdownDocs, newsProse, repeatedTo } from './classification-prose.ts';

/** The first 8 KB of the docs (apis.md), repeated to `bytes` and cut at a character. */
export function apisRepeated(bytes: number): string {
  return repeatedTo(markdownDocs(8192), bytes);
}

const SIZES = [
  ['8kb', 8192, 60],
  ['64kb', 65_536, 8],
  ['1mb', 1_048_576, 1],
] as const;

/** CPU ms a call of `text`, `rounds` rounds of `calls` calls: lowest and median. */
function cpuRounds(classifier: Classifier, text: string, calls: number, rounds: number) {
  const segments = [{ path: 'messages[0].content', text }];
  const perCall: number[] = [];
  let findings = 0;
  for (let round = 0; round < rounds; round += 1) {
    const start = process.threadCpuUsage();
    for (let i = 0; i < calls; i += 1) findings = classifier.classify(segments).findings.length;
    const used = process.threadCpuUsage(start);
    perCall.push((used.user + used.system) / 1000 / calls);
  }
  perCall.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { findings, cpu_ms_min: round(perCall[0] ?? 0), cpu_ms_median: round(perCall[perCall.length >> 1] ?? 0) };
}

/**
 * Per text: CPU ms a call at 8 KB, 64 KB and 1 MB, and the time per KB at 64 KB and 1 MB against 8 KB (from the
 * medians; 1.0 is linear, the target ≤ 1.5). Repeats of one 8 KB text are validated once a call (a value said again
 * is refined and validated once), so the repeated docs are a floor for the docs' own cost, not a second measure of it.
 */
export function benchSameTextLinearity(classifier: Classifier, rounds = 7): Record<string, unknown> {
  const texts = { docs_apis_repeated: apisRepeated, news: newsProse } as const;
  const warm = [{ path: 'messages[0].content', text: newsProse(8192) + apisRepeated(8192) }];
  for (let i = 0; i < 60; i += 1) classifier.classify(warm); // past TurboFan (~20 calls) on both kinds of text
  const result: Record<string, unknown> = {};
  for (const [name, make] of Object.entries(texts)) {
    const rows: Record<string, ReturnType<typeof cpuRounds>> = {};
    for (const [size, bytes, calls] of SIZES) rows[size] = cpuRounds(classifier, make(bytes), calls, rounds);
    const perKb = (size: keyof typeof rows, bytes: number) => ((rows[size]?.cpu_ms_median ?? 0) * 1024) / bytes;
    const ratio = (size: string, bytes: number) => Math.round((perKb(size, bytes) / perKb('8kb', 8192)) * 100) / 100;
    result[name] = { ...rows, per_kb_64kb_vs_8kb: ratio('64kb', 65_536), per_kb_1mb_vs_8kb: ratio('1mb', 1_048_576) };
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
  const load = (await import('node:os')).loadavg().map((n) => Math.round(n * 10) / 10);
  console.log(JSON.stringify({ load, same_text_linearity: benchSameTextLinearity(classifier) }, null, 2));
}
