// The policy input's time as ISO 8601 (`Date.prototype.toISOString`'s text) without a Date and its formatting per call:
// the text up to the second is kept for the last second seen, so the requests of one second share it. Invariant: the
// same text as `new Date(unixMs).toISOString()` for every number, a RangeError where it throws.

/** Date's range: ±100,000,000 days around 1970 (ECMA-262 TimeClip). */
const DATE_LIMIT_MS = 8.64e15;

let lastSecond = Number.NaN;
/** `toISOString()` of lastSecond without its milliseconds and `Z` (`2026-12-06T23:10:38.`). */
let lastPrefix = '';

/** `new Date(unixMs).toISOString()`. */
export function isoTimeOf(unixMs: number): string {
  // A fraction (Date truncates it) or an instant outside Date's range takes Date's own path (and its RangeError).
  if (!Number.isSafeInteger(unixMs) || Math.abs(unixMs) > DATE_LIMIT_MS) return new Date(unixMs).toISOString();
  const second = Math.floor(unixMs / 1000);
  if (second !== lastSecond) {
    const iso = new Date(second * 1000).toISOString();
    lastPrefix = iso.slice(0, -4);
    lastSecond = second;
  }
  const milli = unixMs - second * 1000;
  return `${lastPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
