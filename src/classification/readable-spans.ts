// The spans of a segment's text that the joins read (segment-join.ts): a JSON text's values (and the property names
// that can be a value's piece), any other text whole without the closing quotes and brackets at its end. One pass per
// text, no RegExp on request data; every span lies inside its text.

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isNumberChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2d || code === 0x2b || code === 0x65 || code === 0x45
  );
}

/**
 * The spans of a text a consumer reads as one text when it is joined to its neighbours: for a JSON object or array
 * text (tool-call arguments, `{"a":"AKIAQ3EG","b":"THV5…"}`) the text of each value (strings without their quotes,
 * numbers), keys and syntax left out, so an answer's text and the arguments' first value, or two values, read as one;
 * for any other text the whole text without closing quotes and brackets at its end (`"}`, `]}`: a JSON text whose
 * start was cut off, as in a stream's held text). One pass; a string is a key by its place (after `{` or `,` in an
 * object), so a key still arriving (`{"a":"AKIAQ3EG","b`) is never read as a value; `withKeys` keeps the keys too.
 */
export function readableSpans(text: string, withKeys = false): Spans {
  const spans = spansOf(text);
  return withKeys ? spans.members : spans.values;
}

/** Spans [from, to) of one text, in order. */
export type Spans = readonly (readonly [number, number])[];

/**
 * A segment's text as the joins read it, worked out once per classify call: its values and its members (values and
 * the property names valueLike keeps: readableSpans with and without keys; one array when no name is kept), and the
 * span joined to its neighbours (joinedSpan).
 */
export interface SegmentSpans {
  values: Spans;
  members: Spans;
  /** The members but numbers (`members` itself when no number stands between two strings): pairs past numbers. */
  strings: Spans;
  /** Each name that is not valueLike with the strings beside it (namePairs): first span, second span, in turn. */
  namePairs: Spans;
  joined: readonly [number, number];
}

export function segmentSpans(text: string): SegmentSpans {
  const { values, members, strings, namePairs } = spansOf(text);
  return { values, members, strings, namePairs, joined: joinedSpan(text, values) };
}

/** readableSpans without and with keys, in one pass. */
function spansOf(text: string): { values: Spans; members: Spans; strings: Spans; namePairs: Spans } {
  let lo = 0;
  while (lo < text.length && isJsonSpace(text.charCodeAt(lo))) lo += 1;
  if (!isJsonText(text)) {
    const hi = closingStart(text);
    const spans: Spans = hi > 0 ? [[0, hi]] : [];
    return { values: spans, members: spans, strings: spans, namePairs: [] };
  }
  const values: [number, number][] = [];
  const members: [number, number][] = [];
  const strings: [number, number][] = [];
  const places: Place[] = []; // every string but blank ones, names of any form included, for namePairs
  let numberAfterString = false; // a number member since the last string member
  let between = false; // a number member stands between two string members
  const open: number[] = []; // the containers open here ({ or [), innermost last
  let last = 0; // the last syntax character read: a string after `{` or `,` in an object is a key
  for (let i = lo; i < text.length; ) {
    const code = text.charCodeAt(i);
    if (code === 0x7b || code === 0x5b) open.push(code);
    else if (code === 0x7d || code === 0x5d) open.pop();
    if (code === 0x7b || code === 0x5b || code === 0x7d || code === 0x5d || code === 0x3a || code === 0x2c) {
      last = code;
      i += 1;
    } else if (code === 0x22) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      end = Math.min(end, text.length);
      const key = open[open.length - 1] === 0x7b && (last === 0x7b || last === 0x2c);
      if (end > i + 1 && !key) values.push([i + 1, end]);
      const weak = key && !valueLike(text, i + 1, end);
      if (!blankAt(text, i + 1, end)) places.push({ from: i + 1, to: end, weak });
      if (end > i + 1 && !weak) {
        members.push([i + 1, end]);
        if (numberAfterString) between = true;
        numberAfterString = false;
        strings.push([i + 1, end]);
      }
      last = code;
      i = end + 1;
    } else if ((code >= 0x30 && code <= 0x39) || code === 0x2d) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end += 1;
      values.push([i, end]);
      members.push([i, end]);
      numberAfterString = strings.length > 0;
      last = code;
      i = end;
    } else i += 1;
  }
  const all = members.length === values.length ? values : members;
  return { values, members: all, strings: between ? strings : all, namePairs: namePairs(text, places) };
}

/** Whether text[last] and text[first] are both ASCII letters or digits: a name glued there reads as one word. */
export function glued(text: string, last: number, first: number, next: string = text): boolean {
  return isWordCode(text.charCodeAt(last)) && isWordCode(next.charCodeAt(first));
}

function isWordCode(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);
}

/** A string of a JSON text; `weak`: a property name that is not valueLike. */
interface Place {
  from: number;
  to: number;
  weak: boolean;
}

/**
 * The pairs of strings that hold one name which is not valueLike (`7N`, `xbab`, a name of 65 characters or more) and
 * one other string, side by side, blank ones and numbers read past as the document order does (document-pairs.ts,
 * forEachDocumentPair: two such names side by side are no pair): such a name
 * can still end or start the value beside it (`"k":"AKIAZ3MQWXR5TLPB6Y","7N":1`), yet it pushes no other place away
 * (the members and strings leave it out). Only where a letter or digit meets a letter or digit (glued): a reader
 * sees one word there, while `"to":"@lakeshore-bank.com"` is no address. A span is in at most two pairs; none when
 * every name is valueLike.
 */
