// Real prose for the classifier bench (issue 18): news text dense with people (he, his, said and capitalised words on
// every line: PERSON_NAME_SINGLE's worst everyday case) and this repository's Markdown docs (code fences, tables,
// links, digits), at 8 KB, 64 KB and 1 MB; and where a call's CPU time goes on them (`proseBreakdown`: normalisation,
// the which-can-match sets, each recognizer of the main view, the digits view, decoding). The news text is generated
// here from a fixed seed and word lists of its own (not from the quality set, so nothing is tuned against it).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileRecognizers } from '../src/classification/compile.ts';
import { createDecodeBudget, decodedRuns } from '../src/classification/decode.ts';
import { digitIslands } from '../src/classification/digit-view.ts';
import { createClassifier } from '../src/classification/index.ts';
import { matchesOf } from '../src/classification/matching.ts';
import { normalizeText } from '../src/classification/normalize.ts';
import { candidatesOf, createWordFinder, recognizerSet } from '../src/classification/recognizer-sets.ts';
import * as builtIns from '../src/classification/recognizers.ts';
import * as nameRecognizers from '../src/classification/person-names.ts';
import { DEFAULT_RECOGNIZERS } from '../src/classification/recognizers.ts';

const GIVEN = ['James', 'Mary', 'Robert', 'Linda', 'Ahmed', 'Chen', 'Olga', 'Pedro', 'Fatima', 'Hiroshi', 'Grace'];
const FAMILY = ['Thompson', 'Okafor', 'Lindqvist', 'Moreau', 'Kowalski', 'Nakamura', 'Brennan', 'Haddad', 'Silva'];
const PLACES = ['Brussels', 'Nairobi', 'Ottawa', 'Lisbon', 'Jakarta', 'Denver', 'Manchester', 'Geneva', 'Osaka'];
const BODIES = ['the Senate', 'the European Commission', 'Parliament', 'the Treasury', 'the World Bank', 'NATO'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'March', 'June', 'September', 'November'];
const TOPICS = ['the budget', 'the new trade rules', 'the strike', 'the election', 'flood defences', 'the merger'];
const ROLES = ['minister', 'spokeswoman', 'chief executive', 'mayor', 'senator', 'union leader', 'economist'];

/** News sentences: who said what where and when, pronouns and capitalised words everywhere, a name in one of three. */
const SENTENCES: readonly ((p: Pick) => string)[] = [
  (p) => `${p(GIVEN)} ${p(FAMILY)}, the ${p(ROLES)}, said on ${p(DAYS)} that ${p(TOPICS)} would be delayed. `,
  (p) => `Speaking in ${p(PLACES)} on ${p(DAYS)}, the ${p(ROLES)} told reporters he had not been consulted. `,
  (p) => `"We will not accept this," she said, adding that her office in ${p(PLACES)} had written to ${p(BODIES)}. `,
  (p) => `His predecessor resigned in ${p(MONTHS)} after a row with ${p(BODIES)} over ${p(TOPICS)} in ${p(PLACES)}. `,
  (p) => `Officials in ${p(PLACES)} and ${p(PLACES)} said talks with ${p(BODIES)} would resume on ${p(DAYS)}. `,
  (p) => `According to ${p(FAMILY)}, the ${p(ROLES)} of ${p(PLACES)}, his team expects a vote by ${p(MONTHS)}. `,
  (p) => `Critics said she had misjudged ${p(TOPICS)}; her deputy in ${p(PLACES)} called it "a serious mistake". `,
  (p) => `The ${p(ROLES)} told ${p(BODIES)} on ${p(DAYS)} that he would travel to ${p(PLACES)} next week.\n\n`,
  (p) => `In ${p(MONTHS)} the Ministry of Finance said it would review ${p(TOPICS)} with the Central Bank. `,
];

type Pick = (words: readonly string[]) => string;

