// The names a request carries (its model, every tool and function name, tool-call names, tool_choice's name) read as
// one small closed set: each two of them joined as a client could join them (glued, and by a space where digits meet),
// so a value split over two names that are not neighbours (`ghp_16C7…` | `lookup` | `838347Ae…`, the model and a tool
// name, a tool and tool_choice) is found, a piece in each. Invariant: bounded: names are at most MAX_NAME characters,
// only pairs holding a name that can be a value's piece (canBePiece) are read, and pairs of more than
// MAX_NAME_PAIR_CHARS characters in all fail the call (ERR_NAME_PAIRS_EXCEEDED: refused, never read in part).
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

/**
 * Whether segment `i` is a name: the model, or a string keyed `name` (tool, function, tool call, tool_choice, schema
 * and participant names) of at most MAX_NAME characters; an object's property-name list keyed `name` is not one.
 */
function isName(segments: readonly TextSegment[], i: number): boolean {
  const { path, text } = segments[i] as TextSegment;
  if (text.length === 0 || text.length > MAX_NAME) return false;
  return path === 'model' || (path.endsWith('.name') && !isKeyList(segments, i));
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
 * One window of every ordered pair of distinct names (each text at its first segment) of which one can be a value's
 * piece (canBePiece): `a` then `b` glued, and with NAME_SEPARATOR between when a digit meets a digit; pairs kept apart
 * by PAIR_GAP. A name that can be no piece (`lookup`, `get_weather`) is read only beside one that can: two such
 * names hold no key's, card's or SSN's two halves. Empty when no name can be a piece.
 */
export function nameSetWindows(segments: readonly TextSegment[]): JoinWindow[] {
  const first = new Map<string, number>();
  segments.forEach((segment, i) => {
    if (!first.has(segment.text) && isName(segments, i)) first.set(segment.text, i);
  });
  const names = [...first.keys()];
  const pieceLike = names.map(canBePiece);
  const pieces = pieceLike.filter(Boolean).length;
  if (pieces === 0) return [];
  const texts: string[] = [];
  const parts: WindowPart[] = [];
  let at = 0;
  // Each pair alone (a recognizer reads a value's end by what follows it: `a b a` glued would hide `a b`'s).
  const read = (a: string, b: string, separator: string) => {
    if (texts.length > 0) {
      texts.push(PAIR_GAP);
      at += PAIR_GAP.length;
    }
    texts.push(a, separator, b);
    parts.push({ segment: first.get(a) as number, at, from: 0, length: a.length });
    parts.push({ segment: first.get(b) as number, at: at + a.length + separator.length, from: 0, length: b.length });
    at += a.length + separator.length + b.length;
    if (at > MAX_NAME_PAIR_CHARS) {
      throw new ClassificationError(
        'ERR_NAME_PAIRS_EXCEEDED',
        null,
        `the request's names make more than ${MAX_NAME_PAIR_CHARS} characters of pairs to read`,
      );
    }
  };
  const readBoth = (a: string, b: string) => {
    read(a, b, '');
    if (digitsMeet(a, b)) read(a, b, NAME_SEPARATOR);
  };
  names.forEach((a, i) => {
    if (!pieceLike[i]) return;
    names.forEach((b, j) => {
      // A pair of two piece-like names is read once, from the first of them.
      if (i === j || (pieceLike[j] && j < i)) return;
      readBoth(a, b);
      readBoth(b, a);
    });
  });
  return texts.length === 0 ? [] : [{ text: texts.join(''), parts }];
}
