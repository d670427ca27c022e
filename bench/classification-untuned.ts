// Text nobody tuned the classifier on (issue 18, session 17): the READMEs of the installed packages
// (node_modules/*/README.md in name order, concatenated, repeated to size) and stories generated here from a fixed seed
// and word lists of their own (people everywhere: he, she, said, told, his wife, a first name on every line). Two
// modes, one process each:
//   node bench/classification-untuned.ts [rounds]            CPU time a call of this tree's classifier, 8 KB to 1 MB
//   node bench/classification-untuned.ts --against <dir> [rounds]
//       this tree against another checkout's src/ (<dir>/src/classification/index.ts), rounds in turns, after an
//       oracle: both MUST give identical findings on the dev half, the corpus, and every prompt timed.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClassifier } from '../src/classification/index.ts';
import { repeatedTo, seededRandom } from './classification-prose.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `bytes` of the installed packages' READMEs (top-level packages, name order), repeated as needed. */
export function packageReadmes(bytes: number): string {
  const modules = join(ROOT, 'node_modules');
  const texts: string[] = [];
  for (const name of readdirSync(modules).sort()) {
    try {
      texts.push(readFileSync(join(modules, name, 'README.md'), 'utf8'));
    } catch {
      // No README (or a scope folder): nothing to read.
    }
  }
  return repeatedTo(texts.join('\n'), bytes);
}

