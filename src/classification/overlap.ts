// One finding per span: when findings of different types overlap in a segment, which one stands. Findings of one
// type were already merged (classifier.ts `dedupe`), and catch-all (fallback) recognizers already gave way.
// Rules, in order:
//   1. a finding whose span another finding covers (same span or inside it) is dropped when the other ranks higher:
//      checksum-validated types (cards, IBAN, NHS, BSN, ABA routing, addresses with checksums, vendor-prefixed
//      secrets) rank above other validated ones, those above unvalidated ones; then confidence; then the longer span
//      (so a nine-digit number next to a BSN word and valid by the 11-proef is a BSN, not a bare US SSN);
//   2. an email whose local part is a secret (`<token>@host`) is not an email: the secret stands alone.
// Findings that only partly overlap both stand (dropping one would leave part of a value unreported).
// Invariant: O(n log n) in the number of findings (a sweep; within one type spans never overlap, so at most one
// open span per type is compared with each finding).

/** What the resolution needs of a finding. */
export interface Ranked {
  type: string;
  category: string;
  segment: number;
  start: number;
  end: number;
  confidence: number;
}

/** How a finding was proven: 2 a checksum or structure, 1 a validator or a required label, 0 the pattern alone. */
export type StrengthOf<T> = (finding: T) => number;

/** Validators whose acceptance is a checksum or a structure that random text fails (strength 2). */
export const STRONG_VALIDATORS: ReadonlySet<string> = new Set([
  'luhn',
  'luhn_short',
  'iban',
  'nhs',
  'nl_bsn',
  'aba_routing',
  'btc_address',
  'eth_address',
  'jwt',
  'private_key',
  'aws_secret_key',
]);

function outranks<T extends Ranked>(a: T, b: T, strength: StrengthOf<T>): boolean {
  if (strength(a) !== strength(b)) return strength(a) > strength(b);
  if (a.confidence !== b.confidence) return a.confidence > b.confidence;
  const lengths = a.end - a.start - (b.end - b.start);
  if (lengths !== 0) return lengths > 0;
  return a.type < b.type; // deterministic
}

function covers(a: Ranked, b: Ranked): boolean {
  return a.start <= b.start && b.end <= a.end;
}

/** Rule 2: `email` starts with a secret that ends at its '@' or later (the token is the local part). */
function isTokenAtHost(email: Ranked, other: Ranked): boolean {
  return email.type === 'EMAIL' && other.category === 'SECRET' && other.start <= email.start && other.end > email.start;
}

/** The findings that stand, in their original order. */
export function resolveOverlaps<T extends Ranked>(findings: readonly T[], strength: StrengthOf<T>): T[] {
  const order = findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => a.finding.segment - b.finding.segment || a.finding.start - b.finding.start);
  const dropped = new Set<number>();
  let open: { finding: T; index: number }[] = [];
  for (const current of order) {
    const f = current.finding;
    open = open.filter((o) => o.finding.segment === f.segment && o.finding.end > f.start);
    for (const o of open) {
      const g = o.finding;
      if (g.type === f.type) continue;
      if (isTokenAtHost(f, g)) dropped.add(current.index);
      else if (isTokenAtHost(g, f)) dropped.add(o.index);
      else if (covers(g, f) && outranks(g, f, strength)) dropped.add(current.index);
      else if (covers(f, g) && outranks(f, g, strength)) dropped.add(o.index);
    }
    open.push(current);
  }
  return findings.filter((_, index) => !dropped.has(index));
}
