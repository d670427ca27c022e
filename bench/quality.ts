// `npm run bench -- --quality` (or `node bench/quality.ts`): detection quality on text nobody tuned for. Generates the
// test half of the quality set (scripts/quality.sh test: presidio-evaluator's sentence faker, a seed other than the
// committed dev half's) and Presidio's analyzer findings on it, then scores Proctor's classifier (production defaults)
// and Presidio side by side with one type mapping and one scorer (bench/quality-score.ts): P/R/F1 per type, exact and
// overlap, micro and macro, and throughput. Also scores test/fixtures/classification/corpus.json, which the
// recognizers were tuned on: a regression floor, not an estimate. Table to stdout, JSON to bench/results/quality.json.
// Only this bench reads the test half (docs/classification.md, "How detection quality is measured").
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../src/classification/index.ts';
import {
  classifierSpans,
  goldSpans,
  type LabelledSample,
  parseSamples,
  QUALITY_TYPES,
  type QualityReport,
  type Score,
  type Span,
  sampleFromMarked,
  scoreSpans,
} from './quality-score.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Presidio's entity names -> Proctor's types; names absent here (LOCATION, NRP, ORGANIZATION, URL, US_BANK_NUMBER,
 * US_DRIVER_LICENSE, US_ITIN, MEDICAL_LICENSE, other countries' ids) have no Proctor counterpart and are dropped.
 * DATE_TIME is every date Presidio sees: its nearest type to a birth date, so it scores as DATE_OF_BIRTH.
 */
export const PRESIDIO_TYPES: Readonly<Record<string, string>> = {
  PERSON: 'PERSON_NAME',
  EMAIL_ADDRESS: 'EMAIL',
  PHONE_NUMBER: 'PHONE',
  CREDIT_CARD: 'CREDIT_CARD',
  IBAN_CODE: 'IBAN',
  IP_ADDRESS: 'IP_ADDRESS',
  US_SSN: 'US_SSN',
  DATE_TIME: 'DATE_OF_BIRTH',
  US_PASSPORT: 'US_PASSPORT',
  UK_NHS: 'UK_NHS',
  CRYPTO: 'BTC_ADDRESS',
};

interface PresidioRun {
  engine: Record<string, string>;
  seconds: number;
  samples: { id: string; findings: (Span & { score: number })[] }[];
}

interface SystemResult {
  report: QualityReport;
  by_locale: Record<string, { overlap_f1: number; exact_f1: number }>;
  throughput: { samples_per_s: number; mb_per_s: number };
}

