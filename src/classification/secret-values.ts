// The checks that tell a secret value from an ordinary one (validators.ts names them for the recognizers): placeholders,
// config literals, entropy and character classes. Pure functions of the value; no regular expressions on user text.

/** Documented example values and template fillers: never findings (AWS docs' keys, "xxxx", "your-api-key", "<...>"). */
export function isPlaceholder(value: string): boolean {
  const upper = value.toUpperCase();
  if (
    upper.includes('EXAMPLE') ||
    upper.includes('PLACEHOLDER') ||
    upper.includes('REDACTED') ||
    upper.includes('DUMMY')
  )
    return true;
  if (upper.includes('YOUR_') || upper.includes('YOUR-') || upper.includes('XXXX') || upper.includes('****'))
    return true;
  if (value.includes('<') || value.includes('${') || value.includes('{{')) return true;
  return new Set(value).size <= 3;
}

/** AWS secret access key: 40 base64 characters that look random (mixed case, many distinct characters). */
export function isLikelyAwsSecretKey(value: string): boolean {
  if (value.length !== 40 || isPlaceholder(value)) return false;
  let upper = false;
  let lower = false;
  for (const char of value) {
    if (char >= 'A' && char <= 'Z') upper = true;
    else if (char >= 'a' && char <= 'z') lower = true;
  }
  return upper && lower && new Set(value).size >= 12;
}

/** Shannon entropy in bits per character. */
export function entropyOf(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Which character classes a value holds: lower, upper, digit, other (symbols). */
export function classesOf(value: string): { lower: boolean; upper: boolean; digit: boolean; symbol: boolean } {
  const classes = { lower: false, upper: false, digit: false, symbol: false };
  for (const char of value) {
    if (char >= 'a' && char <= 'z') classes.lower = true;
    else if (char >= 'A' && char <= 'Z') classes.upper = true;
    else if (char >= '0' && char <= '9') classes.digit = true;
    else classes.symbol = true;
  }
  return classes;
}

/**
 * A generic secret value: ≥ 16 characters, not a placeholder, and random-looking: letters and digits with entropy
 * ≥ 3.5 bits/char, or (a token without digits) ≥ 20 characters of mixed case with entropy ≥ 4.
 */
export function isHighEntropySecret(value: string): boolean {
  if (value.length < 16 || isPlaceholder(value)) return false;
  const { lower, upper, digit } = classesOf(value);
  if (!(lower || upper)) return false;
  if (digit) return entropyOf(value) >= 3.5;
  return value.length >= 20 && lower && upper && entropyOf(value) >= 4;
}

/** Values a config line holds that are no secret: booleans, nulls, references to another variable or file. */
function isConfigLiteral(value: string): boolean {
  const lower = value.toLowerCase();
  return (
    ['true', 'false', 'null', 'none', 'nil', 'undefined', 'changeme', 'password', 'secret', 'required'].includes(
      lower,
    ) ||
    value.startsWith('$') ||
    value.startsWith('%') ||
    value.startsWith('/') ||
    value.startsWith('./') ||
    value.startsWith('process.env') ||
    value.startsWith('os.environ')
  );
}

/**
 * A password after a password label or in a URL's user info: 8–64 characters, not a placeholder or a config
 * literal, with at least three of lower case, upper case, digits and symbols (a plain word is not reported).
 */
export function isLikelyPassword(value: string): boolean {
  if (value.length < 8 || value.length > 64 || isPlaceholder(value) || isConfigLiteral(value)) return false;
  const { lower, upper, digit, symbol } = classesOf(value);
  return [lower, upper, digit, symbol].filter(Boolean).length >= 3 && entropyOf(value) >= 2.5;
}

/** The value of a `*_TOKEN=` / `*_SECRET=` / `*_API_KEY=` line: a high-entropy secret or a likely password. */
export function isLikelySecretValue(value: string): boolean {
  return !isConfigLiteral(value) && (isHighEntropySecret(value) || isLikelyPassword(value));
}
