// File digests as OPA's bundle signing computes them (bundle/hash.go): JSON files (.manifest, *.json) are hashed as
// a walk over the parsed value (object keys in byte order, compact, Go's JSON string escaping without HTML escapes,
// number literals as written); every other file is hashed as raw bytes. MUST match `opa build --signing-key`.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';

/** OPA's algorithm names mapped to node's; MD5 and SHA-1 are refused on purpose (collisions are practical). */
const ALGORITHMS = {
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512-224': 'sha512-224',
  'SHA-512-256': 'sha512-256',
} as const satisfies Record<string, string>;

export type HashAlgorithm = keyof typeof ALGORITHMS;

export function isHashAlgorithm(name: string): name is HashAlgorithm {
  return Object.hasOwn(ALGORITHMS, name);
}

/** A number kept as its source literal: Go's json.Number re-encodes it verbatim. */
class NumberLiteral {
  readonly literal: string;
  constructor(literal: string) {
    this.literal = literal;
  }
}

/** Whether OPA hashes this bundle member structurally (as JSON) rather than as bytes. */
export function isStructured(name: string): boolean {
  return name === '.manifest' || name.endsWith('.json');
}

/** Hex digest of one bundle member. Throws SyntaxError when a structured member is not JSON. */
export function hashBundleFile(name: string, bytes: Uint8Array, algorithm: HashAlgorithm): string {
  const hash = createHash(ALGORITHMS[algorithm]);
  if (isStructured(name)) {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    walk(JSON.parse(text, keepNumberLiterals), hash);
  } else {
    hash.update(bytes);
  }
  return hash.digest('hex');
}

// Node 24 passes the source text of primitives to the reviver (JSON.parse source text access).
function keepNumberLiterals(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number') {
    if (context?.source === undefined) throw new Error('JSON.parse source text access is unavailable');
    return new NumberLiteral(context.source);
  }
  return value;
}

function walk(value: unknown, hash: Hash): void {
  if (value instanceof NumberLiteral) {
    hash.update(value.literal);
  } else if (Array.isArray(value)) {
    hash.update('[');
    value.forEach((item: unknown, i) => {
      if (i > 0) hash.update(',');
      walk(item, hash);
    });
    hash.update(']');
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => ({ key, bytes: Buffer.from(key, 'utf8'), item }));
    entries.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    hash.update('{');
    entries.forEach(({ key, item }, i) => {
      if (i > 0) hash.update(',');
      hash.update(goString(key));
      hash.update(':');
      walk(item, hash);
    });
    hash.update('}');
  } else if (typeof value === 'string') {
    hash.update(goString(value));
  } else {
    // true, false, null: the same text in Go and JavaScript.
    hash.update(JSON.stringify(value));
  }
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** encoding/json's string form with SetEscapeHTML(false): U+2028/2029 escaped, lone surrogates become U+FFFD. */
function goString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else if (code < 0x20) out += `\\u00${code.toString(16).padStart(2, '0')}`;
    else if (code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16)}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += '\uFFFD';
    else out += char;
  }
  return `${out}"`;
}
