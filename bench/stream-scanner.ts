// The stream scanner alone (no HTTP): cost per push and how much text is held before the first release, for prose
// with a few values in it, pushed in events of 1, 6 and 24 characters; with the built-in recognizers (all declare a
// partial) and with one custom recognizer that declares none (the fixed 256-character window applies).
// Run alone with `node bench/stream-scanner.ts` (JSON on stdout).
import { performance } from 'node:perf_hooks';
import {
  createClassifier,
  createStreamScanner,
  DEFAULT_RECOGNIZERS,
  type Classifier,
} from '../src/classification/index.ts';

const RUNS = Number(process.env.BENCH_SCANNER_RUNS ?? 20);
const TEXT =
  'Summarise the quarterly report for the north region. '.repeat(20) +
  'Contact jane.doe@contoso-mail.com or call +44 20 7946 0958 about card 4111 1111 1111 1111. '.repeat(5) +
  'The rest of the answer is ordinary prose again, sentence after sentence. '.repeat(20);

function chunksOf(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function measure(classifier: Classifier, size: number) {
  const chunks = chunksOf(TEXT, size);
  let firstReleaseAfter = -1;
  const once = (record: boolean) => {
    const s = createStreamScanner({ classifier, path: 'choices[0].delta.content' });
    let pushed = 0;
    for (const c of chunks) {
      pushed += c.length;
      const out = s.push(c);
      if (record && firstReleaseAfter < 0 && out.text.length > 0) firstReleaseAfter = pushed;
    }
    s.end();
  };
  once(true);
  for (let i = 0; i < 3; i += 1) once(false); // warm-up
  const times: number[] = [];
  for (let r = 0; r < RUNS; r += 1) {
    const t0 = performance.now();
    once(false);
    times.push(((performance.now() - t0) * 1000) / chunks.length);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round((times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0) * 10) / 10;
  return {
    event_chars: size,
    pushes: chunks.length,
    us_per_push_p50: at(0.5),
    us_per_push_max: at(1),
    chars_pushed_before_first_release: firstReleaseAfter,
  };
}

export function benchStreamScanner() {
  const fingerprintKey = new Uint8Array(32).fill(9);
  const builtIn = createClassifier({ fingerprintKey });
  const withoutPartial = createClassifier({
    fingerprintKey,
    recognizers: [
      ...DEFAULT_RECOGNIZERS,
      { type: 'EMPLOYEE_ID', category: 'CUSTOM', pattern: String.raw`\bEMP-\d{6}\b`, baseScore: 80 },
    ],
  });
  return {
    text_chars: TEXT.length,
    built_in_partials: [1, 6, 24].map((size) => measure(builtIn, size)),
    custom_without_partial: [1, 6, 24].map((size) => measure(withoutPartial, size)),
  };
}

if (import.meta.main) process.stdout.write(`${JSON.stringify(benchStreamScanner(), null, 2)}\n`);
