// A JWK INI section's anchor kept with a stream scanner's context (recognizers-key-files.ts JWK_PRIVATE_KEY_SECTION):
// a whole text reads a section whose lines between the anchor (`[jwk]`, `kty = …`, `crv = …`) and its private member
// are of any length (an x5c chain of 4,506 characters on one line, review s15), but a stream holds a section only while
// its lines are at most SECTION_LINE_MOST characters (stream-key-file-holds.ts), and past a longer line its anchor was
// released and dropped from the 64-character look-behind, so `d = …` after it was read without its section. While a
// section's opening runs to the cut and its anchor is further back than the look-behind, the context starts with the
// section's lines (each longer than LINE_KEPT kept as its name only: `x5c = `) and goes on inside the value of the line
// the look-behind starts in. Invariants: the lead is at most the anchor and SECTION_LINES + 1 lines of LINE_KEPT; one
// RE2 search of the text up to the cut a release (only when it holds an anchor's word); the context is never shorter
// than the plain look-behind.
import RE2 from 're2';
import { normalizeText } from './normalize.ts';
import { JWK_SECTION_OPENING } from './recognizers-key-files.ts';

/** A section's line kept whole in the lead up to this many characters; a longer one is kept as its name. */
const LINE_KEPT = 256;

/** A word an anchor holds (stream-key-file-holds.ts SECTION_WORD). */
const ANCHOR_WORD = /kty|crv|jwk/i;

let openings: RE2 | undefined;

/** Where the value of a section's line starts (after its `=`/`:` and blanks, or its `#`/`;`), or the line's end. */
function valueStart(text: string, from: number, end: number): number {
  let at = from;
  while (at < end && !'=:#;'.includes(text[at] as string)) at += 1;
  at += 1;
  while (at < end && (text[at] === ' ' || text[at] === '\t')) at += 1;
  return Math.min(at, end);
}

/**
 * The context to keep once `text` is released up to `cut` with a look-behind of `reach` characters, when a JWK
 * section's opening runs to the cut from an anchor before the look-behind's start: its lines before the one the
 * look-behind starts in (long ones as their names), that line's name, then the text from the look-behind's start
 * (normalised). Undefined when no such section is open.
 */
export function sectionContextAt(text: string, cut: number, reach: number): string | undefined {
  const target = cut - reach;
  if (target <= 0 || !ANCHOR_WORD.test(text)) return undefined;
  openings ??= new RE2(`(?:${JWK_SECTION_OPENING})$`);
  const m = openings.exec(text.slice(0, cut));
  if (m === null) return undefined;
  let at = m.index;
  if (text[at] === '\n' || text[at] === '\r') at += 1;
  if (at >= target) return undefined; // the look-behind holds the anchor
  const lead: string[] = [];
  for (;;) {
    let end = at;
    while (end < cut && text[end] !== '\n' && text[end] !== '\r') end += 1;
    const next = end < cut ? end + 1 : cut;
    if (next > target || next >= cut) {
      // The line the look-behind starts in: its name, then the text from the look-behind's start (or its value's).
      const value = valueStart(text, at, end);
      if (value > target) return normalizeText(lead.join('') + text.slice(at, cut)).text;
      return normalizeText(lead.join('') + text.slice(at, value)).text + normalizeText(text.slice(target, cut)).text;
    }
    lead.push(
      end - at <= LINE_KEPT ? text.slice(at, next) : `${text.slice(at, valueStart(text, at, end))}${text[end]}`,
    );
    at = next;
  }
}
