// A streamed answer's response obligations and what they found: released text and screened fields go through `apply`,
// which returns what the client may see (placeholders for redacted values, numbered per type and value across the
// whole stream) or '' and records the blocked types. Invariants: a blocked type is never returned; a value released
// in two pieces takes one placeholder, in its first piece; every finding is counted once (`count`).
import type { Finding } from '../classification/index.ts';
import { placeholder } from '../redaction/index.ts';

/** A finding clipped to a piece of released text; `continued` when its value began in an earlier piece. */
export type Clipped = Finding & { continued?: boolean };

export class StreamObligations {
  /** Some obligation applies: text must be held until the scanner released it. */
  readonly enforce: boolean;
  readonly types: Record<string, number> = {};
  findingCount = 0;
  redacted = false;
  /** Sorted; non-empty once anything of the answer is blocked (the stream then ends). */
  blockedTypes: string[] = [];
  readonly #redact: ReadonlySet<string>;
  readonly #block: ReadonlySet<string>;
  readonly #names = new Map<string, string>();
  readonly #perType = new Map<string, number>();

  constructor(rules: { redact: readonly string[]; block: readonly string[] }) {
    this.#redact = new Set(rules.redact);
    this.#block = new Set(rules.block);
    this.enforce = rules.redact.length > 0 || rules.block.length > 0;
  }

  get blocked(): boolean {
    return this.blockedTypes.length > 0;
  }

  isBlocked(type: string): boolean {
    return this.#block.has(type);
  }

  count(findings: readonly Pick<Finding, 'type'>[]): void {
    for (const f of findings) {
      this.types[f.type] = (this.types[f.type] ?? 0) + 1;
      this.findingCount += 1;
    }
  }

  /**
   * The text with redacted findings replaced by placeholders; '' and blockedTypes set when one is blocked. In a key
   * list or a name (`inKeys`: written whole, never split) a redacted type blocks too.
   */
  apply(text: string, findings: readonly Clipped[], inKeys: boolean): string {
    if (findings.length === 0) return text;
    const blocked = new Set<string>();
    for (const f of findings) if (this.#block.has(f.type) || (inKeys && this.#redact.has(f.type))) blocked.add(f.type);
    if (blocked.size > 0) {
      this.blockedTypes = [...new Set([...this.blockedTypes, ...blocked])].sort();
      return '';
    }
    const spans = findings.filter((f) => this.#redact.has(f.type)).sort((a, b) => a.start - b.start);
    if (spans.length === 0) return text;
    this.redacted = true;
    let out = '';
    let at = 0;
    for (const f of spans) {
      if (f.end <= at) continue;
      // A value released in two pieces (two events) takes one placeholder, in its first piece.
      out += text.slice(at, Math.max(at, f.start)) + (f.start >= at && f.continued !== true ? this.#nameOf(f) : '');
      at = f.end;
    }
    return out + text.slice(at);
  }

  #nameOf(f: Finding): string {
    const key = `${f.type}:${f.fingerprint}`;
    let name = this.#names.get(key);
    if (name === undefined) {
      const n = (this.#perType.get(f.type) ?? 0) + 1;
      this.#perType.set(f.type, n);
      name = placeholder(f.type, n);
      this.#names.set(key, name);
    }
    return name;
  }
}
