// Round 14 of the attacker's review (session 16), values in the forms configuration files and data exports write them:
// a YAML folded block scalar (`>-` joins its lines with one space), a TOML multi-line string whose line-ending `\`
// drops the break and the next line's indentation, a Java .properties value continued by `\`, a JSON member whose
// name holds a `\u` escape (`"\u0073sn"` is `"ssn"` to every JSON reader), and an SSN's digits as number words in
// German and French. A model reads each as the value. Controls (held): quoted-printable with a soft break, percent
// escapes mixed with HTML entities, invisible characters between the key's characters (U+180E, the soft hyphen), a
// CSV with a BOM, a Markdown table whose cells are inline code, the SSN in Arabic-Indic digits, and a YAML folded
// block of the SSN's groups.
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';
import { AWS } from './round7-helpers.ts';
import { isForwarded, isRelayed } from './round9-helpers.ts';

const KEY = AWS.value;
const [K1, K2] = [KEY.slice(0, 10), KEY.slice(10)];
const qp = (s: string) => [...Buffer.from(s)].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
/** `s` with its characters as %XX and &#NN; in turn. */
const percentAndEntities = (s: string) =>
  [...s].map((c, i) => (i % 2 ? `&#${c.charCodeAt(0)};` : `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('');

describe('an AWS key id continued over lines as config files write it', () => {
  it('control: the key on one YAML, TOML or .properties line is refused', async () => {
    expect(await isForwarded(`aws:\n  access_key_id: ${KEY}\n`)).toBe(false);
    expect(await isForwarded(`aws_key = """${KEY}"""`)).toBe(false);
    expect(await isForwarded(`aws.accessKeyId=${KEY}`)).toBe(false);
  });

  // HOLE closed in src/classification/recognizers-secrets.ts (awsKeyBody's ONE_GAP): one space anywhere in the key was
  // read through, a line break and indentation were not; YAML's `>-` folds the two lines to `AKIAZ3MQWX R5TLPB6Y7N`,
  // TOML's `\` at a line's end and .properties' `\` continuation drop the break and the indentation. A line break with
  // the next line's indentation (32 blanks at most), a `\` before it or not, is now the one gap, as the space is.
  it.each([
    ["YAML's folded block scalar", `aws:\n  access_key_id: >-\n    ${K1}\n    ${K2}\n`],
    ["TOML's line-ending backslash", `aws_key = """\n${K1}\\\n    ${K2}"""`],
    ['a .properties continuation', `aws.accessKeyId=${K1}\\\n        ${K2}`],
  ])('the key in %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // HOLE closed in src/classification/recognizers-secrets.ts: the answer's screen reads the same classifier.
  it('an answer holding the key in a .properties continuation is withheld', async () => {
    expect(await isRelayed(`aws.accessKeyId=${K1}\\\n        ${K2}`, K2)).toBe(false);
  });
});

describe('lines continued that hold no key (controls, forwarded)', () => {
  it.each([
    [
      "AWS's documented placeholder id in a .properties continuation",
      'aws.accessKeyId=AKIAIOSFOD\\\n        NN7EXAMPLE',
    ],
    ['a prefix at a line end and prose on the next', 'Key ids start with AKIA\n    and sixteen more characters.'],
    ['a short id and a word in a folded block', 'region: >-\n    ASIAPACIFIC\n    SINGAPORE1\n'],
  ])('control: %s is forwarded', async (_name, text) => {
    expect(await isForwarded(text)).toBe(true);
  });
});

describe('encodings and invisible characters in new places (held)', () => {
  it.each([
    ['quoted-printable with a soft line break', `aws=20${qp(KEY).slice(0, 30)}=\n${qp(KEY).slice(30)}`],
    ['percent escapes and HTML entities in turn', `aws ${percentAndEntities(KEY)}`],
    ['U+180E between its characters', [...KEY].join('\u180e')],
    ['a soft hyphen between its characters', [...KEY].join('\u00ad')],
  ])('control: the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});

describe("an SSN's context word or digits one step aside", () => {
  // HOLE closed in src/classification/decode-escapes.ts (jsonNameEscapes): a `\u` escape was decoded only in runs of
  // escapes; one escape inside a JSON member's name (`"\u0073sn"`, `"s\u0073n"`, what a JSON writer that escapes
  // non-alphanumerics or a hostile tool emits) left the name no context word, so the bare nine digits were no SSN. A
  // member whose name holds an escape is now read as its name decoded and its value.
  it.each([
    ['\\u0073sn', '{"name":"John Smith","\\u0073sn":"219099999"}'],
    ['s\\u0073n', '{"name":"John Smith","s\\u0073n":"219099999"}'],
  ])('a JSON member named %s holding nine digits is redacted', async (_name, text) => {
    expect(await upstreamHolds(text, '219099999')).toBe(false);
  });

  it.each([
    ['\\u0063ount', '{"item":"bolts","\\u0063ount":"219099999"}', '219099999'],
    ['\\u0073sn with a word', '{"\\u0073sn":"not on file","name":"John Smith"}', 'not on file'],
  ])('control: a JSON member named %s with no SSN is forwarded whole', async (_name, text, probe) => {
    expect(await upstreamHolds(text, probe)).toBe(true);
  });

  // HOLE (open, documented limit "numbers written as words", docs/classification.md, here in other languages): an
  // SSN spelled digit by digit in German or French words reaches the model, which reads it back at once. Fix: a
  // digits view of number words (zero-nine in the languages the context words know; moderate).
  it.fails.each([
    [
      'German',
      'Sozialversicherungsnummer (SSN): zwei eins neun - null neun - neun neun neun neun',
      'neun neun neun neun',
    ],
    ['French', 'SSN : deux un neuf - zéro neuf - neuf neuf neuf neuf', 'neuf neuf neuf neuf'],
  ])('an SSN in %s number words is redacted', async (_name, text, probe) => {
    expect(await upstreamHolds(text, probe)).toBe(false);
  });

  it.each([
    ['a CSV with a BOM', '\ufeffname,ssn\nJohn Smith,219099999\nMaria Garcia,536221234\n', '536221234'],
    [
      'a Markdown table of inline code',
      '| name | ssn |\n|---|---|\n| John Smith | `219099999` |\n| Maria Garcia | `536221234` |',
      '536221234',
    ],
    ['Arabic-Indic digits', 'SSN: ٢١٩-٠٩-٩٩٩٩', '٩٩٩٩'],
    [
      'a YAML folded block of its groups',
      'employee:\n  name: John Smith\n  ssn: >-\n    219\n    09\n    9999',
      '9999',
    ],
  ])('control: an SSN in %s is redacted', async (_name, text, probe) => {
    expect(await upstreamHolds(text, probe)).toBe(false);
  });
});
