// Built-in recognizers for private keys written outside PEM armor as key files hold them: a JSON Web Key's private
// members (RFC 7517/7518: `d`, and RSA's `p`, `q`, `dp`, `dq`, `qi`) and a PuTTY .ppk file's Private-Lines block.
// Both are PRIVATE_KEY (SECRET) and find the key material itself, not its container: a public JWK (no private member)
// and a .ppk's Public-Lines are never findings. RE2 patterns (linear, no backtracking), validated by key_material.
import { prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

/** A quote around a name or a value, as JSON, YAML, JavaScript or Python write it, escaped up to twice (`\\\"`). */
const QUOTE = String.raw`\\{0,3}["'\x60]`;

/**
 * A JWK's private member name (any case: Go's exported field `D`), its quotes (and `]` of an index, `jwk["d"] = "…"`)
 * and separator (` = ` only before a quote: `?d=…` in a URL is a query; Kotlin's infix `"d" to "…"`; a builder's
 * method call `.d("…")`, `.d(new Base64URL("…"))`, Nimbus JOSE's).
 */
const MEMBER = String.raw`\b(?i:d|p|q|dp|dq|qi)(?:${QUOTE}\]?)?\s*(?::|=>|=\s*${QUOTE}|to\s*${QUOTE}|\(\s*(?:new\s+Base64URL\s*\(\s*)?${QUOTE})\s*(?:${QUOTE})?`;
/** Where a member's value ends: a quote, a blank, a delimiter or the end of the text. */
const VALUE_END = String.raw`(?:[\\"'\x60\s,;.)}\]]|$)`;
/** Every beginning of a member: the name (each name's prefixes are names), its quotes, the separator and the value. */
const JWK_PARTIAL = String.raw`\b(?i:dp?|dq|p|qi?)(?:${QUOTE}\]?)?\s*(?:(?::|=>?|t|to|\(\s*(?:${prefixOf('new', String.raw`\s*(?:${prefixOf('Base64URL', String.raw`\s*\(?`)})?`)})?)\s*(?:${QUOTE})?[A-Za-z0-9+/=_-]*)?`;

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

/** A private member's name on an INI or .env line. */
const PRIVATE_NAME = '(?:d|p|q|dp|dq|qi)';
/**
 * Most characters of a section's other line (its key, separator and value, or a comment) a stream holds: a JWK's x5c
 * certificate chain (1,000 characters or more a certificate), a kid that is a URL, a long comment. Counted in code,
 * not in the patterns (RE2 bounds a nested repetition's product at 1,000), by stream-key-file-holds.ts only: a stream
 * releases a section with a longer line rather than hold it to its limit (review s13: a minified blob after a `crv:`
 * line), so a member after such a line is read in a whole text (jwkSectionValue counts no line) but not in a stream.
 */
export const SECTION_LINE_MOST = 4096;
/** An INI key (`x`, `kid`, `key_ops`, PHP's array `key_ops[]`, up to 32 characters) or a `#`/`;` comment, and the rest of its line. */
const SECTION_LINE = String.raw`(?:[A-Za-z_][A-Za-z0-9_.\[\]-]{0,31}[ \t]{0,4}[=:]|[#;])[^\r\n]*`;
/** Blanks a line break may carry: lines of blanks only and the next line's indent (none counts as a line). */
const SECTION_BLANKS = 24;
/** A line break, then blanks and any lines of blanks only (none counts as one of a section's lines). */
const SECTION_BREAK = String.raw`[\r\n][ \t\r\n]{0,${SECTION_BLANKS}}`;
/**
 * A section's opening line: a `[jwk]`/`[jwks]` header, or its `kty`/`crv` line (`kty = EC`, `crv: "P-256"`), its
 * blanks and value bounded (what a stream holds of it is).
 */
const SECTION_ANCHOR = String.raw`(?:\[[ \t]{0,8}(?i:jwks?)[ \t]{0,8}\]|(?:kty|crv)[ \t]{0,8}[=:][ \t]{0,8}["']?[A-Za-z0-9_-]{1,32}["']?)[ \t]{0,16}`;
/** Most other lines between a section's anchor and its private member: kty, crv, x, y, kid, use, alg and a comment. */
const SECTION_LINES = 6;
/**
 * A section's anchor and any beginning of the lines a match may read after it (SECTION_LINES lines, then the member's
 * line): a stream holds a section from its anchor while this matches up to the end of what has come and each line
 * after the anchor is at most SECTION_LINE_MOST characters (stream-key-file-holds.ts counts them), however far past a
 * partial's hold limit, and releases it once a line runs longer (a member's value past it is the pattern's own match,
 * held as one). Wider than the pattern, never narrower.
 */
export const JWK_SECTION_OPENING = String.raw`(?:^|[\r\n])[ \t]*${SECTION_ANCHOR}(?:${SECTION_BREAK}[^\r\n]*){0,${SECTION_LINES + 1}}[\r\n]?`;

/**
 * The private member's value in a JWK_PRIVATE_KEY_SECTION match (`section`: from its anchor to the value's end): after
 * the `=` of its last line. Its other lines are not counted: a whole text holds them all (an x5c chain of three
 * certificates on one line, review s15), only a stream's hold is bounded (SECTION_LINE_MOST).
 */
export function jwkSectionValue(section: string): [number, number][] {
  const lineStart = Math.max(section.lastIndexOf('\n'), section.lastIndexOf('\r')) + 1;
  const equals = section.indexOf('=', lineStart);
  if (equals < 0) return [];
  let start = equals + 1;
  while (section.charCodeAt(start) === 0x20 || section.charCodeAt(start) === 0x09) start += 1;
  return [[start, section.length]];
}

/**
 * A JWK written as an INI or .env section whose private member's line stands after other lines (`x`, `y`, `kid`):
 * the section's opening line (`[jwk]`, `kty = EC`, `crv = P-256`) anchors it, then up to six `key = value` lines
 * or comments (blank lines between; a stream holds lines of at most SECTION_LINE_MOST characters), then `d = <value>` (or `p`, `q`, `dp`, `dq`, `qi`) alone on its line. The match
 * runs from the anchor, so it reads the section's own structure, not a context word 62 characters back (the stream's
 * look-behind stays 64); the finding is the value. A stream holds a section from its anchor while its lines may still
 * lead to a member (stream-key-hold.ts). Cost: an INI section opening with `kty`/`crv`/`[jwk]` with a random
 * mixed-case base64 line of 40 or more under `d` within its next seven lines is a key.
 */
export const JWK_PRIVATE_KEY_SECTION: RecognizerDefinition = {
  ...JWK_PRIVATE_KEY,
  // The group runs from the anchor to the value; the refiner (jwkSectionValue) takes the value.
  pattern: String.raw`(?:^|[\r\n])[ \t]*(${SECTION_ANCHOR}(?:${SECTION_BREAK}${SECTION_LINE}){0,${SECTION_LINES}}?${SECTION_BREAK}${PRIVATE_NAME}[ \t]{0,16}=[ \t]{0,16}[A-Za-z0-9+/_-]{40,}={0,2})(?:[ \t]{1,16}[#;]|[ \t]{0,16}(?:[\r\n]|$)|[ \t]{17})`,
  // The anchor's beginnings (`[jw`, `kt`, `crv = P-2`) and its line: the lines after it are held by
  // stream-key-hold.ts (JWK_SECTION_OPENING), past a partial's hold limit.
  partial: String.raw`(?:^|[\r\n])[ \t]*(?:\[[ \t]*(?i:j(?:wk?s?)?)?[ \t]*|${prefixOf('kty', String.raw`[ \t]*(?:[=:][ \t]*["']?[A-Za-z0-9_-]*["']?)?`)}|${prefixOf('crv', String.raw`[ \t]*(?:[=:][ \t]*["']?[A-Za-z0-9_-]*["']?)?`)}|\[[ \t]*(?i:jwks?)[ \t]*\])[ \t]*[\r\n]*`,
  refiner: 'jwk_section_value',
  requireContext: false,
  contextWords: ['kty', 'crv', 'jwk', 'jwks'],
  baseScore: 95,
  contextScore: 95,
};

/** Standard base64 (an RSA member rewritten from base64url). */
const STD = '[A-Za-z0-9+/]';
/**
 * A member's name, its quotes and separator (`"p": "`, `p: `, `p = `, `'p' => '`, `\"p\":\"`), its blanks bounded (a
 * stream holds what a pair may still become: RSA_PAIR_OPENING).
 */
const pairName = (names: string) => String.raw`\b(?:${names})(?:${QUOTE}\]?)?\s{0,16}(?::|=>|=)\s{0,16}(?:${QUOTE})?`;
/**
 * A pair's first member, of a key's size: a prime 86 to 684 characters (RSA-1024 to RSA-8192 halves), `n` or `d` 170
 * or more; a prime's and the modulus's first byte with its top bit set (`[g-z0-9+/]`). Only a prime's size is bounded
 * above (base64 images under `p` and `q`): each bound is a counted repetition RE2 compiles out (684 copies, ~6 ms a
 * classifier; n's and d's 1,000 more would be ~25 ms and a set's DFA past its cache).
 */
const PAIR_FIRST = `(?:${pairName('p|q')}[g-z0-9+/]${STD}{85,683}|${pairName('n')}[g-z0-9+/]${STD}{169,}|${pairName('d')}${STD}{170,})={0,2}`;
/**
 * Most characters between two members' items: quotes, commas, blanks and escaped breaks (JSON indented 4 at depth 24:
 * `",\n` and 96 spaces).
 */
const SEP_CHARS = 100;
/** Between two members: their quotes, commas, blanks and escaped breaks. */
const PAIR_SEP = String.raw`(?:[\s"'\x60\\,;]|\\[rn]){1,${SEP_CHARS}}`;
/**
 * A short member between the two (`"kid": "k-1"`, `"alg": "RS256"`), not `e`: with `"e": "AQAB"` between them, `d` is
 * JWK_PRIVATE_KEY_BASE64's own finding.
 */
const PAIR_MEMBER = String.raw`\b(?:[A-Za-df-z_][A-Za-z0-9_-]{0,15}|e[A-Za-z0-9_-]{1,15})(?:${QUOTE}\]?)?\s{0,16}(?::|=>|=)\s{0,16}(?:${QUOTE})?[A-Za-z0-9+/=_.-]{0,64}`;
/** A comment between the two, to its line's end: YAML's, INI's or a shell's `#`, JavaScript's `//`. */
const PAIR_COMMENT = String.raw`(?:#|//)[^\r\n]{0,80}[\r\n]`;
/** Most short members and comments between the two. */
const PAIR_ITEMS = 3;
/** Between two members: separators, and up to PAIR_ITEMS short members or comment lines with separators after each. */
const PAIR_GAP = String.raw`${PAIR_SEP}(?:(?:${PAIR_MEMBER}|${PAIR_COMMENT})(?:${PAIR_SEP})?){0,${PAIR_ITEMS}}`;
/** A quote still arriving (`\\` of `\\"`), a quote, and an index's `]`. */
const QUOTE_ARRIVING = String.raw`\\{0,3}(?:["'\x60]\]?)?`;
const SEP_ARRIVING = String.raw`(?:[\s"'\x60\\,;]|\\[rn]){0,${SEP_CHARS}}`;
/** The second member's name, separator and value as far as they have come. */
const SECOND_ARRIVING = String.raw`\b[pqnd]${QUOTE_ARRIVING}\s{0,16}(?:(?::|=>?)\s{0,16}${QUOTE_ARRIVING}${STD}*={0,2})?`;
/** A short member, or a comment, as far as it has come. */
const ITEM_ARRIVING = String.raw`(?:\b[A-Za-z_][A-Za-z0-9_-]{0,15}${QUOTE_ARRIVING}\s{0,16}(?:(?::|=>?)\s{0,16}${QUOTE_ARRIVING}[A-Za-z0-9+/=_.-]{0,64})?|/|(?:#|//)[^\r\n]{0,80}[\r\n]?)`;
/**
 * A pair's first member (its value of 84 characters or more), then any beginning of the rest of the pair (short members
 * and comments, the second's name and value): a stream holds a first member while the pair may still come
 * (stream-key-hold.ts). Wider than the pattern, never narrower; bounded but for the two values (counted, a value's
 * 1,400 characters made one search of a 2 KB text ~300 ms): stream-key-hold.ts bounds those (PAIR_FIRST_MOST).
 */
export const RSA_PAIR_OPENING = String.raw`\b[pqnd]${QUOTE_ARRIVING}\s{0,16}(?::|=>|=)\s{0,16}${QUOTE_ARRIVING}${STD}{84,}={0,2}${SEP_ARRIVING}(?:${ITEM_ARRIVING}${SEP_ARRIVING}){0,${PAIR_ITEMS}}(?:${SECOND_ARRIVING})?`;

/**
 * An RSA private key as two of its members in standard base64 with no JWK word in reach: `p` and `q` (the primes),
 * `n` and `d`, or a prime and `n` or `d`, in either order, as JSON, YAML, INI, a JavaScript or Python literal or
 * escaped in a JSON string, next to each other in one object (quotes, commas, blanks between, and at most one short
 * member: `"kid": "k-1"`). The first of a key's size (PAIR_FIRST), the second named `p`, `q`, `n` or `d` with 84
 * characters or more. `"d": "<base64 data>"` alone is data (JWK_PRIVATE_KEY_BASE64 wants a JWK word); a pair is the
 * whole key. The finding runs from the first member's name to the end of the second's value. Cost: two such names
 * holding random mixed-case base64 of those sizes, side by side, read as a key.
 */
export const RSA_PRIVATE_KEY_PAIR: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: `(${PAIR_FIRST}${PAIR_GAP}${pairName('[pqnd]')}${STD}{84,}={0,2})${VALUE_END}`,
  // A first member's beginnings and its value (`p`, `q`, `d` are JWK_PRIVATE_KEY's too): the rest of the pair is held
  // by stream-key-hold.ts (RSA_PAIR_OPENING), past a partial's hold limit.
  partial: String.raw`\b[pqnd](?:${QUOTE}\]?)?\s*(?:(?::|=>?)\s*(?:${QUOTE})?${STD}*={0,2})?`,
  group: 1,
  validator: 'key_material',
  contextWords: ['kty', 'jwk', 'jwks', 'rsa'],
  baseScore: 95,
  contextScore: 100,
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