function namePairs(text: string, places: readonly Place[]): Spans {
  const pairs: (readonly [number, number])[] = [];
  for (let i = 1; i < places.length; i += 1) {
    const [a, b] = [places[i - 1] as Place, places[i] as Place];
    if (a.weak !== b.weak && glued(text, a.to - 1, b.from)) pairs.push([a.from, a.to], [b.from, b.to]);
  }
  return pairs;
}

/** Characters of the longest property name read as a piece of a value. */
const MAX_VALUE_NAME = 64;

/**
 * Whether the property name text[from, to) can be a piece of a value written across `":"` or `","`: 3-64 characters,
 * and no lower-case ASCII letter (a key's or a card's or an SSN's pieces: `R5TLPB6Y7N`, `219-09`), or a digit beside
 * both cases (a mixed-case token's body: `16C7e42F…`), or ending in `_` or `-` (a vendor prefix's form: `ghp_`,
 * `sk_live_`, `glpat-`): a place of every document-order reading. Any other name (`to`, `userName`, `7N`) is read
 * only glued to the string right before and after it (namePairs, document-pairs.ts forEachDocumentPair), so it never
 * stands between two places that are read together.
 */
export function valueLike(text: string, from: number, to: number): boolean {
  if (to - from < 3 || to - from > MAX_VALUE_NAME) return false;
  let lower = false;
  let upper = false;
  let digit = false;
  for (let i = from; i < to; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x61 && code <= 0x7a) lower = true;
    else if (code >= 0x41 && code <= 0x5a) upper = true;
    else if (code >= 0x30 && code <= 0x39) digit = true;
  }
  const last = text.charCodeAt(to - 1);
  return !lower || (digit && upper) || last === 0x5f || last === 0x2d;
}

/**
 * Whether a string holds no ASCII letter or digit and nothing past ASCII (empty, or only spaces and punctuation): it
 * can be no value's piece, so it is no place of the document-order reading (document-pairs.ts,
 * pipeline/answer-document-order.ts, namePairs): `"a":"AKIAZ3MQWX","b":"","c":"","R5TLPB6Y7N":1` puts none between.
 */
export function isBlank(text: string): boolean {
  return blankAt(text, 0, text.length);
}

/** isBlank of text[from, to). */
function blankAt(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) {
    const code = text.charCodeAt(i);
    if (code > 0x7f || (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a)) return false;
  }
  return true;
}

/**
 * Whether a text is a JSON object or array (its first character after whitespace opens one); an object's first
 * member must open as one does (`"` or `}`), an array's first value as one does (an INI section's `[jwk]` header, a
 * log's `[INFO]`, a bytes repr's second half `{lB'` or a Python dict `{'d': …}` is none: its text is read whole).
 */
function isJsonText(text: string): boolean {
  let at = 0;
  while (at < text.length && isJsonSpace(text.charCodeAt(at))) at += 1;
  const open = text[at];
  if (open !== '{' && open !== '[') return false;
  at += 1;
  while (at < text.length && isJsonSpace(text.charCodeAt(at))) at += 1;
  return at >= text.length || (open === '{' ? /["}]/ : /[[{"\]\-0-9tfn]/).test(text[at] as string);
}

/** Where a text's trailing closing syntax starts (`"}`, `]`, with whitespace among them); its length when none. */
function closingStart(text: string): number {
  let hi = text.length;
  let closing = false;
  for (let at = text.length; at > 0 && text.length - at < 256; at -= 1) {
    const c = text[at - 1] as string;
    if (c === '"' || c === '}' || c === ']') closing = true;
    else if (!isJsonSpace(c.charCodeAt(0))) break;
    if (closing) hi = at - 1;
  }
  return hi;
}

/**
 * The span of a segment joined to its neighbours: for a JSON text from its first value's text to before its closing
 * syntax (`{"k":"` and `"}` read over), or from its first property name when that name can be a value's piece
 * (valueLike: text then `{"R5TLPB6Y7N":1}` reads as the document does); for any other text the whole text without
 * closing quotes and brackets.
 */
export function joinedSpan(text: string, values: Spans): [number, number] {
  const json = isJsonText(text);
  const name = json ? firstNameStart(text) : -1;
  const lo = json ? (name >= 0 ? name : (values[0]?.[0] ?? text.length)) : 0;
  return [lo, Math.max(lo, closingStart(text))];
}

/** Where a JSON object's first property name starts, when it can be a value's piece (valueLike); else -1. */
function firstNameStart(text: string): number {
  let at = 0;
  while (at < text.length && isJsonSpace(text.charCodeAt(at))) at += 1;
  if (text[at] !== '{') return -1;
  at += 1;
  while (at < text.length && isJsonSpace(text.charCodeAt(at))) at += 1;
  if (text[at] !== '"') return -1;
  const close = text.indexOf('"', at + 1);
  return valueLike(text, at + 1, close < 0 ? text.length : close) ? at + 1 : -1;
}
