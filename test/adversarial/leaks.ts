// The leak oracle: does a planted secret appear in some bytes, in its raw form or a common encoding? Bytes are read
// through several views (UTF-8 text; JSON escapes decoded; Unicode decimal digits as ASCII; NFKC; every base64, hex and
// percent-encoded run decoded; a stream's deltas joined per field) and a secret matches with up to three
// non-alphanumeric characters between any two of its characters (so "219 09 9999", "219\u201109\u20119999" or
// "2.1.9…" written in any digits still count).

/** A secret a suite plants, and what counts as finding it again. */
export interface Planted {
  label: string;
  value: string;
}

export const SSN: Planted = { label: 'US_SSN', value: '219-09-9999' };
/** Personal data the default policy redacts (not denies) for an upstream without zero data retention. */
export const EMAIL: Planted = { label: 'EMAIL', value: 'anna.berg@lakeshore-bank.com' };
/** Not AWS's documented example key (AKIAIOSFODNN7EXAMPLE is a placeholder the classifier rightly ignores). */
export const AWS_KEY: Planted = { label: 'AWS_ACCESS_KEY', value: 'AKIAZ3MQWXR5TLPB6Y7N' };
/** The key upstreams answer with (distinct from the request-side one, so each side's scan has one origin). */
export const ANSWER_KEY: Planted = { label: 'AWS_ACCESS_KEY (answer)', value: 'AKIA7UWK72QGS5IW4OM2' };

/** The answer key written to slip past a recognizer, as the model's text. */
export const ANSWER_EVASIONS: readonly [string, string][] = [
  ['glued to a word', `password${ANSWER_KEY.value}please`],
  ['base64-encoded', Buffer.from(`aws ${ANSWER_KEY.value}`).toString('base64')],
  ['hex-encoded', Buffer.from(`aws ${ANSWER_KEY.value}`).toString('hex')],
  ['with zero-width spaces inside', [...ANSWER_KEY.value].join('\u200b')],
  ['with soft hyphens inside', `${ANSWER_KEY.value.slice(0, 10)}\u00ad${ANSWER_KEY.value.slice(10)}`],
  ['in fullwidth letters', [...ANSWER_KEY.value].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('')],
  ['with a NUL inside', `${ANSWER_KEY.value.slice(0, 8)}\u0000${ANSWER_KEY.value.slice(8)}`],
];

const GAP = '[^0-9A-Za-z]{0,3}';

function matcher(secret: string): RegExp {
  const core = [...secret].filter((c) => /[0-9A-Za-z]/.test(c)).map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(core.join(GAP), 'i');
}

/** Each Unicode decimal digit as its ASCII digit (a digit's value is its distance from the start of its run). */
function asciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, (digit) => {
    let code = digit.codePointAt(0) ?? 0;
    let value = 0;
    while (/\p{Nd}/u.test(String.fromCodePoint(code - 1)) && value < 1000) {
      code -= 1;
      value += 1;
    }
    return String(value % 10);
  });
}

function unescapeJson(text: string): string {
  return text
    .replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    .replace(/\\([nrtbf"/\\])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' })[c] ?? c);
}

function decodedRuns(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(/[A-Za-z0-9+/_-]{12,}={0,2}/g) ?? []) {
    out.push(Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
    // A run that starts off a 4-character boundary (base64 glued to a word): every alignment.
    for (let skip = 1; skip < 4; skip += 1) out.push(Buffer.from(run.slice(skip), 'base64').toString('utf8'));
  }
  for (const run of text.match(/(?:[0-9a-fA-F]{2}){8,}/g) ?? []) out.push(Buffer.from(run, 'hex').toString('utf8'));
  for (const run of text.match(
    /(?:%[0-9a-fA-F]{2}|[^%\s"]){0,200}%[0-9a-fA-F]{2}(?:%[0-9a-fA-F]{2}|[^%\s"]){0,200}/g,
  ) ?? []) {
    out.push(run.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))));
  }
  return out;
}

/**
 * A stream's texts reassembled: every string leaf of every `data:` event, grouped by its path (array indices left
 * out) and joined in order, so a value cut into deltas across events reads whole again.
 */
function streamTexts(text: string): string[] {
  const groups = new Map<string, string[]>();
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') groups.set(path, [...(groups.get(path) ?? []), value]);
    else if (Array.isArray(value)) value.forEach((v) => walk(v, path));
    else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
  };
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    try {
      walk(JSON.parse(line.slice(5)), '');
    } catch {
      // not JSON ([DONE], or a broken event): the raw views still see it
    }
  }
  return [...groups.values()].map((parts) => parts.join(''));
}

/** The texts a secret is looked for in. */
export function views(bytes: Buffer | string): string[] {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  const plain = unescapeJson(text);
  const streamed = text.includes('data:') ? streamTexts(text) : [];
  const first = [text, plain, asciiDigits(plain), plain.normalize('NFKC'), ...streamed, ...streamed.map(asciiDigits)];
  const decoded = decodedRuns(plain).flatMap((d) => [d, asciiDigits(unescapeJson(d))]);
  return [...first, ...decoded];
}

/** The labels of the secrets found in the bytes (empty: no leak). */
export function leaksIn(bytes: Buffer | string, secrets: readonly Planted[]): string[] {
  const all = views(bytes);
  return secrets.filter((s) => all.some((view) => matcher(s.value).test(view))).map((s) => s.label);
}

/** True when every fragment of a split value is in the bytes (each alone may be harmless; together they leak). */
export function allFragmentsIn(bytes: Buffer | string, fragments: readonly string[]): boolean {
  const all = views(bytes);
  return fragments.every((f) => all.some((view) => matcher(f).test(view)));
}
