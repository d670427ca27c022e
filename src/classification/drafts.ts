// A classify call's findings before their fingerprints (drafts), and how overlapping ones are settled: a fallback
// recognizer yields to a specific one on the same span, and one draft is kept per overlapping run of one type. Each
// step is O(n log n) in the drafts (sorted spans with running maximum ends), never O(n^2).
import type { CompiledRecognizer } from './compile.ts';
import type { Finding } from './types.ts';

export function compareFindings(a: Omit<Finding, 'fingerprint'>, b: Omit<Finding, 'fingerprint'>): number {
  return (
    a.segment - b.segment || a.start - b.start || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) || a.end - b.end
  );
}

/**
 * A finding before its fingerprint: the value stays inside this module and is fingerprinted only if kept. A value
 * that crosses segments is one draft per segment it touches (same type, value and so fingerprint); all but the
 * first are `continuation`s.
 */
export type Draft = Omit<Finding, 'fingerprint'> & {
  fallback: boolean;
  recognizer: CompiledRecognizer;
  value: string;
  continuation?: boolean;
};

/**
 * Drops findings of `fallback` recognizers that overlap a finding of a specific one in the same segment. Per segment,
 * the specific spans sorted by start carry the running maximum of their ends: a fallback [s, e) overlaps one exactly
 * when the furthest end among those starting before e passes s (a binary search each: O(n log n), never O(n²)).
 */
export function yieldFallbacks(findings: Draft[]): Draft[] {
  if (!findings.some((f) => f.fallback)) return findings;
  const bySegment = new Map<number, { starts: number[]; maxEnds: number[] }>();
  const specific = findings.filter((f) => !f.fallback).sort((a, b) => a.segment - b.segment || a.start - b.start);
  for (const s of specific) {
    let spans = bySegment.get(s.segment);
    if (spans === undefined) bySegment.set(s.segment, (spans = { starts: [], maxEnds: [] }));
    spans.maxEnds.push(Math.max(s.end, spans.maxEnds[spans.maxEnds.length - 1] ?? -1));
    spans.starts.push(s.start);
  }
  return findings.filter((f) => {
    const spans = f.fallback ? bySegment.get(f.segment) : undefined;
    if (spans === undefined) return true;
    let lo = 0;
    let hi = spans.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((spans.starts[mid] as number) < f.end) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 || (spans.maxEnds[lo - 1] as number) <= f.start;
  });
}

/** Keeps one finding per overlapping run of the same type: the most confident, then the longest. */
export function dedupe(findings: Draft[]): Draft[] {
  const byTypeThenStart = [...findings].sort(
    (a, b) =>
      a.segment - b.segment || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) || a.start - b.start || a.end - b.end,
  );
  const kept: Draft[] = [];
  for (const finding of byTypeThenStart) {
    const last = kept[kept.length - 1];
    if (
      last !== undefined &&
      last.segment === finding.segment &&
      last.type === finding.type &&
      finding.start < last.end
    ) {
      const better =
        finding.confidence > last.confidence ||
        (finding.confidence === last.confidence && finding.end - finding.start > last.end - last.start);
      if (better) kept[kept.length - 1] = finding;
      continue;
    }
    kept.push(finding);
  }
  return kept.sort(compareFindings);
}
