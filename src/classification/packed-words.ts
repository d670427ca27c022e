// A set of words packed off the V8 heap (the person-name lists, person-name-lists.ts): every word's Latin-1 code units
// after its length in one byte array, and an open-addressing table of their offsets, both in SharedArrayBuffers so the
// classification threads read the main thread's copy instead of building their own. ~9 bytes a word against ~50 for a
// Set of strings, which every full collection walks. Invariant: exact membership, the Set's answers (no false
// positive): a word is found only where its every code unit equals a stored word's; words with a code unit past U+00FF
// or longer than 255 (a handful) are kept in a small Set beside the table.

const EMPTY = 0;

/** What a packed set is made of; structured-cloneable (the buffers are shared, not copied, between threads). */
export interface PackedWordsData {
  /** `[length, code units…]` a word, from byte 1 on (0 marks an empty slot). */
  readonly bytes: Uint8Array;
  /** A word's offset in `bytes`, or EMPTY, at its hash's slot or the next free one after it. */
  readonly slots: Uint32Array;
  /** Words that do not fit a byte a code unit or a byte of length. */
  readonly wide: readonly string[];
  readonly size: number;
}

/** FNV-1a over a word's UTF-16 code units (signed: only its low bits are read). */
function hashOf(word: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193);
  return hash;
}

/** Whether a word fits the table: a byte a code unit and a byte of length. */
function fits(word: string): boolean {
  if (word.length > 255) return false;
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * Distinct words packed as they are added, in growing buffers of its own (the lists are built with no Set of strings
 * on the heap: their ~20 MiB of garbage stayed in the old generation until the first full collection, which under
 * load came minutes later). `pack()` copies them into shared buffers of their exact size.
 */
export class WordPacker {
  #bytes: Uint8Array = new Uint8Array(1 << 16);
  #used = 1;
  #slots: Uint32Array = new Uint32Array(1 << 10);
  #narrow = 0;
  readonly #wide = new Set<string>();

  get size(): number {
    return this.#narrow + this.#wide.size;
  }

  has(word: string): boolean {
    return fits(word) ? find(this.#bytes, this.#slots, word) : this.#wide.has(word);
  }

  add(word: string): this {
    if (!fits(word)) this.#wide.add(word);
    else if (!find(this.#bytes, this.#slots, word)) {
      if (this.#used + word.length + 1 > this.#bytes.length) {
        const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#used + word.length + 1));
        grown.set(this.#bytes.subarray(0, this.#used));
        this.#bytes = grown;
      }
      const at = this.#used;
      this.#bytes[at] = word.length;
      for (let i = 0; i < word.length; i++) this.#bytes[at + 1 + i] = word.charCodeAt(i);
      this.#used += word.length + 1;
      this.#narrow += 1;
      place(this.#bytes, this.#slots, at);
      if (this.#narrow * 1.5 > this.#slots.length)
        this.#slots = slotsFor(this.#bytes, this.#slots, this.#slots.length * 2);
    }
    return this;
  }

  /** The words in shared buffers of their exact size, at 1.5–3 slots a word (a miss reads ~1.5–3 slots). */
  pack(): PackedWordsData {
    const bytes = new Uint8Array(new SharedArrayBuffer(this.#used));
    bytes.set(this.#bytes.subarray(0, this.#used));
    let count = 2;
    while (count < this.#narrow * 1.5) count *= 2;
    const slots = new Uint32Array(new SharedArrayBuffer(count * 4));
    for (const at of this.#slots) if (at !== EMPTY) place(bytes, slots, at);
    return { bytes, slots, wide: [...this.#wide], size: this.size };
  }
}

/** The word at `at` in its slot: its hash's, or the next free one after it. */
function place(bytes: Uint8Array, slots: Uint32Array, at: number): void {
  const mask = slots.length - 1;
  let hash = 0x811c9dc5;
  const length = bytes[at] as number;
  for (let i = 1; i <= length; i++) hash = Math.imul(hash ^ (bytes[at + i] as number), 0x01000193);
  let slot = hash & mask;
  while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
  slots[slot] = at;
}

/** `slots`' words in a table of `count` slots. */
function slotsFor(bytes: Uint8Array, slots: Uint32Array, count: number): Uint32Array {
  const grown = new Uint32Array(count);
  for (const at of slots) if (at !== EMPTY) place(bytes, grown, at);
  return grown;
}

/** Whether the table holds `word` (which fits it). */
function find(bytes: Uint8Array, slots: Uint32Array, word: string): boolean {
  const length = word.length;
  const mask = slots.length - 1;
  let slot = hashOf(word) & mask;
  for (let at = slots[slot] as number; at !== EMPTY; at = slots[slot] as number) {
    if (bytes[at] === length) {
      let i = 0;
      while (i < length && bytes[at + 1 + i] === word.charCodeAt(i)) i++;
      if (i === length) return true;
    }
    slot = (slot + 1) & mask;
  }
  return false;
}

/**
 * Membership in packed words. It implements ReadonlySet so the checks that read the lists (person-name-checks.ts) take
 * it as they took a Set; iteration decodes the words (tests and tools only: the checks call `has`).
 */
export class PackedWords implements ReadonlySet<string> {
  readonly #bytes: Uint8Array;
  readonly #slots: Uint32Array;
  readonly #wide: ReadonlySet<string>;
  readonly size: number;
  /** What the set reads: handed to a thread, which makes its own PackedWords over the same memory. */
  readonly data: PackedWordsData;

  constructor(data: PackedWordsData) {
    this.data = data;
    this.#bytes = data.bytes;
    this.#slots = data.slots;
    this.#wide = new Set(data.wide);
    this.size = data.size;
  }

  has(word: string): boolean {
    if (find(this.#bytes, this.#slots, word)) return true;
    return this.#wide.size > 0 && this.#wide.has(word);
  }

  *values(): SetIterator<string> {
    const bytes = this.#bytes;
    for (const at of this.#slots) {
      if (at === EMPTY) continue;
      const length = bytes[at] as number;
      yield String.fromCharCode(...bytes.subarray(at + 1, at + 1 + length));
    }
    yield* this.#wide;
  }

  keys(): SetIterator<string> {
    return this.values();
  }

  *entries(): SetIterator<[string, string]> {
    for (const word of this.values()) yield [word, word];
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  forEach(callback: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const word of this.values()) callback.call(thisArg, word, word, this);
  }
}
