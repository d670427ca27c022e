// Answers as closed JSON: every string value of an answer (or of one relayed stream event), and every integer long
// enough to be a card number, is a segment with its exact steps, and every object's property names and every array of
// integers (as numbers, and as bytes) are one more read-only segment, so nothing in what the client receives escapes
// the screen, whatever field the upstream put it in.
// Invariants: the walk is iterative and bounded in depth (a hostile answer cannot overflow the stack); edits are
// written by steps, never by re-parsing a path string, so a key holding '.' or '[' cannot aim a redaction at another
// string than the one classified; the input is never mutated.
import type { TextSegment } from './types.ts';

export type AnswerStep = string | number;

/** Where a value sits, as a chain of steps back to the root (shared by siblings: no array per value). */
export interface AnswerAt {
  parent: AnswerAt | null;
  step: AnswerStep;
}

export interface AnswerSegment extends TextSegment {
  /** Where the string sits; for a key segment, the object whose property names it lists (null: the root). */
  at: AnswerAt | null;
  /**
   * A read-only segment: an object's property names (joined by "\n"), or an array of integers read as text (the
   * numbers, and as UTF-8 when each is a byte): a finding there cannot be redacted in place.
   */
  keys: boolean;
}

/** The steps from the root to `at`. */
export function stepsOf(at: AnswerAt | null): AnswerStep[] {
  const steps: AnswerStep[] = [];
  for (let node = at; node !== null; node = node.parent) steps.push(node.step);
  return steps.reverse();
}

export const ANSWER_MAX_DEPTH = 64;

export class AnswerShapeError extends Error {
  override readonly name = 'AnswerShapeError';
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** A segment path for people (records, tests): `choices[0].message.content`; odd keys quoted: `a["x.y"]`. */
export function answerPath(steps: readonly AnswerStep[]): string {
  let out = '';
  for (const step of steps) out = typeof step === 'number' ? `${out}[${step}]` : pathWith(out, step);
  return out;
}

/** The identity of a path, for skip sets. */
export function stepsKey(steps: readonly AnswerStep[]): string {
  return JSON.stringify(steps);
}

/**
 * Every string and every object's key list under `value`, in document order. Paths in `skip` (stepsKey) are left
 * out: the stream sessions' channel texts, which the relay's hold-back scanners screen instead.
 */
interface Pending {
  node: unknown;
  at: AnswerAt | null;
  path: string;
  depth: number;
}

export function answerSegments(value: unknown, skip: ReadonlySet<string> = new Set()): AnswerSegment[] {
  const out: AnswerSegment[] = [];
  // The path string and the step chain grow by one link per level: no per-value copies (answers can be megabytes).
  const stack: Pending[] = [{ node: value, at: null, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { node, at, path, depth } = stack.pop() as Pending;
    if (depth > ANSWER_MAX_DEPTH) {
      throw new AnswerShapeError(`the answer is nested deeper than ${ANSWER_MAX_DEPTH} levels`);
    }
    if (typeof node === 'string') {
      if (skip.size === 0 || !skip.has(stepsKey(stepsOf(at)))) out.push({ path, text: node, at, keys: false });
    } else if (carriesValue(node)) {
      out.push({ path, text: String(node), at, keys: false });
    } else if (Array.isArray(node)) {
      // Two paths, so each kind is joined with its own kind across siblings (a token's bytes with the next token's).
      for (const [kind, text] of integerTexts(node)) out.push({ path: `${path}{${kind}}`, text, at, keys: true });
      for (let i = node.length - 1; i >= 0; i -= 1) {
        if (isScalar(node[i]) && !carriesValue(node[i])) continue;
        stack.push({ node: node[i], at: { parent: at, step: i }, path: `${path}[${i}]`, depth: depth + 1 });
      }
    } else if (typeof node === 'object' && node !== null) {
      const keys = Object.keys(node);
      if (keys.length > 0) out.push({ path: `${path}{keys}`, text: keys.join('\n'), at, keys: true });
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const key = keys[i] as string;
        const child = (node as Record<string, unknown>)[key];
        if (isScalar(child) && !carriesValue(child)) continue;
        stack.push({ node: child, at: { parent: at, step: key }, path: pathWith(path, key), depth: depth + 1 });
      }
    } else if (node !== null && typeof node !== 'number' && typeof node !== 'boolean') {
      throw new AnswerShapeError(`${path} is not JSON`);
    }
  }
  return out;
}

function pathWith(path: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * What an array of integers spells, each a read-only segment: the numbers split by spaces (a card as
 * `[4111, 1111, 1111, 1111]`), and when every one is a byte, the bytes as UTF-8 (chat logprobs' `bytes`, which a
 * client decodes to rebuild a token: `[65, 75, 73, 65, …]` is `AKIA…`). None for other arrays (vectors of floats).
 */
function integerTexts(items: readonly unknown[]): ['numbers' | 'bytes', string][] {
  if (items.length === 0) return [];
  let bytes = true;
  for (const item of items) {
    if (typeof item !== 'number' || !Number.isSafeInteger(item)) return [];
    if (item < 0 || item > 255) bytes = false;
  }
  // One number is its own segment already (when it is long enough to carry a value).
  const numbers: ['numbers', string][] = items.length > 1 ? [['numbers', items.join(' ')]] : [];
  return bytes ? [...numbers, ['bytes', Buffer.from(items as number[]).toString('utf8')]] : numbers;
}

/** Numbers, booleans and null carry no text (vectors and logprobs are mostly these: no step arrays for them). */
function isScalar(value: unknown): boolean {
  return value === null || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * An integer of 13 digits or more can carry a card number (one fits below 2^53): it is a segment too, its decimal
 * text (a redaction writes the placeholder string in its place). Shorter numbers (ids, timestamps, counts, floats)
 * are not: none holds a value a recognizer finds without a label, and an embedding's floats would cost for nothing.
 */
function carriesValue(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) >= 1e12;
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
    if ((typeof node[last] !== 'string' && !carriesValue(node[last])) || !Object.hasOwn(node, last)) {
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
