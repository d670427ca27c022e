// Built-in recognizers for credentials (SECRET), as data. Vendor formats come from each vendor's documented prefix;
// documented placeholder values (AKIAIOSFODNN7EXAMPLE, "xxxx", "your-api-key", "<token>") are never findings.
// GENERIC_API_KEY is a labelled, entropy-checked fallback: it yields to any specific finding it overlaps.
import { prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

/**
 * The one gap a key id may hold (awsKeyBody's one-separator forms): a space or dash, or a line break with the next
 * line's indentation (MAX 32 blanks), a `\` before it or not: YAML's folded `>-` block, TOML's line-ending `\` and a
 * .properties continuation join the two lines to the key whole (or with one space).
 */
const ONE_GAP = String.raw`(?:[ -]|\\?\r?\n[ \t]{0,32})`;

/**
 * The 16 characters after an AWS key id's prefix in alphabet `a`: whole, in groups of four (`AKIA Q3EG THV5 …`), the
 * whole id in groups of five (`AKIAQ-3EGTH-V5RJ7-YWU2P`), or with one space or dash at any one place
 * (`AKIAQ3EGTH V5RJ7YWU2P`), or a line break and indentation at one place (ONE_GAP): a model reads all of them.
 * The grouped forms are split by spaces or dashes, or all by one of `sep` (`AKIA.Q3EG.THV5…`, `AKIAQ_3EGTH_…`: what
 * the digits view reads between groups); the one-separator forms keep a space or dash, which prose fills. `mixed` (read case-insensitively): the whole form only when it holds a
 * digit, and no one-separator form, which mixed-case prose fills (`AsiaPacificMarketing`, `AsiaPacific Marketing`).
 * Bounded (fixed alternatives), so RE2 stays linear.
 */
function awsKeyBody(a: string, mixed = false, sep = '._/'): string {
  const kinds = ['[ -]', ...[...sep].map((c) => `\\${c}`)];
  const groups = `(?:${kinds.map((s) => `(?:${s}${a}{4}){4}`).join('|')})`;
  const fives = `(?:${kinds.map((s) => `${a}${s}${a}{5}${s}${a}{5}${s}${a}{5}`).join('|')})`;
  if (mixed) {
    const withDigit = Array.from({ length: 16 }, (_, k) => `[A-Z]{${k}}[0-9]${a}{${15 - k}}`.replace('[A-Z]{0}', ''));
    return `(?:${withDigit.join('|')}|${groups}|${fives})`;
  }
  const oneSeparator = Array.from({ length: 16 }, (_, k) =>
    `${a}{${k}}${ONE_GAP}${a}{${16 - k}}`.replace(`${a}{0}`, ''),
  );
  return `(?:${a}{16}|${groups}|${fives}|${oneSeparator.join('|')})`;
}

/** Every beginning of a key id of prefix AKIA or ASIA, with its separators, for stream scanners (types.ts partial). */
const AWS_KEY_BEGIN = '[ ._/-]?[A-Z0-9 ._/-]{0,19}';
const AWS_KEY_PARTIAL = `(?:${prefixOf('AKIA', AWS_KEY_BEGIN)}|${prefixOf('ASIA', AWS_KEY_BEGIN)})`;

/**
 * Long-term (AKIA) and temporary (ASIA) access key ids. No left boundary: a key glued to a word, a digit or capitals
 * (`keyAKIA…`, `1AKIA…`, `KEYAKIA…`) is still a key; only more upper-case letters or digits after its 20 characters
 * (a longer id) rule it out. Cost: a prefix inside a longer upper-case identifier that ends 16 characters later is
 * found.
 */
export const AWS_ACCESS_KEY: RecognizerDefinition = {
  type: 'AWS_ACCESS_KEY',
  category: 'SECRET',
  pattern: String.raw`((?:AKIA|ASIA)${awsKeyBody('[A-Z0-9]')})(?:[^A-Z0-9]|$)`,
  group: 1,
  partial: AWS_KEY_PARTIAL,
  validator: 'not_placeholder',
  normalizer: 'alphanumeric_upper',
  contextWords: ['aws', 'access key', 'access_key', 'key id', 'key_id'],
  baseScore: 90,
  contextScore: 100,
};

/**
 * The same key id written in lower case (a model can be asked to lower-case it, and to upper-case it back): the key
 * alphabet is upper base32, so a lower-case one is the same key; its fingerprint is the upper-cased key's
 * (alphanumeric_upper). The whole run is one case; more lower-case letters or digits after it rule it out.
 */
export const AWS_ACCESS_KEY_LOWER: RecognizerDefinition = {
  ...AWS_ACCESS_KEY,
  pattern: String.raw`((?:akia|asia)${awsKeyBody('[a-z0-9]', false, '._')})(?:[^a-z0-9]|$)`,
  partial: `(?:${prefixOf('akia', AWS_KEY_BEGIN.toLowerCase())}|${prefixOf('asia', AWS_KEY_BEGIN.toLowerCase())})`,
};

/**
 * The same key id in mixed case (`AkIaZ3mQwX…`: a model upper-cases it back): prefix and body of any case, and any
 * letter or digit after its 20 characters rules it out (a key of one case glued to a word of the other is the two
 * recognizers' above). Written whole it must hold a digit (about 96% of key ids do; CamelCase words starting `Asia`
 * do not), grouped it need not. Cost: a 20-character token of letters and digits starting `akia` or `asia` in any case
 * and holding a digit, with no letter or digit on its right, reads as a key id.
 */
export const AWS_ACCESS_KEY_MIXED: RecognizerDefinition = {
  ...AWS_ACCESS_KEY,
  pattern: String.raw`((?i:(?:AKIA|ASIA)${awsKeyBody('[A-Z0-9]', true, '._')}))(?:[^A-Za-z0-9]|$)`,
  partial: `(?i:${AWS_KEY_PARTIAL})`,
};

// Every beginning of `(?:aws[_ .-]?)?secret[_ .-]?(?:access[_ .-]?)?key…` and its value (no `\b`: the label may
// end a longer word).
const AWS_KEY_LABEL = prefixOf('key', String.raw`["']?\s*(?:[:=]|=>|is?)?\s*["']?[A-Za-z0-9/+]*`);
const AWS_ACCESS_LABEL = prefixOf('access', `[_ .-]?(?:${AWS_KEY_LABEL})?`);
const AWS_SECRET_LABEL = prefixOf('secret', `[_ .-]?(?:${AWS_ACCESS_LABEL}|${AWS_KEY_LABEL})?`);
const AWS_SECRET_PARTIAL = `(?i:${prefixOf('aws', `[_ .-]?(?:${AWS_SECRET_LABEL})?`)}|${AWS_SECRET_LABEL})`;

/** 40 base64 characters right after a label (`aws_secret_access_key = …`, `"SecretAccessKey": "…"`); the finding is the value. */
export const AWS_SECRET_KEY: RecognizerDefinition = {
  type: 'AWS_SECRET_KEY',
  category: 'SECRET',
  pattern: String.raw`(?i)(?:aws[_ .-]?)?secret[_ .-]?(?:access[_ .-]?)?key["']?\s*(?:[:=]|=>|is)?\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)`,
  partial: AWS_SECRET_PARTIAL,
  group: 1,
  validator: 'aws_secret_key',
  baseScore: 90,
};

/**
 * A vendor token: its documented prefix, a partial (types.ts) for stream scanners, and the vendor's name as context.
 * Distinctive prefixes (gh?_, glpat-, AIza, npm_, SG.) have no left `\b`: a token glued to a digit or a word
 * (`9ghp_…`) is still one, and the body's length and alphabet still decide. Stripe's, OpenAI's and Slack's keep it
 * (`network_test_…`, `task-…` are identifiers; an e-mail address glued to `xoxb-…` is the stream scanner's test).
 */
function vendor(type: string, pattern: string, partial: string, words: string[] = []): RecognizerDefinition {
  return {
    type,
    category: 'SECRET',
    pattern,
    partial,
    validator: 'not_placeholder',
    contextWords: words,
    baseScore: 95,
    contextScore: 100,
  };
}

export const GITHUB_TOKEN = vendor(
  'GITHUB_TOKEN',
  String.raw`(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b`,
  `(?:${prefixOf('gh', '[pousr](?:_[A-Za-z0-9]*)?')}|${prefixOf('github_pat_', '[A-Za-z0-9_]*')})`,
  ['github', 'token'],
);
export const GITLAB_TOKEN = vendor(
  'GITLAB_TOKEN',
  String.raw`glpat-[0-9A-Za-z_-]{20,50}\b`,
  `${prefixOf('glpat-', '[0-9A-Za-z_-]*')}`,
  ['gitlab'],
);
export const SLACK_TOKEN = vendor(
  'SLACK_TOKEN',
  String.raw`\b(?:xox[abposr]-\d{6,}-[0-9A-Za-z-]{8,200}|xapp-\d-[A-Z0-9]{6,}-\d{6,}-[a-f0-9]{32,80})\b`,
  `\\b(?:${prefixOf('xox', '[abposr](?:-[0-9A-Za-z-]*)?')}|${prefixOf('xapp-', '[0-9A-Za-z-]*')})`,
  ['slack'],
);
export const SLACK_WEBHOOK = vendor(
  'SLACK_WEBHOOK',
  String.raw`https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,12}/[A-Z0-9]{6,12}/[A-Za-z0-9]{16,40}`,
  prefixOf('https://hooks.slack.com/', '[A-Za-z0-9/]*'),
  ['slack', 'webhook'],
);
export const STRIPE_SECRET_KEY = vendor(
  'STRIPE_SECRET_KEY',
  String.raw`\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,247}\b`,
  `\\b(?:${['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'].map((p) => prefixOf(p, '[0-9A-Za-z]*')).join('|')})`,
  ['stripe'],
);
export const OPENAI_API_KEY = vendor(
  'OPENAI_API_KEY',
  String.raw`\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200}\b`,
  `\\b${prefixOf('sk-', '[A-Za-z0-9_-]*')}`,
  ['openai'],
);
export const ANTHROPIC_API_KEY = vendor(
  'ANTHROPIC_API_KEY',
  String.raw`\bsk-ant-(?:api|admin|oat)\d{2}-[A-Za-z0-9_-]{80,120}\b`,
  `\\b${prefixOf('sk-', '[A-Za-z0-9_-]*')}`,
  ['anthropic', 'claude'],
);
export const GOOGLE_API_KEY = vendor(
  'GOOGLE_API_KEY',
  String.raw`AIza[0-9A-Za-z_-]{35}\b`,
  `${prefixOf('AIza', '[0-9A-Za-z_-]*')}`,
  ['google', 'gcp', 'firebase'],
);
export const NPM_TOKEN = vendor('NPM_TOKEN', String.raw`npm_[A-Za-z0-9]{36}\b`, `${prefixOf('npm_', '[A-Za-z0-9]*')}`, [
  'npm',
]);
export const SENDGRID_API_KEY = vendor(
  'SENDGRID_API_KEY',
  String.raw`SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b`,
  `${prefixOf('SG.', String.raw`[A-Za-z0-9_-]{0,22}(?:\.[A-Za-z0-9_-]*)?`)}`,
  ['sendgrid'],
);

/** A PEM/OpenSSH/PGP private key block, BEGIN to END; a block cut off before END runs to the end of the text. */
export const PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?s:.)*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)`,
  partial: prefixOf('-----BEGIN ', '[A-Z0-9 ]*-{0,5}'),
  validator: 'private_key',
  baseScore: 100,
};

export const JWT: RecognizerDefinition = {
  type: 'JWT',
  category: 'SECRET',
  pattern: String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`,
  partial: `\\b${prefixOf('eyJ', '[A-Za-z0-9_.-]*')}`,
  validator: 'jwt',
  contextWords: ['bearer', 'token', 'jwt', 'authorization'],
  baseScore: 90,
  contextScore: 100,
};

