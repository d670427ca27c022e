// The redaction stage: given the text segments of a request (or an answer), the classifier's findings and the finding
// types to redact, compute the replacement texts with typed placeholders ([EMAIL_1]). Pure: no I/O, no values kept.
// Invariants: the same value (same type and fingerprint) gets the same placeholder everywhere in one call; overlapping
// findings are replaced as one span, so no character of any redacted finding survives; counts never hold values.

export interface RedactionSegment {
  path: string;
  text: string;
}

/** The parts of a classifier Finding redaction needs (offsets are UTF-16 in the segment's original text). */
export interface RedactionFinding {
  type: string;
  segment: number;
  start: number;
  end: number;
  fingerprint: string;
}

export interface SegmentEdit {
  segment: number;
  path: string;
  /** The segment's whole new text. */
  text: string;
}

export interface RedactionPlan {
  /** Placeholders written, per finding type (what the decision record shows). */
  types: Record<string, number>;
  /** One edit per changed segment, in segment order. */
  edits: SegmentEdit[];
}

export type RedactionErrorCode = 'ERR_REDACTION_FINDING_INVALID';

export class RedactionError extends Error {
  override readonly name = 'RedactionError';
  readonly code: RedactionErrorCode;
  constructor(code: RedactionErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function placeholder(type: string, n: number): string {
  return `[${type}_${n}]`;
}

/** Plans the replacement of every finding whose type is in `types`. Throws RedactionError on a finding outside its
 * text. */
export function planRedaction(
  segments: readonly RedactionSegment[],
  findings: readonly RedactionFinding[],
  types: readonly string[],
): RedactionPlan {
  const wanted = new Set(types);
  const selected = findings.filter((f) => wanted.has(f.type));
  for (const f of selected) {
    const text = segments[f.segment]?.text;
    if (
      text === undefined ||
      !Number.isInteger(f.start) ||
      !Number.isInteger(f.end) ||
      f.start < 0 ||
      f.end <= f.start ||
      f.end > text.length
    ) {
      throw new RedactionError(
        'ERR_REDACTION_FINDING_INVALID',
        `finding of type ${f.type} lies outside segment ${f.segment}`,
      );
    }
  }
  // Document order, longest first at a tie, so numbering follows first appearance.
  selected.sort((a, b) => a.segment - b.segment || a.start - b.start || b.end - a.end);
  const numbers = new Map<string, number>(); // `${type}\0${fingerprint}` → n
  const nextNumber = new Map<string, number>();
  const counts: Record<string, number> = {};
  const edits: SegmentEdit[] = [];
  let i = 0;
  while (i < selected.length) {
    const segmentIndex = (selected[i] as RedactionFinding).segment;
    const segment = segments[segmentIndex] as RedactionSegment;
    let out = '';
    let cursor = 0;
    while (i < selected.length && (selected[i] as RedactionFinding).segment === segmentIndex) {
      const head = selected[i] as RedactionFinding;
      let end = head.end;
      i += 1;
      // Swallow every finding that overlaps the span so far (of any redacted type).
      while (
        i < selected.length &&
        (selected[i] as RedactionFinding).segment === segmentIndex &&
        (selected[i] as RedactionFinding).start < end
      ) {
        end = Math.max(end, (selected[i] as RedactionFinding).end);
        i += 1;
      }
      const key = `${head.type}\0${head.fingerprint}`;
      let n = numbers.get(key);
      if (n === undefined) {
        n = (nextNumber.get(head.type) ?? 0) + 1;
        nextNumber.set(head.type, n);
        numbers.set(key, n);
      }
      out += segment.text.slice(cursor, head.start) + placeholder(head.type, n);
      counts[head.type] = (counts[head.type] ?? 0) + 1;
      cursor = end;
    }
    out += segment.text.slice(cursor);
    edits.push({ segment: segmentIndex, path: segment.path, text: out });
  }
  return { types: counts, edits };
}
