// Answers as closed JSON: every string value of an answer (or of one relayed stream event), and every number written
// with nine digits or more, is a segment with its exact steps, and every object's property names and every array of
// integers (as numbers, and as bytes) are one more read-only segment, so nothing in what the client receives escapes
// the screen, whatever field the upstream put it in.
// Invariants: the walk is iterative and bounded in depth and in size (a hostile answer can neither overflow the stack
// nor make the walk and its classification cost more than ANSWER_MAX_NODES values and keys); edits are written by
// steps, never by re-parsing a path string, so a key holding '.' or '[' cannot aim a redaction at another string than
// the one classified; the input is never mutated.
import type { AnswerAt, AnswerSegment, AnswerStep } from './types.ts';

export type { AnswerAt, AnswerSegment, AnswerStep } from './types.ts';

/** The steps from the root to `at`. */
export function stepsOf(at: AnswerAt | null): AnswerStep[] {
  const steps: AnswerStep[] = [];
  for (let node = at; node !== null; node = node.parent) steps.push(node.step);
  return steps.reverse();
}

export const ANSWER_MAX_DEPTH = 64;

/**
 * Values (of every kind, containers included) and object keys one walk may visit: past it the answer is refused like
 * one nested too deep. A million tiny objects (10 MB) cost 20 s and 1.2 GB to walk and classify; this bounds an
 * answer's walk to tens of milliseconds and its classification to about a second on a thread. The elements of an
 * embeddings answer's vectors do not count (numbers the walk only types; an answer of 2,048 vectors of 3,072 is
 * legitimate).
 */
export const ANSWER_MAX_NODES = 100_000;

export class AnswerShapeError extends Error {
  override readonly name = 'AnswerShapeError';
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** The identity of a path, for skip sets. */
export function stepsKey(steps: readonly AnswerStep[]): string {
  return JSON.stringify(steps);
}

interface Pending {
  node: unknown;
  at: AnswerAt | null;
  path: string;
  depth: number;
  /** A number's text, when the number carries digits (written once, when its parent is walked). */
  digits?: string;
}

export interface AnswerWalkOptions {
  /**
   * Whether the array at `at` is a vector of an embeddings answer (its `data[n].embedding`): its numbers are not
   * counted against ANSWER_MAX_NODES, and a fraction there is no segment (floats of 16-17 digits would read as a
   * Luhn-valid card about one time in fifty); an integer of 13 digits or more still is.
   */
  vector?: (at: AnswerAt | null) => boolean;
}

/**
 * Every string, every number written with nine digits or more, and every object's key list under `value`, in
 * document order. Paths in `skip` (stepsKey) are left out: the stream sessions' channel texts, which the relay's
 * hold-back scanners screen instead. Throws AnswerShapeError past ANSWER_MAX_DEPTH or ANSWER_MAX_NODES.
 */
export function answerSegments(
  value: unknown,
  skip: ReadonlySet<string> = new Set(),
  options: AnswerWalkOptions = {},
): AnswerSegment[] {
  const out: AnswerSegment[] = [];
  let nodes = 1;
  const visit = (count: number) => {
    nodes += count;
    if (nodes > ANSWER_MAX_NODES) {
      throw new AnswerShapeError(`the answer holds more than ${ANSWER_MAX_NODES} values and keys`);
    }
  };
  // The path string and the step chain grow by one link per level: no per-value copies (answers can be megabytes).
  const root = digitsOf(value);
  const stack: Pending[] = [{ node: value, at: null, path: '', depth: 0, ...(root === null ? {} : { digits: root }) }];
  while (stack.length > 0) {
    const { node, at, path, depth, digits } = stack.pop() as Pending;
    if (depth > ANSWER_MAX_DEPTH) {
      throw new AnswerShapeError(`the answer is nested deeper than ${ANSWER_MAX_DEPTH} levels`);
    }
    if (typeof node === 'string') {
      if (skip.size === 0 || !skip.has(stepsKey(stepsOf(at)))) out.push({ path, text: node, at, keys: false });
    } else if (typeof node === 'number') {
      // Only numbers that carry digits are pushed with their text (a vector's fractions never are: see below).
      if (digits !== undefined) out.push({ path, text: digits, at, keys: false });
    } else if (Array.isArray(node)) {
      const vector = options.vector?.(at) === true;
      if (!vector) visit(node.length);
      // Two paths, so each kind is joined with its own kind across siblings (a token's bytes with the next token's).
      for (const [kind, text] of integerTexts(node)) out.push({ path: `${path}{${kind}}`, text, at, keys: true });
      for (const [kind, text] of stringListTexts(node)) out.push({ path: `${path}{${kind}}`, text, at, keys: true });
      for (let i = node.length - 1; i >= 0; i -= 1) {
        const item: unknown = node[i];
        const text = typeof item === 'number' ? (vector ? longInteger(item) : digitsOf(item)) : null;
        if (isScalar(item) && text === null) continue;
        const pending: Pending = { node: item, at: { parent: at, step: i }, path: `${path}[${i}]`, depth: depth + 1 };
        if (text !== null) pending.digits = text;
        stack.push(pending);
      }
    } else if (typeof node === 'object' && node !== null) {
      const keys = Object.keys(node);
      // Each key, and the value it names.
      visit(2 * keys.length);
      if (keys.length > 0) out.push({ path: `${path}{keys}`, text: keys.join('\n'), at, keys: true });
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const key = keys[i] as string;
        const child = (node as Record<string, unknown>)[key];
        const text = digitsOf(child);
        if (isScalar(child) && text === null) continue;
        const pending: Pending = {
          node: child,
          at: { parent: at, step: key },
          path: pathWith(path, key),
          depth: depth + 1,
        };
        if (text !== null) pending.digits = text;
        stack.push(pending);
      }
    } else if (node !== null && typeof node !== 'boolean') {
      throw new AnswerShapeError(`${path} is not JSON`);
    }
  }
  return out;
}