/** `bytes` of generated news text (mulberry32 from a fixed seed: the same text every run). */
export function newsProse(bytes: number): string {
  const random = seededRandom(0x5eed18);
  const pick: Pick = (words) => words[Math.floor(random() * words.length)] as string;
  let text = '';
  while (text.length < bytes) text += (SENTENCES[Math.floor(random() * SENTENCES.length)] as (p: Pick) => string)(pick);
  return text.slice(0, bytes); // ASCII: one byte a character
}

/** mulberry32 from `seed`: numbers in [0, 1), the same sequence every run. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DOCS = join(fileURLToPath(new URL('..', import.meta.url)), 'docs');

/** `bytes` of this repository's docs/*.md (name order), concatenated and repeated as needed, cut at a character. */
export function markdownDocs(bytes: number): string {
  const files = readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .sort();
  return repeatedTo(files.map((f) => readFileSync(join(DOCS, f), 'utf8')).join('\n'), bytes);
}

/** `unit` repeated to `bytes` bytes of UTF-8, cut at a character. */
export function repeatedTo(unit: string, bytes: number): string {
  let text = '';
  while (Buffer.byteLength(text) < bytes) text += unit;
  return Buffer.from(text)
    .subarray(0, bytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

/** CPU ms of `run` a call: the lowest of `rounds` rounds of `calls` calls (the least disturbed by neighbours). */
function cpuMs(run: () => unknown, calls: number, rounds = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round += 1) {
    const start = process.threadCpuUsage();
    for (let i = 0; i < calls; i += 1) run();
    const used = process.threadCpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000 / calls);
  }
  return Math.round(best * 1000) / 1000;
}

/**
 * Where a classify call's CPU time goes on `text` (one segment, built-in set), each part timed alone as the classifier
 * runs it: `normalize`, `sets` (which recognizers can match: RE2.Sets and the context words), `recognizers` (each one
 * that runs on the main view: its matches, validation included; context checks are not), `digits_view` (its islands)
 * and `decode`; `classify` is the whole call, for comparison (the parts do not add up to it exactly).
 */
export function proseBreakdown(text: string, calls: number): Record<string, unknown> {
  const recognizers = compileRecognizers(DEFAULT_RECOGNIZERS, { fictional: false });
  const all = recognizerSet(recognizers);
  if (all === undefined) throw new Error('no recognizers');
  const wordsPresent = createWordFinder(recognizers.filter((r) => r.requireContext).flatMap((r) => r.contextWords));
  const normalized = normalizeText(text);
  const bytes = Buffer.from(normalized.text, 'utf8');
  const mayReport = (present: ReadonlySet<string>) => (r: (typeof recognizers)[0]) =>
    !r.requireContext || r.contextWords.some((w) => present.has(w));
  const running = () => candidatesOf(all, bytes, mayReport(wordsPresent(normalized.text, bytes)));
  const perRecognizer: Record<string, number> = {};
  for (const r of running()) {
    const definition = DEFAULT_RECOGNIZERS[recognizers.indexOf(r)];
    const name = Object.entries({ ...builtIns, ...nameRecognizers }).find(([, d]) => d === definition)?.[0] ?? r.type;
    perRecognizer[name] = cpuMs(() => matchesOf(r, bytes, new Map()), calls);
  }
  const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
  const segments = [{ path: 'messages[0].content', text }];
  const sorted = Object.entries(perRecognizer).sort((a, b) => b[1] - a[1]);
  return {
    findings: classifier.classify(segments).findings.length,
    classify: cpuMs(() => classifier.classify(segments), calls),
    normalize: cpuMs(() => normalizeText(text), calls),
    sets: cpuMs(running, calls),
    recognizers: Object.fromEntries(sorted.filter(([, ms]) => ms >= 0.01)),
    digits_view: cpuMs(() => digitIslands(normalized), calls),
    decode: cpuMs(() => decodedRuns(normalized, createDecodeBudget(text.length)), calls),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const size = Number(process.argv[2] ?? 65_536);
  console.log(
    JSON.stringify(
      { news: proseBreakdown(newsProse(size), 50), markdown: proseBreakdown(markdownDocs(size), 50) },
      null,
      2,
    ),
  );
}
