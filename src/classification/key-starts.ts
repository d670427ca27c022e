// Whether a text holds where a DER private key may open (decode-der.ts KEY_START), read in JavaScript: a join window's
// keys are looked for at every boundary a key may cross (join-decode.ts), and the native test of KEY_START copies the
// text to UTF-8 first, which most windows (ids, prose, numbers) do not need. Invariant: true wherever KEY_START
// matches (it MAY say true where it does not: privateKeysIn still decides); key-starts.test.ts checks both agree.
import { GAP_CLASS, HEX_GAP_CLASS, MAX_KEY_GAP } from './decode-der-notations.ts';

/**
 * One flag per ASCII character: whether an RE2 class source accepts it (built from the source: the two cannot
 * disagree). Both gap classes are ASCII only (key-starts.test.ts checks every other unit is refused).
 */
export function classTable(source: string): Uint8Array {
  const re = new RegExp(`^${source}$`);
  return Uint8Array.from({ length: 128 }, (_, code) => (re.test(String.fromCharCode(code)) ? 1 : 0));
}

let tables: { gap: Uint8Array; hexGap: Uint8Array } | undefined;

/** Length of the run of `table`'s characters at `from`, counted up to MAX_KEY_GAP + 1. */
function gapRun(text: string, from: number, table: Uint8Array): number {
  let at = from;
  while (at < text.length && at - from <= MAX_KEY_GAP && table[text.charCodeAt(at)] === 1) at += 1; // >= 128: undefined
  return at - from;
}

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/**
 * Whether KEY_START may match in `text`. Each of its three forms opens with a literal (`M`, `30`, `48`) and then a run
 * of gap characters no character after it belongs to (a length's first character, a prefix, a sign or a digit), so the
 * run it takes is the whole run after the literal: `M` gap{0,32} [C-I]; `30` hex-gap{0,32} (`0x`|`0X`|`\x`)? [2-8]
 * hex; `48` gap{1,32} `-`? [1-9] digit. A `0x`/`\x` before `30` changes nothing (the match from `30` on remains).
 */
export function mayOpenKey(text: string): boolean {
  tables ??= { gap: classTable(GAP_CLASS), hexGap: classTable(HEX_GAP_CLASS) };
  const { gap, hexGap } = tables;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x4d) {
      const run = gapRun(text, i + 1, gap);
      const next = text.charCodeAt(i + 1 + run);
      if (run <= MAX_KEY_GAP && next >= 0x43 && next <= 0x49) return true;
    } else if (code === 0x33 && text.charCodeAt(i + 1) === 0x30) {
      const run = gapRun(text, i + 2, hexGap);
      if (run > MAX_KEY_GAP) continue;
      let at = i + 2 + run;
      const first = text.charCodeAt(at);
      const second = text.charCodeAt(at + 1);
      if ((first === 0x30 && (second === 0x78 || second === 0x58)) || (first === 0x5c && second === 0x78)) at += 2;
      const length = text.charCodeAt(at);
      if (length >= 0x32 && length <= 0x38 && isHex(text.charCodeAt(at + 1))) return true;
    } else if (code === 0x34 && text.charCodeAt(i + 1) === 0x38) {
      const run = gapRun(text, i + 2, gap);
      if (run < 1 || run > MAX_KEY_GAP) continue;
      let at = i + 2 + run;
      if (text.charCodeAt(at) === 0x2d) at += 1;
      const lead = text.charCodeAt(at);
      const next = text.charCodeAt(at + 1);
      if (lead >= 0x31 && lead <= 0x39 && next >= 0x30 && next <= 0x39) return true;
    }
  }
  return false;
}
