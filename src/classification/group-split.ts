// Splits an RE2 pattern `A(G)B` around a capture group that stands at the top level (not inside another group,
// an alternation or under a quantifier), so the classifier can find the group's span with three sticky `test`s
// instead of one `exec` (whose result object costs ~5 µs). Invariant: anything this scanner is unsure about
// (`\Q…\E`, a flag group like `(?i)` at the top level, a top-level `|`) gives undefined and the caller uses exec.

export interface GroupSplit {
  before: string;
  group: string;
  after: string;
}

/** Index just past the character class that opens at `start` (`[`), or -1 when it does not close. */
function endOfClass(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i += 1;
  if (pattern[i] === ']') i += 1; // a leading ']' is a literal
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') i += 2;
    else if (c === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      if (close < 0) return -1;
      i = close + 2;
    } else if (c === ']') return i + 1;
    else i += 1;
  }
  return -1;
}

export function splitAtGroup(pattern: string, group: number): GroupSplit | undefined {
  if (group < 1 || pattern.includes('\\Q')) return undefined;
  let depth = 0;
  let captures = 0;
  let open = -1;
  let close = -1;
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      const end = endOfClass(pattern, i);
      if (end < 0) return undefined;
      i = end;
    } else if (c === '(') {
      const capturing = pattern[i + 1] !== '?' || pattern.startsWith('(?P<', i) || pattern.startsWith('(?<', i);
      if (!capturing && depth === 0 && /^\(\?[a-zA-Z-]*\)/.test(pattern.slice(i, i + 12))) return undefined;
      if (capturing) captures += 1;
      if (capturing && captures === group) {
        if (depth !== 0) return undefined;
        open = i;
      }
      depth += 1;
      i += 1;
    } else if (c === ')') {
      depth -= 1;
      if (depth < 0) return undefined;
      if (depth === 0 && open >= 0 && close < 0) close = i;
      i += 1;
    } else {
      if (c === '|' && depth === 0) return undefined;
      i += 1;
    }
  }
  if (open < 0 || close < 0 || depth !== 0) return undefined;
  if (/^[*+?{]/.test(pattern.slice(close + 1))) return undefined; // the group is repeated
  const inner = pattern.slice(open + 1, close);
  const body = inner.startsWith('?P<') || inner.startsWith('?<') ? inner.slice(inner.indexOf('>') + 1) : inner;
  return { before: pattern.slice(0, open), group: body, after: pattern.slice(close + 1) };
}