/** A value after a credential label (`api_key = …`, `"client_secret": "…"`, `Bearer …`) that looks random. */
export const GENERIC_API_KEY: RecognizerDefinition = {
  type: 'GENERIC_API_KEY',
  category: 'SECRET',
  pattern: String.raw`(?i:\b(?:api[_-]?key|apikey|api[_-]?secret|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|private[_-]?token|refresh[_-]?token|bearer|token|secret|password|passwd|x-api-key)\b)["']?\s*(?:[:=]|=>|:=)?\s*["']?([A-Za-z0-9_\-./+=~]{16,256})`,
  partial: [
    String.raw`\b[A-Za-z][A-Za-z_-]{0,16}`,
    String.raw`(?i:\b(?:api[_-]?key|apikey|api[_-]?secret|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|private[_-]?token|refresh[_-]?token|bearer|token|secret|password|passwd|x-api-key)\b)["']?\s*(?:[:=]|=>|:=?)?\s*["']?[A-Za-z0-9_\-./+=~]*`,
  ].join('|'),
  group: 1,
  validator: 'high_entropy',
  fallback: true,
  baseScore: 70,
};

// Also at the end of a longer name (`smtp_password`, `db-passwd`).
const PASSWORD_WORDS = [
  'password',
  'passwd',
  'passwort',
  'kennwort',
  'pwd',
  'passphrase',
  'mot de passe',
  'contraseña',
  'contrasena',
  'senha',
  'wachtwoord',
  'lösenord',
  'şifre',
  'parola',
];
const PASSWORD_LABEL = `(?i:(?:\\b|[_-])(?:${PASSWORD_WORDS.join('|')}))`;