function generateTestHalf(): { samples: string; presidio: string; seed: string } {
  const seed = process.env.QUALITY_TEST_SEED ?? '2';
  const run = spawnSync('bash', [path.join(root, 'scripts/quality.sh'), 'test'], {
    cwd: root,
    env: { ...process.env, QUALITY_TEST_SEED: seed },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`quality: scripts/quality.sh test failed (status ${run.status})`);
  const [samples, presidio] = run.stdout.trim().split('\n').slice(-2);
  if (!samples || !presidio) throw new Error('quality: scripts/quality.sh test printed no file paths');
  return { samples: path.resolve(root, samples), presidio: path.resolve(root, presidio), seed };
}

function byLocale(samples: readonly LabelledSample[], predicted: ReadonlyMap<string, Span[]>) {
  const out: SystemResult['by_locale'] = {};
  const types = new Set(QUALITY_TYPES);
  for (const locale of [...new Set(samples.map((s) => s.locale))].sort()) {
    const mine = samples.filter((s) => s.locale === locale);
    const p = new Map(mine.map((s) => [s.id, predicted.get(s.id) ?? []]));
    const r = scoreSpans(goldSpans(mine), p, types);
    out[locale] = { exact_f1: round(r.micro.exact.f1), overlap_f1: round(r.micro.overlap.f1) };
  }
  return out;
}

function bytesOf(samples: readonly LabelledSample[]): number {
  return samples.reduce((n, s) => n + Buffer.byteLength(s.text), 0);
}

function proctorOn(samples: readonly LabelledSample[]): SystemResult {
  const classifier = createClassifier({ fingerprintKey: randomBytes(32) });
  classifierSpans(classifier, samples.slice(0, 200)); // warm-up
  const t0 = performance.now();
  const predicted = classifierSpans(classifier, samples);
  const seconds = (performance.now() - t0) / 1000;
  return {
    report: scoreSpans(goldSpans(samples), predicted, new Set(QUALITY_TYPES)),
    by_locale: byLocale(samples, predicted),
    throughput: throughput(samples, seconds),
  };
}

function presidioOn(samples: readonly LabelledSample[], run: PresidioRun): SystemResult {
  const predicted = new Map<string, Span[]>();
  for (const s of run.samples) {
    const mapped: Span[] = [];
    for (const f of s.findings) {
      const type = PRESIDIO_TYPES[f.type];
      if (type !== undefined) mapped.push({ type, start: f.start, end: f.end });
    }
    predicted.set(s.id, mapped);
  }
  if (run.samples.length !== samples.length) throw new Error('quality: Presidio findings do not cover the test half');
  return {
    report: scoreSpans(goldSpans(samples), predicted, new Set(QUALITY_TYPES)),
    by_locale: byLocale(samples, predicted),
    throughput: throughput(samples, run.seconds),
  };
}

function throughput(samples: readonly LabelledSample[], seconds: number) {
  return {
    samples_per_s: Math.round(samples.length / seconds),
    mb_per_s: round(bytesOf(samples) / 1e6 / seconds),
  };
}

function corpusFloor(): QualityReport {
  const corpus = JSON.parse(readFileSync(path.join(root, 'test/fixtures/classification/corpus.json'), 'utf8')) as {
    documents: { id: string; text: string }[];
  };
  const samples = corpus.documents.map((d) => sampleFromMarked(d.id, d.text));
  const classifier = createClassifier({ fingerprintKey: randomBytes(32) });
  const types = new Set(samples.flatMap((s) => s.spans.map((g) => g.type)));
  return scoreSpans(goldSpans(samples), classifierSpans(classifier, samples), types);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function prf(s: Score | undefined): string {
  return s ? `${s.precision.toFixed(3)} | ${s.recall.toFixed(3)} | ${s.f1.toFixed(3)}` : '– | – | –';
}

/** One markdown table: per type, then micro and macro, Proctor and Presidio side by side, exact and overlap. */
export function qualityTable(proctor: QualityReport, presidio: QualityReport): string {
  const head =
    '| type | gold | Proctor exact P | R | F1 | Proctor overlap P | R | F1 | Presidio exact P | R | F1 | ' +
    'Presidio overlap P | R | F1 |';
  const lines = [head, `|${'---|'.repeat(14)}`];
  const types = [...new Set([...Object.keys(proctor.types), ...Object.keys(presidio.types)])].sort();
  for (const t of types) {
    const a = proctor.types[t];
    const b = presidio.types[t];
    const gold = a?.exact.gold ?? b?.exact.gold ?? 0;
    lines.push(`| ${t} | ${gold} | ${prf(a?.exact)} | ${prf(a?.overlap)} | ${prf(b?.exact)} | ${prf(b?.overlap)} |`);
  }
  const m = (r: QualityReport['macro']['exact']) =>
    `${r.precision.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.f1.toFixed(3)}`;
  lines.push(
    `| **micro** | ${proctor.micro.exact.gold} | ${prf(proctor.micro.exact)} | ${prf(proctor.micro.overlap)} | ` +
      `${prf(presidio.micro.exact)} | ${prf(presidio.micro.overlap)} |`,
    `| **macro** | | ${m(proctor.macro.exact)} | ${m(proctor.macro.overlap)} | ${m(presidio.macro.exact)} | ` +
      `${m(presidio.macro.overlap)} |`,
  );
  return lines.join('\n');
}

export function benchQuality(): Record<string, unknown> {
  const files = generateTestHalf();
  const samples = parseSamples(readFileSync(files.samples, 'utf8'));
  const run = JSON.parse(readFileSync(files.presidio, 'utf8')) as PresidioRun;
  const proctor = proctorOn(samples);
  const presidio = presidioOn(samples, run);
  const corpus = corpusFloor();
  const result = {
    when: new Date().toISOString(),
    test_half: {
      seed: Number(files.seed),
      samples: samples.length,
      bytes: bytesOf(samples),
      gold_spans: proctor.report.micro.exact.gold,
      locales: [...new Set(samples.map((s) => s.locale))].sort(),
    },
    presidio_engine: run.engine,
    presidio_type_map: PRESIDIO_TYPES,
    proctor,
    presidio,
    corpus_regression_floor: { note: 'tuned on: a regression floor, not an estimate on unseen text', report: corpus },
  };
  const out = path.join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'quality.json'), `${JSON.stringify(result, null, 2)}\n`);
  const throughputLine = (name: string, r: SystemResult) =>
    `${name}: ${r.throughput.samples_per_s} samples/s, ${r.throughput.mb_per_s} MB/s`;
  process.stdout.write(
    [
      `Test half: ${samples.length} samples (seed ${files.seed}), ${proctor.report.micro.exact.gold} gold spans; ` +
        `Presidio ${Object.entries(run.engine)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      '',
      qualityTable(proctor.report, presidio.report),
      '',
      throughputLine('Proctor', proctor),
      throughputLine('Presidio', presidio),
      '',
      `Corpus test/fixtures/classification/corpus.json (TUNED ON: regression floor only): overlap P/R/F1 ` +
        `${prf(corpus.micro.overlap)}, exact ${prf(corpus.micro.exact)}`,
      'JSON: bench/results/quality.json',
      '',
    ].join('\n'),
  );
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) benchQuality();