/** The segments of an embeddings answer: as answerSegments, its `data[n].embedding` vectors read as vectors. */
export function embeddingAnswerSegments(value: unknown): AnswerSegment[] {
  return answerSegments(value, new Set(), { vector: isEmbeddingVector });
}

function isEmbeddingVector(at: AnswerAt | null): boolean {
  const item = at?.parent;
  return (
    at?.step === 'embedding' &&
    typeof item?.step === 'number' &&
    item.parent?.step === 'data' &&
    item.parent.parent === null
  );
}

function pathWith(path: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * What an array of integers spells, each a read-only segment: the numbers as the bracketed list a client prints (a
 * card as `[4111, 1111, 1111, 1111]`: the classifier's digits view reads a list as one number only when its numbers
 * are exactly a card's groups, as it does in any text, so `[512, 64, 1024]` is no SSN), and when every one is a byte,
 * the bytes as UTF-8 (chat logprobs' `bytes`, which a client decodes to rebuild a token: `[65, 75, 73, 65, …]` is
 * `AKIA…`). None for other arrays (vectors of floats).
 */
function integerTexts(items: readonly unknown[]): ['numbers' | 'bytes', string][] {
  if (items.length === 0) return [];
  let bytes = true;
  for (const item of items) {
    if (typeof item !== 'number' || !Number.isSafeInteger(item)) return [];
    if (item < 0 || item > 255) bytes = false;
  }
  // One number is its own segment already (when it is long enough to carry a value).
  const numbers: ['numbers', string][] = items.length > 1 ? [['numbers', `[${items.join(', ')}]`]] : [];
  return bytes ? [...numbers, ['bytes', Buffer.from(items as number[]).toString('utf8')]] : numbers;
}

/** Fewest strings, and the longest one, of an array read whole (as the request side reads one: item-lists.ts). */
const MIN_LIST_STRINGS = 4;
const MAX_LIST_STRING = 16;

/**
 * What an array of short strings spells, each a read-only segment: the strings glued (a key's base64 in quads,
 * `["YXdz","IEFL",…]`, or its bytes in hex, `["61","77",…]`, decode as one run; a card's digits as strings read as
 * one number) and apart (`[97, 119, …]` as strings: character codes). None for other arrays (prose, names, ids).
 */
function stringListTexts(items: readonly unknown[]): ['glued' | 'items', string][] {
  if (items.length < MIN_LIST_STRINGS) return [];
  for (const item of items) {
    if (typeof item !== 'string' || item.length === 0 || item.length > MAX_LIST_STRING) return [];
  }
  const strings = items as readonly string[];
  return [
    ['glued', strings.join('')],
    ['items', `[${strings.join(', ')}]`],
  ];
}

/** Numbers, booleans and null carry no text (vectors and logprobs are mostly these: no step arrays for them). */
function isScalar(value: unknown): boolean {
  return value === null || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * A number written with nine digits or more can carry a value (an SSN; a card number, below 2^53 as an integer, or as
 * the digits of a fraction: `"score": 0.378282246310005`), as the request side reads parameters (shape.ts): it is a
 * segment too, its shortest round-trip text (JSON.parse keeps no source text; a redaction writes the placeholder
 * string in its place). Its text, or null for shorter numbers (counts, small ids, short floats).
 */
function digitsOf(value: unknown): string | null {
  if (typeof value !== 'number') return null;
  // An integer below 10^8 has eight digits at most, whatever its text: no conversion for counts and small ids.
  if (Number.isInteger(value) && Math.abs(value) < 1e8) return null;
  const text = String(value);
  if (Math.abs(value) >= 1e8) return text;
  let digits = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += 1;
  }
  return digits >= 9 ? text : null;
}

/** An integer of 13 digits or more (a card number fits below 2^53): what a vector's numbers are screened for. */
function longInteger(value: number): string | null {
  return Number.isSafeInteger(value) && Math.abs(value) >= 1e12 ? String(value) : null;
}

/**
 * A copy of `body` with each edit's text written at its segment's steps (containers along the way are copied, the
 * rest shared). Throws if an edit names a key segment or a path that does not hold a string.
 */
export function writeAnswerTexts(
  body: unknown,
  segments: readonly AnswerSegment[],
  edits: readonly { segment: number; text: string }[],
): unknown {
  let root = body;
  const copied = new Set<unknown>();
  const own = (node: unknown): unknown => {
    if (copied.has(node)) return node;
    const copy = Array.isArray(node) ? [...node] : { ...(node as Record<string, unknown>) };
    copied.add(copy);
    return copy;
  };
  for (const edit of edits) {
    const segment = segments[edit.segment];
    if (segment === undefined || segment.keys || segment.at === null) {
      throw new AnswerShapeError('an edit names no string of the answer');
    }
    const steps = stepsOf(segment.at);
    root = own(root);
    let node = root as Record<AnswerStep, unknown>;
    for (const step of steps.slice(0, -1)) {
      const child = node[step];
      if (typeof child !== 'object' || child === null) {
        throw new AnswerShapeError(`${segment.path} is not in the answer`);
      }
      const mine = own(child);
      node[step] = mine;
      node = mine as Record<AnswerStep, unknown>;
    }
    const last = segment.at.step;
    if ((typeof node[last] !== 'string' && typeof node[last] !== 'number') || !Object.hasOwn(node, last)) {
      throw new AnswerShapeError(`${segment.path} does not hold a string`);
    }
    node[last] = edit.text;
  }
  return root;
}

/** Writes `text` at `steps` inside `root` in place (stream sessions own the event they render). */
export function setAnswerText(root: unknown, steps: readonly AnswerStep[], text: string): void {
  let node = root as Record<AnswerStep, unknown>;
  for (const step of steps.slice(0, -1)) node = node[step] as Record<AnswerStep, unknown>;
  node[steps[steps.length - 1] as AnswerStep] = text;
}

/** Writes back into the event each screened field text that differs from what was read (a stream session's render). */
export function applyFieldTexts(root: unknown, fields: readonly AnswerSegment[], texts: readonly string[]): void {
  fields.forEach((field, i) => {
    const text = texts[i];
    if (text === undefined || text === field.text) return;
    if (field.keys || field.at === null) {
      throw new AnswerShapeError(`${field.path} cannot be rewritten in place`);
    }
    setAnswerText(root, stepsOf(field.at), text);
  });
}