const FIRST = ['Tom', 'Ellen', 'Marcus', 'Priya', 'Samuel', 'Ingrid', 'Tariq', 'Lucy', 'Dmitri', 'Ana', 'Kofi'];
const LAST = ['Harper', 'Bianchi', 'Osei', 'Fairweather', 'Novak', 'Yamada', 'Delacroix', 'Abiodun', 'Quinn'];
const TOWNS = ['Leeds', 'Tampere', 'Porto', 'Galway', 'Kraków', 'Adelaide', 'Halifax', 'Accra', 'Utrecht'];
const THINGS = [
  'the old mill',
  'a letter',
  'the harvest',
  'his bicycle',
  'the wedding',
  'a broken clock',
  'the bakery',
];
const KIN = ['wife', 'husband', 'sister', 'brother', 'daughter', 'son', 'neighbour', 'teacher', 'friend'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

type Pick = (words: readonly string[]) => string;

/** Story sentences: people, their kin and what they said; a first name on most, a full name in one of four. */
const LINES: readonly ((p: Pick) => string)[] = [
  (p) => `${p(FIRST)} told his ${p(KIN)} that ${p(THINGS)} in ${p(TOWNS)} was not for sale. `,
  (p) => `"I never said that," she said, and ${p(FIRST)} laughed at her. `,
  (p) => `On ${p(WEEKDAYS)} ${p(FIRST)} ${p(LAST)} came back from ${p(TOWNS)} with ${p(THINGS)}. `,
  (p) => `Her ${p(KIN)} said he had seen ${p(FIRST)} near ${p(THINGS)} the night before. `,
  (p) => `They met ${p(FIRST)} and ${p(FIRST)} at the station in ${p(TOWNS)}; he asked about ${p(THINGS)}. `,
  (p) => `Mrs ${p(LAST)} wrote to her ${p(KIN)} every ${p(WEEKDAYS)}, and he never answered.\n\n`,
  (p) => `"Where is ${p(FIRST)}?" asked the ${p(KIN)}. Nobody in ${p(TOWNS)} knew, she said. `,
];

/** `bytes` of generated stories (mulberry32 from a fixed seed: the same text every run; ASCII but a town or two). */
export function stories(bytes: number): string {
  const random = seededRandom(0x51a7e5);
  const pick: Pick = (words) => words[Math.floor(random() * words.length)] as string;
  let text = '';
  // Each line's UTF-8 length counted as it is added: measuring the whole text again each line was quadratic.
  for (let length = 0; length < bytes; ) {
    const line = (LINES[Math.floor(random() * LINES.length)] as (p: Pick) => string)(pick);
    text += line;
    length += Buffer.byteLength(line);
  }
  return repeatedTo(text, bytes);
}

type Classify = (text: string) => unknown;

function classifierOf(create: typeof createClassifier): { classify: Classify; findings: (text: string) => string } {
  const classifier = create({ fingerprintKey: new Uint8Array(32).fill(7) });
  const run = (text: string) => classifier.classify([{ path: 'messages[0].content', text }]);
  return { classify: run, findings: (text) => JSON.stringify(run(text).findings) };
}

/** CPU ms a call of `run` over `calls` calls (process.threadCpuUsage). */
function cpuMs(run: () => unknown, calls: number): number {
  const start = process.threadCpuUsage();
  for (let i = 0; i < calls; i += 1) run();
  const used = process.threadCpuUsage(start);
  return (used.user + used.system) / 1000 / calls;
}

const SIZES = { '8kb': 8 * 1024, '64kb': 64 * 1024, '1mb': 1024 * 1024 } as const;
const CALLS = { '8kb': 40, '64kb': 8, '1mb': 1 } as const;

function prompts(): [string, string, number][] {
  const out: [string, string, number][] = [];
  for (const [size, bytes] of Object.entries(SIZES)) {
    const calls = CALLS[size as keyof typeof CALLS];
    out.push([`stories_${size}`, stories(bytes), calls], [`readmes_${size}`, packageReadmes(bytes), calls]);
  }
  return out;
}

/** The texts the oracle compares on: the dev half (each sample alone), the corpus documents, the prompts. */
function oracleTexts(): string[] {
  const dev = readFileSync(join(ROOT, 'test/fixtures/quality/dev.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { text: string }).text);
  const corpus = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/classification/corpus.json'), 'utf8')) as {
    documents: { text: string }[];
  };
  const marked = /⟦[A-Z_]+\|([^⟧]*)⟧/g;
  return [...dev, ...corpus.documents.map((d) => d.text.replace(marked, '$1')), ...prompts().map(([, text]) => text)];
}

const range = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(3);
  return `${f(s[0] as number)}-${f(s[Math.floor(s.length / 2)] as number)}-${f(s[s.length - 1] as number)}`;
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const against = args[0] === '--against' ? args[1] : undefined;
  const rounds = Number((against === undefined ? args[0] : args[2]) ?? 5);
  const mine = classifierOf(createClassifier);
  const variants: [string, ReturnType<typeof classifierOf>][] = [['this', mine]];
  if (against !== undefined) {
    const url = pathToFileURL(resolve(against, 'src/classification/index.ts')).href;
    const other = (await import(url)) as { createClassifier: typeof createClassifier };
    variants.unshift(['other', classifierOf(other.createClassifier)]);
    const texts = oracleTexts();
    let differ = 0;
    for (const text of texts) if (mine.findings(text) !== variants[0]?.[1].findings(text)) differ += 1;
    console.log(JSON.stringify({ oracle_texts: texts.length, differ }));
    if (differ > 0) process.exitCode = 1;
  }
  const all = prompts();
  const times = new Map<string, number[]>();
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, text, calls] of all) {
      for (const [variant, c] of round % 2 === 0 ? variants : [...variants].reverse()) {
        c.classify(text); // warm
        const key = `${name} ${variant}`;
        times.set(key, [...(times.get(key) ?? []), cpuMs(() => c.classify(text), calls)]);
      }
    }
  }
  const report: Record<string, string> = {};
  for (const [key, ms] of times) report[key] = `${range(ms)} ms`;
  for (const [variant] of variants) {
    for (const kind of ['stories', 'readmes']) {
      const per = (size: keyof typeof SIZES) =>
        Math.min(...(times.get(`${kind}_${size} ${variant}`) ?? [])) / SIZES[size];
      report[`${kind} ${variant} per KB 1mb/8kb`] = (per('1mb') / per('8kb')).toFixed(2);
    }
  }
  console.log(JSON.stringify({ rounds, load: (await import('node:os')).loadavg(), ...report }, null, 1));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
