// Building blocks for recognizers' `partial` patterns (types.ts): RE2 sources matching every beginning of a fixed
// literal, so a stream scanner holds back a trailing "sk_li" until it knows whether "sk_live_…" follows. Invariant:
// what these build matches every non-empty prefix of what they describe (prefix-closed), never less. escapeRegExp is
// the one escape of a literal for both RE2 and JS RegExp sources.

/**
 * `literal` as a pattern that matches exactly it, outside a character class, in RE2 and in a JS RegExp (with or
 * without the `u` flag: only syntax characters are escaped, which both read as themselves behind a backslash).
 */
export function escapeRegExp(literal: string): string {
  return literal.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * Any non-empty prefix of `literal`, or all of it followed by `then` (RE2 source that itself MUST match every prefix
 * of what may follow, the empty text included). `prefixOf('ab', 'c*')` is `a(?:b(?:c*)?)?`.
 */
export function prefixOf(literal: string, then = ''): string {
  if (literal === '') throw new RangeError('prefixOf needs a non-empty literal');
  const chars = [...literal];
  let inner = then === '' ? '' : `(?:${then})?`;
  for (let i = chars.length - 1; i >= 0; i -= 1) {
    inner = `${escapeRegExp(chars[i] as string)}${inner}`;
    if (i > 0) inner = `(?:${inner})?`;
  }
  return inner;
}
