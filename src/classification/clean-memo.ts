// Classifications found clean, remembered per classifier: a classification is a function of its segments (and
// options) alone, so segments found clean once are clean again, and an answer's property names or a stream's repeated
// fields need not be classified twice. Invariants: only a clean result is kept (no finding, every count zero, not
// truncated), frozen, under the key its caller builds from the exact paths and texts it classified (no two inputs may
// share a key); each use (`kind`) has its own memo; bounded, the oldest out first.
import type { Classification } from './types.ts';

export interface CleanMemo {
  /** The clean result remembered under `key`, if any (frozen: handed to every later caller). */
  get(key: string): Classification | undefined;
  /** Remembers `result` under `key` when it is clean (frozen); returns `result`. */
  remember(key: string, result: Classification): Classification;
}

/** Memos per owner (a classifier, or a pool standing for one) and kind. */
const memos = new WeakMap<object, Map<string, Map<string, Classification>>>();

/** Whether a classification found nothing at all. */
export function isCleanResult(result: Classification): boolean {
  return result.findings.length === 0 && (result.counts?.total ?? 0) === 0 && result.truncated !== true;
}

/** A remembered result is handed to every later caller: nothing may change it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * The memo of `kind` for what `owner` classifies, keeping at most `maxEntries` results. The same owner and kind MUST
 * always be asked with the same bound and the same key format.
 */
export function cleanMemo(owner: object, kind: string, maxEntries: number): CleanMemo {
  let kinds = memos.get(owner);
  if (kinds === undefined) memos.set(owner, (kinds = new Map()));
  let entries = kinds.get(kind);
  if (entries === undefined) kinds.set(kind, (entries = new Map()));
  const clean = entries;
  return {
    get: (key) => clean.get(key),
    remember(key, result) {
      if (!isCleanResult(result) || clean.has(key)) return result;
      if (clean.size >= maxEntries) clean.delete(clean.keys().next().value as string);
      clean.set(key, deepFreeze(result));
      return result;
    },
  };
}

/**
 * Texts found clean, at most `max`, forgotten all at once when full (classifier.ts scanSegment: a segment read alone).
 * The caller MUST only add a text whose reading alone is then known to find nothing whenever it is read again.
 */
export class CleanTexts {
  readonly #texts = new Set<string>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  has(text: string): boolean {
    return this.#texts.has(text);
  }
  add(text: string): void {
    if (this.#texts.has(text)) return;
    if (this.#texts.size >= this.#max) this.#texts.clear();
    this.#texts.add(text);
  }
}
