// The names a request carries (its model, every tool and function name, tool-call names, tool_choice's name, chat
// participant names) read as one small closed set: each two of them joined as a client could join them (glued, and by
// a space where digits meet), so a value split over two names that are not neighbours (`ghp_16C7…` | `lookup` |
// `838347Ae…`, the model and a tool name, a tool and tool_choice, a participant and a tool) is found, a piece in
// each. Invariant: bounded: tool names are at most MAX_NAME characters and a participant name is read by its first
// and last MAX_NAME; participant names are paired with tool names only (O(participants × tools) pairs); only pairs
// holding a name that can be a value's piece (canBePiece) are read, and only those are walked, so pairs of more than
// MAX_NAME_PAIR_CHARS characters in all bound the work too: they fail the call (ERR_NAME_PAIRS_EXCEEDED: refused as
// the client's bound, 413 or MCP's -32602, never read in part).
import { ClassificationError } from './errors.ts';
import type { JoinWindow, WindowPart } from './join-window.ts';
import { PAIR_GAP } from './join-window.ts';
import { valueLike } from './readable-spans.ts';
import { isKeyList } from './reading-orders.ts';
import type { TextSegment } from './types.ts';

/** The longest name read in pairs: a model name (providers' MODEL_PATTERN); tool and function names are at most 64. */
export const MAX_NAME = 128;

/**
 * The most characters of pairs one call reads (about 40 ms of CPU): every two of 128 tools, the model and tool_choice
 * (8,385 pairs) named with up to 30 characters each, or a few dozen names that can be a piece among hundreds.
 */
export const MAX_NAME_PAIR_CHARS = 1 << 20;

/** Between two names read with a separator: a space (a card's or an SSN's groups, a list of names read aloud). */
const NAME_SEPARATOR = ' ';

/** A chat message's participant name (`messages[3].name`): free text, no pattern and no length bound in the API. */
const PARTICIPANT = /^messages\[\d+\]\.name$/;

/**
 * Segment `i` as a name: 'tool' for the model or a string keyed `name` (tool, function, tool call, tool_choice and
 * schema names) of at most MAX_NAME characters, 'participant' for a chat message's name of any length, else null; an
 * object's property-name list keyed `name` is none.
 */
function nameKind(segments: readonly TextSegment[], i: number): 'tool' | 'participant' | null {
  const { path, text } = segments[i] as TextSegment;
  if (text.length === 0) return null;
  if (PARTICIPANT.test(path)) return 'participant';
  if (text.length > MAX_NAME) return null;
  return path === 'model' || (path.endsWith('.name') && !isKeyList(segments, i)) ? 'tool' : null;
}

/** A name's text read in pairs: all of segment `segment`, or from `from` on (a long participant name's ends). */
interface Name {
  readonly text: string;
  readonly segment: number;
  readonly from: number;
}

/**
 * The request's names, each text once at its first segment: tool names (the model's first) then participant names
 * not already among them. A participant name longer than MAX_NAME is read by its first and last MAX_NAME characters:
 * a value's piece at either end meets a tool name there.
 */
function namesOf(segments: readonly TextSegment[]): { names: Name[]; tools: number } {
  const seen = new Set<string>();
  const names: Name[] = [];
  const add = (text: string, segment: number, from: number) => {
    if (seen.has(text)) return;
    seen.add(text);
    names.push({ text, segment, from });
  };
  const kinds = segments.map((_, i) => nameKind(segments, i));
  kinds.forEach((kind, i) => {
    if (kind === 'tool') add((segments[i] as TextSegment).text, i, 0);
  });
  const tools = names.length;
  kinds.forEach((kind, i) => {
    if (kind !== 'participant') return;
    const { text } = segments[i] as TextSegment;
    if (text.length <= MAX_NAME) return add(text, i, 0);
    add(text.slice(0, MAX_NAME), i, 0);
    add(text.slice(-MAX_NAME), i, text.length - MAX_NAME);
  });
  return { names, tools };
}

