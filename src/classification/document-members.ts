// The members of one text that pages a document (document-pairs.ts jsonTextPairs): each string value under the name
// it sits under, and each name's first number (a page's `offset`, `page`, `index`), in whichever syntax a tool writes
// them: a JSON object or array, Python's repr of one (single-quoted strings, as table-context-json.ts reads it), YAML
// `name: value` lines or `name=value` pairs; and one level down, a string member that is itself such a text (a JSON
// page inside an MCP result's text item, its quotes escaped), read through its escapes. Invariant: linear (each
// character read once a level, MAX_DEPTH levels; names at most MAX_NAME characters).
import { isBlank } from './readable-spans.ts';

/** A string value of a text and the name it sits under (an array's strings: the array's name). */
export interface Member {
  name: string;
  from: number;
  to: number;
}

export interface Members {
  strings: Member[];
  /** Each name's first number (a finite value of up to 15 digits; in quotes too). */
  numbers: Map<string, number>;
}

export interface TextMembers extends Members {
  /** The objects with a string and a page-like number (PAGE_NAME) of their own (pages within one text: an array of
   * them, JSON lines, an MCP result's text items), each with its strings (those of what it holds too) and its page-like
   * numbers, in the order they close. */
  objects: Members[];
}

/** A name a page's number goes by. */
export const PAGE_NAME =
  /offset|page|index|idx|part|chunk|seq|start|pos|begin|from|cursor|line|skip|step|piece|frag|block|num/i;

/** Levels of text read: the text, and a string member holding a text of its own. */
const MAX_DEPTH = 2;
/** The longest name read in `name: value` lines; the most blanks between a name and its `:` or `=`. */
const MAX_NAME = 64;
const MAX_BLANKS = 8;
/** Names whose page-likeness is remembered in one text (past it a name is taken for none). */
const MAX_NAMES = 1024;

/** A text's members, in order (an inner text's right after the string that holds it); none for other text. */
export function textMembers(text: string): TextMembers {
  const into: TextMembers = { strings: [], numbers: new Map(), objects: [] };
  readText(text, into, 1, (k) => k);
  return into;
}

/** Reads `text` into `into`, `at` mapping an index of `text` (its length included) to the caller's text. */
function readText(text: string, into: TextMembers, depth: number, at: (k: number) => number): void {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 0x20) i += 1;
  if (text[i] === '{' || text[i] === '[') {
    bracketMembers(text, i, into, depth, at);
    return;
  }
  // A line reading needs two members: one `name: value` is a sentence's colon as often as a page's.
  const found: Members = { strings: [], numbers: new Map() };
  lineMembers(text, found, at);
  if (found.strings.length + found.numbers.size < 2) return;
  into.strings.push(...found.strings);
  for (const [name, value] of found.numbers) if (!into.numbers.has(name)) into.numbers.set(name, value);
}

/** Adds a number under `name` unless the name has one. */
function addNumber(into: Pick<Members, 'numbers'>, name: string, token: string): void {
  const first = token.charCodeAt(0);
  if (name === '' || (first !== 0x2d && !isDigit(first)) || into.numbers.has(name)) return;
  if (/^-?\d{1,15}(?:\.\d{1,6})?$/.test(token)) into.numbers.set(name, Number(token));
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** A JSON (or Python repr) object or array from `i`: its string values and numbers under their names. One pass. */
function bracketMembers(text: string, i: number, into: TextMembers, depth: number, at: (k: number) => number): void {
  const names: string[] = []; // per open container, the name its values sit under
  const objects: boolean[] = [];
  // Per open container, the object its values belong to: where its strings start in into.strings, its page numbers.
  const open: ({ first: number; numbers?: Map<string, number> } | undefined)[] = [];
  const pageLike = new Map<string, boolean>();
  let name = '';
  let key = false; // the next string is a property name
  /** A number token under `name`: the text's, and its object's when the name is a page's. */
  const number = (token: string) => {
    addNumber(into, name, token);
    const object = open[open.length - 1];
    if (object === undefined || name === '') return;
    let page = pageLike.get(name);
    if (page === undefined) pageLike.set(name, (page = pageLike.size < MAX_NAMES && PAGE_NAME.test(name)));
    if (!page) return;
    object.numbers ??= new Map();
    addNumber({ numbers: object.numbers }, name, token);
  };
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x7b || code === 0x5b) {
      names.push(name);
      objects.push(code === 0x7b);
      open.push(code === 0x7b ? { first: into.strings.length } : open[open.length - 1]);
      key = code === 0x7b;
    } else if (code === 0x7d || code === 0x5d || code === 0x2c) {
      if (code !== 0x2c) names.pop();
      if (code !== 0x2c && objects.pop() === true) {
        const object = open.pop();
        if (object?.numbers !== undefined && into.strings.length > object.first)
          into.objects.push({ strings: into.strings.slice(object.first), numbers: object.numbers });
      } else if (code !== 0x2c) open.pop();
      name = names[names.length - 1] ?? '';
      key = code === 0x2c && objects[objects.length - 1] === true;
    } else if (code === 0x22 || code === 0x27) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== code) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      end = Math.min(end, text.length);
      if (key) name = text.slice(i + 1, end);
      else if (!isBlank(text.slice(i + 1, end))) {
        into.strings.push({ name, from: at(i + 1), to: at(end) });
        // A page number written as a string (`"offset": "10"`) orders pages as a number does.
        if (end - i <= 16) number(text.slice(i + 1, end));
        if (depth < MAX_DEPTH) innerMembers(text, i + 1, end, into, depth, at);
      }
      key = false;
      i = end;
    } else if (!key && ((code >= 0x30 && code <= 0x39) || code === 0x2d)) {
      let end = i + 1;
      while (end < text.length && NUMBER_CHARS.has(text.charCodeAt(end))) end += 1;
      number(text.slice(i, end));
      i = end - 1;
    }
    i += 1;
  }
}

