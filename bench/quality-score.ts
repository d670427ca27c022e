// Detection-quality scoring shared by the bench (bench/quality.ts) and the dev-half regression test: entity-level
// precision, recall and F1 per type, by exact span and by overlap, micro and macro. Pure: no I/O.
// Matching is one to one within a sample and a type: a gold span is credited to at most one finding and a finding to
// at most one gold span, so a value reported twice (two pieces, or twice over) counts one hit and one false alarm,
// and a value reported under two types is a hit for its own type and a false alarm for the other.
import type { Classifier } from '../src/classification/index.ts';

/**
 * Proctor's types the generated set labels (scripts/quality/generate.py, PLACEHOLDER_TYPES). Gold spans of other
 * labels (addresses, organisations, non-birth dates, national ids…) have no Proctor counterpart and are not scored.
 */
export const QUALITY_TYPES: readonly string[] = [
  'CREDIT_CARD',
  'DATE_OF_BIRTH',
  'EMAIL',
  'IBAN',
  'IP_ADDRESS',
  'PERSON_NAME',
  'PHONE',
  'US_SSN',
];

export interface Span {
  type: string;
  /** UTF-16 offsets, end exclusive. */
  start: number;
  end: number;
}

/** One labelled sample, as scripts/quality/generate.py writes it (one JSON object per line). */
export interface LabelledSample {
  id: string;
  locale: string;
  text: string;
  spans: Span[];
}

