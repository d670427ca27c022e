// Exact finding counts beside a capped finding list: what the policy input and the decision record are built from,
// so a cap on kept findings never changes a decision. Invariant: every count covers every finding, kept or not;
// `segments` has one entry per segment classified and adds up to `total`.
import type { Classification, Finding, FindingCounts } from './types.ts';

/** An empty tally for `segmentCount` segments, filled by addFinding. */
export function emptyCounts(segmentCount: number): FindingCounts {
  return {
    total: 0,
    types: {},
    categories: {},
    segments: new Array<number>(segmentCount).fill(0),
    touched: new Array<number>(segmentCount).fill(0),
    maxConfidence: 0,
  };
}

type Counted = Pick<Finding, 'type' | 'category' | 'segment' | 'confidence'> & { continuation?: boolean };

/** Counts `f`: a piece of the segment it is in, and, unless it continues a value counted already, a finding. */
export function addFinding(counts: FindingCounts, f: Counted): void {
  counts.touched[f.segment] = (counts.touched[f.segment] ?? 0) + 1;
  if (f.continuation === true) return;
  counts.total += 1;
  counts.types[f.type] = (Object.hasOwn(counts.types, f.type) ? (counts.types[f.type] as number) : 0) + 1;
  counts.categories[f.category] = (counts.categories[f.category] ?? 0) + 1;
  counts.segments[f.segment] = (counts.segments[f.segment] ?? 0) + 1;
  if (f.confidence > counts.maxConfidence) counts.maxConfidence = f.confidence;
}

/** Counts of every finding of `findings`. */
export function countFindings(findings: readonly Finding[], segmentCount: number): FindingCounts {
  const counts = emptyCounts(segmentCount);
  for (const f of findings) addFinding(counts, f);
  return counts;
}

/** The exact counts of a classification: its own, or (from a classifier without a cap) those of its full list. */
export function countsOf(classification: Classification, segmentCount: number): FindingCounts {
  return classification.counts ?? countFindings(classification.findings, segmentCount);
}