function isDigitCode(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Whether `a` ends in a digit and `b` starts with one: a number's groups may meet there, apart by a space. */
function digitsMeet(a: string, b: string): boolean {
  return isDigitCode(a.charCodeAt(a.length - 1)) && isDigitCode(b.charCodeAt(0));
}

/**
 * Whether a name can be a piece of a value: valueLike (no lower-case letter, a digit beside both cases, or ending in
 * `_` or `-`: `AKIAZ3MQWX`, `838347Ae178B4a`, `ghp_`, `219-09-`) or holding a digit (a lower-cased key's half,
 * `akiaz3mqwx`; the model, `gpt-4o`, is one). A name of letters, `_` and `-` only in one case or in words (`lookup`,
 * `get_weather`, `GetWeather`) is none: a key's or a number's half of a few characters or more holds a digit.
 */
function canBePiece(name: string): boolean {
  if (valueLike(name, 0, name.length)) return true;
  for (let i = 0; i < name.length; i += 1) if (isDigitCode(name.charCodeAt(i))) return true;
  return false;
}

/**
 * One window of every ordered pair of distinct names of which one is a tool name (namesOf: a participant name is read
 * with the model and tool names, not with another participant's: it is its turn's texts' neighbour in the reading
 * orders, read there as a message text is) and one can be a value's piece (canBePiece): `a` then `b` glued, and with
 * NAME_SEPARATOR between when a digit meets a digit; pairs kept apart by PAIR_GAP. A name that can be no piece
 * (`lookup`, `get_weather`) is read only beside one that can: two such names hold no key's, card's or SSN's two
 * halves. Empty when no name can be a piece. At most (tool names) × (names) pairs, and only the pairs read are walked
 * (`work.pairsWalked` counts them, for tests): names that can be no piece cost no pair, so the budget bounds the work.
 */
export function nameSetWindows(segments: readonly TextSegment[], work?: { pairsWalked: number }): JoinWindow[] {
  const { names, tools } = namesOf(segments);
  const pieceLike = names.map((name) => canBePiece(name.text));
  if (!pieceLike.includes(true)) return [];
  const texts: string[] = [];
  const parts: WindowPart[] = [];
  let at = 0;
  const partOf = (name: Name, start: number): WindowPart => ({
    segment: name.segment,
    at: start,
    from: name.from,
    length: name.text.length,
  });
  // Each pair alone (a recognizer reads a value's end by what follows it: `a b a` glued would hide `a b`'s).
  const read = (a: Name, b: Name, separator: string) => {
    if (texts.length > 0) {
      texts.push(PAIR_GAP);
      at += PAIR_GAP.length;
    }
    texts.push(a.text, separator, b.text);
    parts.push(partOf(a, at), partOf(b, at + a.text.length + separator.length));
    at += a.text.length + separator.length + b.text.length;
    if (at > MAX_NAME_PAIR_CHARS) {
      throw new ClassificationError(
        'ERR_NAME_PAIRS_EXCEEDED',
        null,
        `the request's names make more than ${MAX_NAME_PAIR_CHARS} characters of pairs to read`,
      );
    }
  };
  const readBoth = (a: Name, b: Name) => {
    read(a, b, '');
    if (digitsMeet(a.text, b.text)) read(a, b, NAME_SEPARATOR);
  };
  // Only the pairs read are walked: a piece-like tool name with every name after it, any other tool name with the
  // piece-like names after it (in the same order as a walk of every pair), so the budget bounds the walk too.
  const pieces = pieceLike.flatMap((like, k) => (like ? [k] : []));
  let firstPieceAfter = 0; // pieces[firstPieceAfter] is the first piece-like name after name i
  for (let i = 0; i < tools; i += 1) {
    while (firstPieceAfter < pieces.length && (pieces[firstPieceAfter] as number) <= i) firstPieceAfter += 1;
    const partners = pieceLike[i] ? null : pieces;
    const from = partners === null ? i + 1 : firstPieceAfter;
    const to = partners === null ? names.length : partners.length;
    for (let k = from; k < to; k += 1) {
      const j = partners === null ? k : (partners[k] as number);
      if (work) work.pairsWalked += 1;
      readBoth(names[i] as Name, names[j] as Name);
      readBoth(names[j] as Name, names[i] as Name);
    }
  }
  return texts.length === 0 ? [] : [{ text: texts.join(''), parts }];
}