export interface Score {
  gold: number;
  predicted: number;
  /** Gold spans credited (equal to the findings credited: the matching is one to one). */
  matched: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Averages {
  precision: number;
  recall: number;
  f1: number;
}

export interface QualityReport {
  /** Every type with a gold span or a finding, by name. */
  types: Record<string, { exact: Score; overlap: Score }>;
  /** Over all spans of every scored type. */
  micro: { exact: Score; overlap: Score };
  /** The mean over the types that have gold spans (a type with findings only has no recall to average). */
  macro: { exact: Averages; overlap: Averages };
}

export type Mode = 'exact' | 'overlap';

/** Parses a JSONL file's text into samples, checking each has what the scorer reads. */
export function parseSamples(jsonl: string): LabelledSample[] {
  const samples: LabelledSample[] = [];
  for (const [n, line] of jsonl.split('\n').entries()) {
    if (line.trim() === '') continue;
    const s = JSON.parse(line) as LabelledSample;
    const ok =
      typeof s.id === 'string' &&
      typeof s.text === 'string' &&
      Array.isArray(s.spans) &&
      s.spans.every((p) => typeof p.type === 'string' && p.start >= 0 && p.end > p.start && p.end <= s.text.length);
    if (!ok) throw new Error(`quality: sample on line ${n + 1} is malformed`);
    samples.push(s);
  }
  return samples;
}

/** Text marked as ⟦TYPE|value⟧ (test/fixtures/classification/corpus.json) as a sample: marks out, spans kept. */
export function sampleFromMarked(id: string, marked: string): LabelledSample {
  const spans: Span[] = [];
  let text = '';
  for (const part of marked.split(/(⟦[A-Z0-9_]+\|[^⟧]*⟧)/u)) {
    const mark = /^⟦([A-Z0-9_]+)\|([^⟧]*)⟧$/u.exec(part);
    if (mark) {
      spans.push({ type: mark[1] as string, start: text.length, end: text.length + (mark[2] as string).length });
      text += mark[2];
    } else text += part;
  }
  return { id, locale: '', text, spans };
}

/** Proctor's findings on each sample, by sample id (one segment per sample). */
export function classifierSpans(classifier: Classifier, samples: readonly LabelledSample[]): Map<string, Span[]> {
  const out = new Map<string, Span[]>();
  for (const s of samples) {
    const { findings } = classifier.classify([{ path: s.id, text: s.text }]);
    out.set(
      s.id,
      findings.map((f) => ({ type: f.type, start: f.start, end: f.end })),
    );
  }
  return out;
}

function overlapOf(a: Span, b: Span): number {
  return Math.min(a.end, b.end) - Math.max(a.start, b.start);
}

/**
 * How many gold spans of one sample and one type are credited. Exact: same start and end. Overlap: at least one
 * shared code unit; each finding (in start order) takes the free gold span it shares most with.
 */
export function matchCount(gold: readonly Span[], predicted: readonly Span[], mode: Mode): number {
  const taken = new Set<number>();
  const ordered = [...predicted].sort((a, b) => a.start - b.start || a.end - b.end);
  for (const p of ordered) {
    let best = -1;
    let bestOverlap = 0;
    for (const [i, g] of gold.entries()) {
      if (taken.has(i) || g.type !== p.type) continue;
      const o = mode === 'exact' ? (g.start === p.start && g.end === p.end ? 1 : 0) : overlapOf(g, p);
      if (o > bestOverlap) {
        best = i;
        bestOverlap = o;
      }
    }
    if (best >= 0) taken.add(best);
  }
  return taken.size;
}

export function score(gold: number, predicted: number, matched: number): Score {
  const precision = predicted === 0 ? (gold === 0 ? 1 : 0) : matched / predicted;
  const recall = gold === 0 ? (predicted === 0 ? 1 : 0) : matched / gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { gold, predicted, matched, precision, recall, f1 };
}

function mean(scores: readonly Score[]): Averages {
  const n = scores.length;
  if (n === 0) return { precision: 0, recall: 0, f1: 0 };
  const sum = (k: keyof Averages) => scores.reduce((acc, s) => acc + s[k], 0) / n;
  return { precision: sum('precision'), recall: sum('recall'), f1: sum('f1') };
}

/**
 * Scores findings against gold spans. Gold spans whose type is not in `scoredTypes` are dropped (values the system
 * compared has no type for); every finding counts, so a finding of any type where the gold has none is a false alarm.
 */
export function scoreSpans(
  gold: ReadonlyMap<string, readonly Span[]>,
  predicted: ReadonlyMap<string, readonly Span[]>,
  scoredTypes: ReadonlySet<string>,
): QualityReport {
  const tally = new Map<string, Record<Mode, { gold: number; predicted: number; matched: number }>>();
  const entry = (type: string) => {
    let t = tally.get(type);
    if (!t) {
      t = { exact: { gold: 0, predicted: 0, matched: 0 }, overlap: { gold: 0, predicted: 0, matched: 0 } };
      tally.set(type, t);
    }
    return t;
  };
  for (const id of new Set([...gold.keys(), ...predicted.keys()])) {
    const g = (gold.get(id) ?? []).filter((s) => scoredTypes.has(s.type));
    const p = predicted.get(id) ?? [];
    for (const type of new Set([...g, ...p].map((s) => s.type))) {
      const gt = g.filter((s) => s.type === type);
      const pt = p.filter((s) => s.type === type);
      const t = entry(type);
      for (const mode of ['exact', 'overlap'] as const) {
        t[mode].gold += gt.length;
        t[mode].predicted += pt.length;
        t[mode].matched += matchCount(gt, pt, mode);
      }
    }
  }
  const types: QualityReport['types'] = {};
  const total = { exact: { gold: 0, predicted: 0, matched: 0 }, overlap: { gold: 0, predicted: 0, matched: 0 } };
  for (const type of [...tally.keys()].sort()) {
    const t = tally.get(type) as Record<Mode, { gold: number; predicted: number; matched: number }>;
    types[type] = {
      exact: score(t.exact.gold, t.exact.predicted, t.exact.matched),
      overlap: score(t.overlap.gold, t.overlap.predicted, t.overlap.matched),
    };
    for (const mode of ['exact', 'overlap'] as const)
      for (const k of ['gold', 'predicted', 'matched'] as const) total[mode][k] += t[mode][k];
  }
  const withGold = Object.values(types).filter((t) => t.exact.gold > 0);
  return {
    types,
    micro: {
      exact: score(total.exact.gold, total.exact.predicted, total.exact.matched),
      overlap: score(total.overlap.gold, total.overlap.predicted, total.overlap.matched),
    },
    macro: { exact: mean(withGold.map((t) => t.exact)), overlap: mean(withGold.map((t) => t.overlap)) },
  };
}

/** Gold spans of the samples, by sample id. */
export function goldSpans(samples: readonly LabelledSample[]): Map<string, Span[]> {
  return new Map(samples.map((s) => [s.id, s.spans]));
}