/**
 * A string member's text read as a text of its own when it opens with a bracket or holds a `name: value` line or
 * `name=value` pair, through its escapes (`\"`, `\\`, `\n`, `\uXXXX`, `\xXX`): each decoded character mapped back to
 * where its escape starts.
 */
function innerMembers(
  text: string,
  from: number,
  to: number,
  into: TextMembers,
  depth: number,
  at: (k: number) => number,
): void {
  // Nothing to read without a bracket, `:` or `=` (or an escape that may write one): most strings are skipped whole.
  let k = from;
  while (k < to && !INNER_MARKS.has(text.charCodeAt(k))) k += 1;
  if (k === to) return;
  const chars: string[] = [];
  const starts: number[] = [];
  for (let i = from; i < to; ) {
    starts.push(i);
    if (text.charCodeAt(i) !== 0x5c || i + 1 >= to) {
      chars.push(text[i] as string);
      i += 1;
      continue;
    }
    const c = text[i + 1] as string;
    const hex = c === 'u' ? 4 : c === 'x' ? 2 : 0;
    const code = hex > 0 && /^[0-9a-fA-F]+$/.test(text.slice(i + 2, i + 2 + hex)) && i + 2 + hex <= to;
    chars.push(code ? String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 2 + hex), 16)) : (ESCAPES[c] ?? c));
    i += code ? 2 + hex : 2;
  }
  const inner = chars.join('');
  if (!/[{[:=]/.test(inner)) return;
  const map = (k: number) => at(k < starts.length ? (starts[k] as number) : to);
  readText(inner, into, depth + 1, map);
}

/** What a number's token holds after its first character. */
const NUMBER_CHARS = new Set([...'0123456789.eE+-'].map((c) => c.charCodeAt(0)));
/** What a string holding a text of its own has: a bracket, a `:` or `=`, or an escape (that may write one). */
const INNER_MARKS = new Set([...'{[:=\\'].map((c) => c.charCodeAt(0)));

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

/**
 * `name: value` lines (YAML, a header block) and `name=value` pairs (logfmt, a query, `.env`): a name of letters,
 * digits, `_`, `.` or `-` (a letter or `_` first) at a line's start or after a blank or `,;&{(`, up to MAX_BLANKS
 * blanks, then `:` and a blank or the line's end (its value the rest of the line) or `=` (not `==`; its value up to a
 * blank or `,;&)}`); a quoted value is read inside its quotes. A value of digits is a number. Found from each `:` and
 * `=` back (at most MAX_NAME + MAX_BLANKS characters, never into the value before): linear.
 */
function lineMembers(text: string, into: Members, at: (k: number) => number): void {
  const separators = /[:=]/g;
  let floor = 0; // the last value's end: no name starts before it
  for (let found = separators.exec(text); found !== null; found = separators.exec(text)) {
    const sep = found.index;
    const colon = text[sep] === ':';
    if (sep < floor || (colon ? sep + 1 < text.length && !isSpace(text.charCodeAt(sep + 1)) : text[sep + 1] === '='))
      continue;
    let end = sep;
    while (end > floor && sep - end < MAX_BLANKS && (text[end - 1] === ' ' || text[end - 1] === '\t')) end -= 1;
    let start = end;
    while (start > floor && end - start < MAX_NAME && isNameChar(text.charCodeAt(start - 1))) start -= 1;
    if (start === end || !isNameStart(text.charCodeAt(start))) continue;
    if (start > 0 && !NAME_AFTER.has(text.charCodeAt(start - 1))) continue;
    let from = sep + 1;
    while (from < text.length && (text[from] === ' ' || text[from] === '\t')) from += 1;
    const quote = text[from] === '"' || text[from] === "'" ? text[from] : undefined;
    let to = quote === undefined ? from : from + 1;
    const stop = quote !== undefined ? quote : colon ? '' : ' \t,;&)}';
    while (to < text.length && text[to] !== '\n' && (quote === undefined || text[to] !== quote)) {
      if (quote === undefined && stop.includes(text[to] as string)) break;
      to += 1;
    }
    const [a, b] = quote === undefined ? [from, trimEnd(text, from, to)] : [from + 1, to];
    const name = text.slice(start, end);
    if (/^-?\d{1,15}$/.test(text.slice(a, b))) addNumber(into, name, text.slice(a, b));
    else if (!isBlank(text.slice(a, b))) into.strings.push({ name, from: at(a), to: at(b) });
    floor = Math.max(to, sep + 1);
    separators.lastIndex = floor;
  }
}

function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** What a name may follow: a blank, `,`, `;`, `&`, `{` or `(`. */
const NAME_AFTER = new Set([...' \t\n\r\f\v,;&{('].map((c) => c.charCodeAt(0)));

function isNameStart(code: number): boolean {
  return ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) || code === 0x5f;
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2d;
}

function trimEnd(text: string, from: number, to: number): number {
  while (to > from && (text[to - 1] === ' ' || text[to - 1] === '\t' || text[to - 1] === '\r')) to -= 1;
  return to;
}