/** A password after its label (`password: Tr0ub4dor&3`, `Passwort = …`), symbols included; the finding is the value. */
export const PASSWORD: RecognizerDefinition = {
  type: 'PASSWORD',
  category: 'SECRET',
  pattern: String.raw`${PASSWORD_LABEL}["']?[ \t]*(?:[:=]|=>|:=|(?i:is))[ \t]*["']?([^\s"'<>]{8,64})`,
  partial: `(?i:(?:\\b|[_-])(?:${PASSWORD_WORDS.map((w) => prefixOf(w)).join('|')}))|${PASSWORD_LABEL}${String.raw`["']?[ \t]*(?:[:=]|=>|:=?|(?i:is?))?[ \t]*["']?[^\s"'<>]*`}`,
  group: 1,
  validator: 'password',
  contextWords: ['password', 'passwd', 'pwd', 'credentials', 'login'],
  baseScore: 85,
  contextScore: 90,
  // An RE2.Set of its own, as the URL one below: in the combined set, the URL one's bounded runs after each word
  // boundary (`+` and `/` in base64) multiplied the other patterns' DFA states (1 MB of base64 image: ~8x slower).
  separateSet: true,
};

/**
 * The password in a URL's user info (`postgres://app:s3cr3t-P4ss@db:5432/x`, or without a user as Redis writes it:
 * `redis://:s3cr3t@cache:6379`); the finding is the password.
 */
