// Built-in recognizers for private keys written as numbers: RSA's private exponent d in decimal under its label (any
// language's assignment, a bc-wrapped number), d as the third of an (n, e, d, …) tuple with no label (python-rsa's
// PrivateKey repr, RSA.construct), and an Ed25519 keypair as 64 byte values (Solana's id.json). Each is PRIVATE_KEY
// (SECRET); unlabelled long numbers, a public (n, e) and a list of 64 small numbers that is no keypair are none. RE2
// patterns (linear, no backtracking), each with the partial a stream holds; the keypair's check is one derivation.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { base58 } from '@scure/base';
import { prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

/** A line break, written or escaped in a JSON string (`\n`, `\r\n`). */
const BREAK = String.raw`(?:\r?\n|(?:\\r)?\\n)`;
/** A decimal label of RSA's private exponent: `d`/`D` as a word, `privateExponent`, `private exponent`, `private_exponent`. */
const DECIMAL_LABEL = String.raw`(?:\b[dD]|\b(?i:private[ _]?exponent))`;
/**
 * An assignment or a member's separator: `:` (JSON, YAML, Go's `%+v` with its `+` sign), `=`, Go's and Pascal's `:=`,
 * R's `<-` and `<<-`, Perl's, PHP's and Ruby's `=>`.
 */
const ASSIGN = String.raw`(?::=?|=>?|<<?-)`;
/**
 * A decimal number of a key's size: 300 digits or more on one line (a 1024-bit d has ~308, RSA-2048's 617), or as bc
 * and dc print a long number, in lines of 60 digits or more (69 by default) each ended by a backslash, the last one
 * shorter: four lines or more, 240 digits at least.
 */
const LONG_NUMBER = String.raw`(?:[1-9][0-9]{299,}|[1-9][0-9]{59,}(?:\\\r?\n[0-9]{60,}){3,}(?:\\\r?\n[0-9]{1,59})?)`;
/** A long number's characters as they come: digits, and bc's backslash and line break. */
const NUMBER_ARRIVING = String.raw`(?:[0-9]|\\\r?\n?)*`;

/**
 * RSA's private exponent d in decimal, as Python prints `key.private_numbers().d` (`>>> nums.d` then the number;
 * `RSAPrivateNumbers(…, d=…)`), Go's `%+v` of an *rsa.PrivateKey (`D:+…`), JDK 8's RSAPrivateCrtKey toString
 * (`private exponent: …`), JSON (`"d": "…"`) or any language's assignment (`d := …`, `d <- …`, `'d' => …`): the label,
 * its separator (ASSIGN) or a line break, then a number of a key's size (LONG_NUMBER, bc's wrapped lines too). The
 * finding is the number. Unlabelled long numbers (a 300-digit number alone, pi's digits, 2^1024 in a math answer) and
 * the public modulus (`n`, `N:`, `modulus:`) are none; primes alone (`(p, q)`, `Primes:[…]`) are not read either.
 * Cost: a 300-digit or longer number (240 wrapped bc's way) under a `d`, `D` or private-exponent label (say
 * `d = <300 digits>` in a math answer) reads as a key.
 */
export const DECIMAL_PRIVATE_EXPONENT: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`${DECIMAL_LABEL}["']?[ \t]*(?:${ASSIGN}[ \t]*(?:${BREAK}[ \t]*)?\+?|${BREAK}[ \t]*)["']?(${LONG_NUMBER})`,
  // A label's beginnings, then quotes, blanks, separators, breaks and the number as far as they have come.
  partial: String.raw`(?:\b(?i:${prefixOf('private', String.raw`[ _]?(?:${prefixOf('exponent')})?`)})|${DECIMAL_LABEL}(?:["'\s:=+<>-]|\\[rn]?)*${NUMBER_ARRIVING})`,
  group: 1,
  contextWords: ['rsa', 'modulus', 'private_numbers', 'primes', 'privatekey'],
  baseScore: 95,
  contextScore: 100,
};

/** An RSA public exponent: odd, up to ten digits (3, 17, 65537). */
const PUBLIC_EXPONENT = '(?:[1-9][0-9]{0,8})?[13579]';
/** Between two items of a tuple: a comma, blanks and line breaks. */
const ITEM_GAP = String.raw`[ \t]*,[ \t\r\n]*`;

/**
 * RSA's private exponent as the third item of an (n, e, d, p, q, …) tuple, unlabelled: python-rsa's
 * `PrivateKey(n, e, d, p, q)` repr, PyCryptodome's `RSA.construct((n, e, d, p, q))`, a list or a call of any
 * language. The modulus (its last 32 digits or more: a stream keeps 64 characters of look-behind), an odd public
 * exponent, then d (LONG_NUMBER) and the primes and CRT values after it (100 digits or more each). The finding is d
 * and the numbers after it. A public key `(n, e)` and `(e, n)` are none. Cost: a list of a 32-digit or longer number,
 * a small odd number, then a 300-digit or longer number reads as a key.
 */
export const RSA_TUPLE_PRIVATE_EXPONENT: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`[0-9]{32}${ITEM_GAP}${PUBLIC_EXPONENT}${ITEM_GAP}(${LONG_NUMBER}(?:${ITEM_GAP}[1-9][0-9]{99,}){0,5})`,
  // The modulus's last 32 digits, then the exponent, d and the numbers after it as far as they have come (bounded).
  partial: String.raw`[0-9]{32}${ITEM_GAP}(?:[0-9]{1,10}(?:${ITEM_GAP}(?:${NUMBER_ARRIVING}(?:${ITEM_GAP}[0-9]*){0,5})?)?)?`,
  group: 1,
  contextWords: ['rsa', 'privatekey', 'construct', 'private'],
  baseScore: 95,
  contextScore: 100,
};

