// Built-in recognizers for private keys written outside PEM armor as key files hold them: a JSON Web Key's private
// members (RFC 7517/7518: `d`, and RSA's `p`, `q`, `dp`, `dq`, `qi`) and a PuTTY .ppk file's Private-Lines block.
// Both are PRIVATE_KEY (SECRET) and find the key material itself, not its container: a public JWK (no private member)
// and a .ppk's Public-Lines are never findings. RE2 patterns (linear, no backtracking), validated by key_material.
import { prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

/** A quote around a name or a value, as JSON, YAML, JavaScript or Python write it, escaped up to twice (`\\\"`). */
const QUOTE = String.raw`\\{0,3}["'\x60]`;

/**
 * A JWK's private member name, its quotes (and `]` of an index, `jwk["d"] = "…"`) and separator (` = ` only before a
 * quote: `?d=…` in a URL is a query).
 */
const MEMBER = String.raw`\b(?:d|p|q|dp|dq|qi)(?:${QUOTE}\]?)?\s*(?::|=>|=\s*${QUOTE})\s*(?:${QUOTE})?`;
/** Where a member's value ends: a quote, a blank, a delimiter or the end of the text. */
const VALUE_END = String.raw`(?:[\\"'\x60\s,;.)}\]]|$)`;
/** Every beginning of a member: the name (each name's prefixes are names), its quotes, the separator and the value. */
const JWK_PARTIAL = String.raw`\b(?:dp?|dq|p|qi?)(?:${QUOTE}\]?)?\s*(?:(?::|=>?)\s*(?:${QUOTE})?[A-Za-z0-9+/=_-]*)?`;

/**
 * A JWK's private member and its base64url value: `"d": "…"`, `d: '…'`, `\"d\":\"…\"` (escaped inside a JSON string),
 * `'d' => '…'`, `jwk["d"] = "…"`, `d = "…"` (only quoted after `=`: `?d=…` in a URL is a query; an unquoted INI line
 * is JWK_PRIVATE_KEY_LINE's). The value runs whole to a quote, a blank, a delimiter or the end (a value with `+` or `/`
 * is standard base64: JWK_PRIVATE_KEY_BASE64 reads it).
 * key_material decides (≥ 40 characters, mixed case, random); member order, pretty or one line, JWKS, all read alike.
 * Cost: a name `d`, `p`, `q`, `dp`, `dq` or `qi` labelling a random base64url run of ≥ 40 characters is a key.
 */
export const JWK_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: `${MEMBER}([A-Za-z0-9_-]{40,})${VALUE_END}`,
  partial: JWK_PARTIAL,
  group: 1,
  validator: 'key_material',
  contextWords: ['kty', 'jwk', 'jwks', 'crv'],
  baseScore: 95,
  contextScore: 100,
};

/**
 * The same members with a value in standard base64 (`+`, `/`, `=` padding: a JWK's base64url rewritten, which a model
 * reads alike), only with a JWK's word in reach, `kty`, `crv`, `jwk(s)` or RSA's exponent `AQAB` (62 characters
 * before, 256 after): `"d": "<base64 data>"` alone is data. Node, jose and PyJWT write `crv` or `"e": "AQAB"` right
 * before `d`; RSA's `p`…`qi` in standard base64 are found only with such a word in reach (its `d` is).
 */
export const JWK_PRIVATE_KEY_BASE64: RecognizerDefinition = {
  ...JWK_PRIVATE_KEY,
  pattern: `${MEMBER}([A-Za-z0-9_-]*[+/][A-Za-z0-9+/_-]*={0,2})${VALUE_END}`,
  requireContext: true,
  contextWords: ['kty', 'crv', 'jwk', 'jwks', 'aqab'],
  contextWindow: { before: 62, after: 256 },
  baseScore: 95,
  contextScore: 95,
};

/**
 * The same members as an INI or .env line, unquoted: `d = <value>` alone on its line (base64url or standard base64),
 * only with a JWK's word in reach (`[jwk]`, `kty`, `crv`, `AQAB`, 62 characters before or 256 after): an unquoted
 * `d = …` line alone is any config's. The quoted form (`d = "…"`) is JWK_PRIVATE_KEY's.
 */