export const URL_PASSWORD: RecognizerDefinition = {
  type: 'PASSWORD',
  category: 'SECRET',
  pattern: String.raw`\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@"'<>]{0,64}:([^\s/@"'<>]{3,128})@[A-Za-z0-9.-]`,
  partial: String.raw`\b[A-Za-z][A-Za-z0-9+.-]{0,20}(?::(?:/(?:/[^\s/@"'<>]*(?::[^\s/@"'<>]*@?)?)?)?)?`,
  group: 1,
  validator: 'not_placeholder',
  contextWords: ['password', 'database', 'connection', 'dsn', 'url'],
  baseScore: 90,
  contextScore: 95,
  // Its own RE2.Set, read only around each `://` (anchors.ts): prose without a URL skips it, and a URL costs a window.
  separateSet: true,
};

/**
 * The credential words an environment-style name ends in (`…_TOKEN`, `…_API_KEY`): ENV_SECRET's pattern and partial.
 */
const ENV_CREDENTIAL_WORDS =
  'token|secret|api_?key|access_?key|secret_?key|private_?key|key|password|passwd|pwd|pass|auth|credentials?';

/**
 * A value assigned to an environment-style name that ends in a credential word (`GITHUB_TOKEN=…`,
 * `STRIPE_SECRET=…`, `OPENAI_API_KEY: …`): high entropy or a password's mix. A catch-all, like GENERIC_API_KEY.
 */
export const ENV_SECRET: RecognizerDefinition = {
  type: 'GENERIC_API_KEY',
  category: 'SECRET',
  pattern: String.raw`\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*_(?i:${ENV_CREDENTIAL_WORDS})["']?[ \t]*(?:=|:)[ \t]*["']?([^\s"'#;,]{8,256})`,
  // Any name may still grow into `…_TOKEN`; past a name that ends in a credential word, its value may still be
  // arriving. A name that ends in another word cannot become one once a quote, blank or separator follows it
  // (`echo: `, `Note: ` are not held until the next word ends).
  partial: String.raw`\b[A-Za-z0-9]+(?:_[A-Za-z0-9]*)*(?:_(?i:${ENV_CREDENTIAL_WORDS})["']?[ \t]*(?:[=:][ \t]*["']?[^\s"'#;,]*)?)?`,
  group: 1,
  validator: 'secret_value',
  fallback: true,
  baseScore: 80,
};

export {
  JWK_PRIVATE_KEY,
  JWK_PRIVATE_KEY_BASE64,
  JWK_PRIVATE_KEY_LINE,
  JWK_PRIVATE_KEY_SECTION,
  PUTTY_PRIVATE_KEY,
  RSA_PRIVATE_KEY_PAIR,
  XML_RSA_PRIVATE_KEY,
} from './recognizers-key-files.ts';