/** Ed25519's PKCS #8 DER before its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A base58 character (Bitcoin's and Solana's alphabet: no 0, O, I or l). */
const BASE58 = '[1-9A-HJ-NP-Za-km-z]';
/** 64 bytes as one word: base58 (85-88 characters: Phantom's and Solflare's export) or 128 hex digits. */
const KEYPAIR_BASE58 = new RegExp(`^${BASE58}{85,88}$`);
const KEYPAIR_HEX = /^[0-9A-Fa-f]{128}$/;
/** One byte value of a list: decimal (`12`) or hex with its prefix (`0x0c`). */
const BYTE_VALUE = /0[xX][0-9A-Fa-f]+|[0-9]+/g;

/** The 64 bytes `value` writes (a list of byte values, one base58 word or 128 hex digits), or undefined. */
function keypairBytes(value: string): Buffer | undefined {
  if (KEYPAIR_HEX.test(value)) return Buffer.from(value, 'hex');
  if (KEYPAIR_BASE58.test(value)) {
    const bytes = Buffer.from(base58.decode(value));
    return bytes.length === 64 ? bytes : undefined;
  }
  const numbers = value.match(BYTE_VALUE) ?? [];
  if (numbers.length !== 64 || numbers.some((n) => n.length > 4)) return undefined;
  const bytes = numbers.map(Number);
  return bytes.every((n) => n <= 255) ? Buffer.from(bytes) : undefined;
}

/**
 * Whether `value` is an Ed25519 keypair as Solana's CLI, `Keypair.secretKey` and wallets write it: 64 bytes (a list of
 * byte values, decimal or `0x` hex, blanks or commas between; one base58 word; 128 hex digits), the last 32 the public
 * key of the first 32 (the seed). 64 bytes that are no keypair fail the check but with probability 2^-256.
 */
export function isEd25519Keypair(value: string): boolean {
  const bytes = keypairBytes(value);
  if (bytes === undefined) return false;
  const key = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
  const x = createPublicKey(key).export({ format: 'jwk' }).x;
  return x !== undefined && Buffer.from(x, 'base64url').equals(bytes.subarray(32));
}

/** A byte value: decimal or hex with its prefix. */
const BYTE = String.raw`(?:0[xX][0-9A-Fa-f]{1,2}|[0-9]{1,3})`;
/** Between two byte values: a comma with blanks and line breaks around it, or blanks alone (numpy's print). */
const BYTE_GAP = String.raw`(?:[ \t]*,[ \t\r\n]*|[ \t\r\n]+)`;

/**
 * An Ed25519 keypair as 64 byte values in a list: Solana's id.json (`[12,250,…]`, `solana-keygen new`), a
 * `Keypair.secretKey` printed as an array or a `Uint8Array`, a multi-line list with a trailing comma (rustfmt,
 * Prettier), C's and Go's braces (`{12, 250, …}`), hex bytes (`0x0c, 0xfa`), numpy's blank-separated print. The
 * ed25519_keypair validator derives the public key of the first 32 bytes and finds it in the last 32, so 64 small
 * numbers that are no keypair are none. The finding is the list's values. Cost: one key derivation a list of 64.
 */
export const ED25519_KEYPAIR_BYTES: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`[\[{][ \t\r\n]*((?:${BYTE}${BYTE_GAP}){63}${BYTE})(?:[ \t]*,)?[ \t\r\n]*[\]}]`,
  // The list's opening and its values as far as they have come, a value's beginning, a gap's: unbounded (the scanner
  // caps a partial's hold), as a counted repetition of the values grows the built-in partials' shared DFA.
  partial: String.raw`[\[{][ \t\r\n]*(?:${BYTE}${BYTE_GAP})*(?:0[xX]?[0-9A-Fa-f]{0,2}|[0-9]{0,3})[ \t\r\n,]*`,
  group: 1,
  validator: 'ed25519_keypair',
  contextWords: ['solana', 'keypair', 'id.json', 'secretkey'],
  baseScore: 100,
};

/**
 * An Ed25519 keypair as one word: base58 of its 64 bytes (85-88 characters: Phantom's and Solflare's "export private
 * key", `solana-keygen`'s alphabet) or 128 hex digits, with or without a word before it. The same validator as the
 * list's. Cost: one key derivation a base58 word of 85-88 characters or a 128-hex-digit run (a SHA-512 in hex).
 */
export const ED25519_KEYPAIR_WORD: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`\b(${BASE58}{85,88}|[0-9A-Fa-f]{128})\b`,
  // Unbounded (the scanner caps a partial's hold): a counted repetition grows the built-in partials' shared DFA.
  partial: String.raw`\b[0-9A-Za-z]+`,
  group: 1,
  validator: 'ed25519_keypair',
  contextWords: ['solana', 'keypair', 'phantom', 'private key'],
  baseScore: 100,
};

/** The recognizers this file defines, in the order a set lists them. */
export const KEY_NUMBER_RECOGNIZERS: readonly RecognizerDefinition[] = Object.freeze([
  DECIMAL_PRIVATE_EXPONENT,
  RSA_TUPLE_PRIVATE_EXPONENT,
  ED25519_KEYPAIR_BYTES,
  ED25519_KEYPAIR_WORD,
]);