export const JWK_PRIVATE_KEY_LINE: RecognizerDefinition = {
  ...JWK_PRIVATE_KEY,
  pattern: String.raw`(?:^|[\r\n])[ \t]*(?:d|p|q|dp|dq|qi)[ \t]*=[ \t]*([A-Za-z0-9+/_-]{40,}={0,2})[ \t]*(?:[\r\n]|$)`,
  partial: String.raw`(?:^|[\r\n])[ \t]*(?:dp?|dq|p|qi?)[ \t]*(?:=[ \t]*[A-Za-z0-9+/_=-]*[ \t]*)?`,
  requireContext: true,
  contextWords: ['kty', 'crv', 'jwk', 'jwks', 'aqab'],
  // 62 before: a stream keeps 64 characters of released text as look-behind (stream-scanner.ts CONTEXT_CHARS), and a
  // wider before-context widens it for every stream (one word an event was then classified ~52 times over, not ~14).
  contextWindow: { before: 62, after: 256 },
  baseScore: 95,
  contextScore: 95,
};

/** A .NET XML key element holding a private value (RSA.ToXmlString(true)); `<Modulus>`, `<Exponent>` are public. */
const XML_PRIVATE = '(?:D|P|Q|DP|DQ|InverseQ)';

/**
 * An RSA private key as .NET writes it (`RSA.ToXmlString(true)`, `<RSAKeyValue>`): each private element's standard
 * base64 value, `<D>`, `<P>`, `<Q>`, `<DP>`, `<DQ>`, `<InverseQ>` (case as .NET writes them; HTML's `<p>` is not),
 * ≥ 40 characters (key_material's floor; RSA-1024's primes are 88) up to its closing tag. `<Modulus>` and
 * `<Exponent>` alone (a public key) are no finding. Cost: `<P>` or `<D>` around a random mixed-case base64 run of ≥ 40
 * characters reads as a key.
 */
export const XML_RSA_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`<${XML_PRIVATE}>\s*([A-Za-z0-9+/]{40,}={0,2})\s*</${XML_PRIVATE}>`,
  // An element's opening tag's beginnings, then its value and the closing tag's beginnings.
  partial: String.raw`<(?:(?:D|P|Q|DP?|DQ?|I(?:n(?:v(?:e(?:r(?:s(?:eQ?)?)?)?)?)?)?)(?:>\s*[A-Za-z0-9+/=]*\s*(?:<(?:/[A-Za-z]*)?)?)?)?`,
  group: 1,
  validator: 'key_material',
  contextWords: ['rsakeyvalue', 'inverseq', 'modulus'],
  baseScore: 95,
  contextScore: 100,
};

/** A line break, written or escaped in a JSON string (`\n`, `\r\n`). */
const BREAK = String.raw`(?:\r?\n|(?:\\r)?\\n)`;
const B64 = '[A-Za-z0-9+/=]';
/** Blanks and a mail or Markdown quote's marks opening a line (`> `, `> > `): a quoted .ppk reads as the file. */
const LINE_OPEN = String.raw`[ \t]*(?:>[ \t]*){0,16}`;

/**
 * A PuTTY private key file's (v1-v3, encrypted or not) private lines: the base64 lines after `Private-Lines: N`,
 * indented, quoted (`> ` marks, a mail or Markdown reply) or not, up to the first line that is not base64
 * (`Private-MAC:`). The match takes the break after the last line, so a stream holds a block whose next line may
 * still come. The `PuTTY-User-Key-File-N:` header and the
 * Public-Lines are no finding: only the private blob is the key.
 */
export const PUTTY_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`(?i:private-lines)[ \t]*:?[ \t]*\d{0,6}[ \t]*${BREAK}${LINE_OPEN}((?:${B64}+[ \t]*${BREAK}${LINE_OPEN})*${B64}+)(?:[ \t]*(?:${BREAK}${LINE_OPEN}|["'\x60\\]|$))`,
  // The label's beginnings, then any run of base64, blanks and escapes (a break's `\` or `\r` still arriving).
  partial: `(?i:${prefixOf('private-lines', String.raw`[ \t]*:?[ \t]*[0-9]*(?:[A-Za-z0-9+/=\s>]|\\[rn]?)*`)})`,
  group: 1,
  validator: 'key_material',
  contextWords: ['putty', 'ppk', 'private-mac'],
  baseScore: 100,
};
