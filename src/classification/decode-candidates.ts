// Where decoding's scans find their candidates: a native (RE2) search for a pattern every run a scan decodes starts
// with, so the scans skip the text between candidates instead of looking at every character in JavaScript. A pattern
// MAY match more than the scan decodes (the scan still decides) and MUST match wherever a decoded run starts: a run it
// misses is a run left unread. `exhaustive` (tests) makes every offset a candidate, the scans' own behaviour.
import RE2 from 're2';
import { MAX_HEX_SEPARATOR, type NextCandidate } from './decode-bytes.ts';
import { KEY_START } from './decode-der.ts';
import { MIN_DECIMAL_CODES } from './decode-escapes.ts';

/** Shortest base64 (padding included) or hex run decoded: shorter ones are mostly words and numbers. */
export const MIN_ENCODED_RUN = 16;

/** How far after a candidate the scans look at every character themselves (candidateFinder). */
const NEAR_CANDIDATE = 64;

/**
 * decode.ts's scans are exact but look at every character in JavaScript (~0.3 ms each per 64 KB of prose, a third of
 * the classifier's time on prose). A native search for a pattern every run they decode starts with (a superset is
 * fine: the scan still decides) lets them skip the text between candidates. UTF-16 and UTF-8 offsets are converted
 * as the search moves forward, so a text costs one conversion pass whatever its number of candidates.
 * `exhaustive` (tests): every offset is a candidate, the scans' own behaviour.
 */
export function candidateFinder(text: string, pattern: RE2, exhaustive: boolean, utf8?: Buffer): NextCandidate {
  if (exhaustive) return (from) => Math.min(from, text.length);
  const bytes = utf8 ?? Buffer.from(text, 'utf8');
  const ascii = bytes.length === text.length;
  let unit = 0;
  let byte = 0;
  // After a candidate the scan looks at the next characters itself: text dense with candidates that fail (`zab cdz`
  // repeated) costs a native call per NEAR_CANDIDATE characters at most, not one a candidate.
  let near = -1;
  return (from) => {
    if (from >= text.length) return text.length;
    if (from <= near) return from;
    if (!ascii) {
      if (from < unit) [unit, byte] = [0, 0];
      for (; unit < from; unit += 1) {
        const code = text.charCodeAt(unit);
        const pair = code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(unit + 1) & 0xfc00) === 0xdc00;
        byte += code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
        if (pair) unit += 1;
      }
    }
    const at = pattern.search(bytes.subarray(ascii ? from : byte));
    if (at < 0) return text.length;
    if (ascii) {
      near = from + at + NEAR_CANDIDATE;
      return from + at;
    }
    // A match starts at an ASCII character (both patterns' first character is), never inside a sequence.
    for (const end = byte + at; byte < end; ) {
      const lead = bytes[byte] as number;
      byte += lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
      unit += lead < 0xf0 ? 1 : 2;
    }
    near = unit + NEAR_CANDIDATE;
    return unit;
  };
}

/**
 * Where each scan that starts from a native search finds its candidates: every base64 run decoded is MIN_ENCODED_RUN
 * characters at least, of which two at most are padding (`…{14}==`, `…{15}=`, `…{16}`: a hyphenated word or a host
 * name of 14-15 letters, common in prose, is no candidate), every run of separated hex bytes with a token,
 * 1..MAX_HEX_SEPARATOR separators and a second token, every list of decimal codes with MIN_DECIMAL_CODES codes and
 * their separators, every quoted-printable run with an `=` and two hex digits, every private key with an opening of
 * KEY_START (decode-der.ts); `any` is their set (one pass says which scans can find one).
 */
export interface StartPatterns {
  base64: RE2;
  hexPair: RE2;
  codeList: RE2;
  escape: RE2;
  key: RE2;
  any: InstanceType<typeof RE2.Set>;
}

let patterns: StartPatterns | undefined;

/** Which of the five starts occur in `utf8` (StartPatterns.any); all five if the set's automaton gives up. */
export function startsIn(starts: StartPatterns, utf8: Buffer): number[] {
  try {
    return starts.any.match(utf8);
  } catch {
    return [0, 1, 2, 3, 4]; // out of DFA memory (it throws, never answers short): each scan's own search decides
  }
}

export function startPatterns(): StartPatterns {
  if (patterns !== undefined) return patterns;
  const sources = {
    base64: `[A-Za-z0-9+/_-]{${MIN_ENCODED_RUN - 2}}(?:[A-Za-z0-9+/_-]{2}|[A-Za-z0-9+/_-]=|==)`,
    hexPair: String.raw`(?:\\x|0[xX])?[0-9A-Fa-f]{2,8}[\t-\r ,:;-]{1,${MAX_HEX_SEPARATOR}}(?:\\x|0[xX])?[0-9A-Fa-f]{2}`,
    codeList: String.raw`(?:[0-9]{2,3}(?:[\t-\r ]*[,;][\t-\r ]*|[\t ]+)){${MIN_DECIMAL_CODES - 1}}[0-9]{2,3}`,
    escape: '=[0-9A-Fa-f]{2}',
    key: KEY_START,
  };
  patterns = {
    base64: new RE2(sources.base64),
    hexPair: new RE2(sources.hexPair),
    codeList: new RE2(sources.codeList),
    escape: new RE2(sources.escape),
    key: new RE2(sources.key),
    any: new RE2.Set([sources.base64, sources.hexPair, sources.codeList, sources.escape, sources.key]),
  };
  return patterns;
}
