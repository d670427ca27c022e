// Pattern-aware release: for every built-in recognizer, values from the labelled corpus embedded in prose (with and
// without context words) and split at every position, char by char and at random, are reported by the stream
// scanner exactly as classifying the whole text reports them, in the one chunk that holds all of their characters.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createClassifier,
  createStreamScanner,
  DEFAULT_RECOGNIZERS,
  type Classifier,
  type Finding,
  type ScannedChunk,
} from '../../../src/classification/index.ts';

const key = new Uint8Array(32).fill(7);
const classifier = createClassifier({ fingerprintKey: key });
const PATH = 'choices[0].delta.content';

const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/classification/corpus.json', import.meta.url), 'utf8'),
) as { documents: { id: string; text: string }[] };
const MARK = /⟦([A-Z_0-9]+)\|([\s\S]*?)⟧/g;
const examples = corpus.documents.flatMap((d) =>
  [...d.text.matchAll(MARK)].map((m) => ({ type: m[1] as string, value: m[2] as string })),
);
const documents = corpus.documents.map((d) => ({ id: d.id, text: d.text.replace(MARK, '$2') }));

/** A context word of each finding type (the first one its recognizers list), for the "with context" embeddings. */
const contextWord = new Map<string, string>();
for (const r of DEFAULT_RECOGNIZERS)
  if (!contextWord.has(r.type) && r.contextWords?.[0] !== undefined) contextWord.set(r.type, r.contextWords[0]);
// Their labels are part of their patterns.
contextWord.set('AWS_SECRET_KEY', 'aws secret key');
contextWord.set('GENERIC_API_KEY', 'api_key');
contextWord.set('MEDICAL_RECORD_NUMBER', 'MRN');
contextWord.set('PASSWORD', 'password');

function embeddings(type: string, value: string): string[] {
  const word = contextWord.get(type) ?? 'note';
  return [
    value,
    `Summarise the quarterly report. ${value} was mentioned, then the north region.`,
    `Please keep the ${word}: ${value}\nThe next line is ordinary prose about sales.`,
    `See ${value} (${word}) and the rest of the answer follows.`,
    // A password is also found where a connection URL holds it.
    ...(type === 'PASSWORD' ? [`Connect with postgres://orders:${value}@db.internal:5432/orders today.`] : []),
    // A routing number is also found between the MICR transit symbols of a cheque line.
    ...(type === 'US_BANK_ROUTING' ? [`Cheque line \u2446${value}\u2446 000123456789\u2448 0042.`] : []),
  ];
}

type Seen = Pick<Finding, 'type' | 'category' | 'start' | 'end' | 'confidence' | 'fingerprint'>;
const seen = (f: Finding, at = 0): Seen => ({
  type: f.type,
  category: f.category,
  start: f.start + at,
  end: f.end + at,
  confidence: f.confidence,
  fingerprint: f.fingerprint,
});
const order = (a: Seen, b: Seen) =>
  a.start - b.start || a.end - b.end || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0);

function stream(chunks: readonly string[], c: Classifier = classifier, window?: number): ScannedChunk[] {
  const scanner = createStreamScanner({ classifier: c, path: PATH, ...(window === undefined ? {} : { window }) });
  return [...chunks.map((x) => scanner.push(x)), scanner.end()];
}

/** The guarantee, checked on one chunking of `whole`. */
function check(whole: string, chunks: readonly string[], c: Classifier = classifier, window?: number): void {
  const out = stream(chunks, c, window);
  const where = `text ${JSON.stringify(whole)} chunked ${JSON.stringify(chunks)}`;
  expect(out.map((c) => c.text).join(''), where).toBe(whole);
  const expected = c
    .classify([{ path: PATH, text: whole }])
    .findings.map((f) => seen(f))
    .sort(order);
  const reported = out.flatMap((c) => c.findings.map((f) => seen(f, c.offset))).sort(order);
  expect(reported, where).toEqual(expected);
  for (const c of out) {
    const from = c.offset;
    const to = c.offset + c.text.length;
    for (const f of expected) {
      if (f.start < to && f.end > from) {
        // A chunk holding any character of a finding holds all of it and reports it.
        expect(
          c.findings.map((x) => seen(x, from)),
          `${where}: ${f.type} at ${f.start} in chunk at ${from}`,
        ).toContainEqual(f);
      }
    }
  }
}

function everySplit(whole: string, c: Classifier = classifier): void {
  for (let at = 0; at <= whole.length; at += 1) check(whole, [whole.slice(0, at), whole.slice(at)], c);
  check(whole, [...whole], c);
}

describe('stream scanner releases early without missing anything (property)', () => {
  it('has positive examples of every built-in finding type in the corpus', () => {
    const types = new Set(examples.map((e) => e.type));
    for (const r of DEFAULT_RECOGNIZERS) expect(types, r.type).toContain(r.type);
  });

  it('finds each embedded example in the whole text (the oracle sees what the test means)', () => {
    for (const { type, value } of examples) {
      const found = embeddings(type, value).some((text) =>
        classifier.classify([{ path: PATH, text }]).findings.some((f) => f.type === type),
      );
      expect(found, `${type} ${value}`).toBe(true);
    }
  });

  it.each(examples.map((e, i) => [i, e.type, e.value] as const))(
    'example %i (%s): split at every position and char by char',
    (_i, type, value) => {
      for (const whole of embeddings(type, value)) everySplit(whole);
    },
  );

  // Alone, so no other recognizer's partial can cover for a wrong one (a phone's partial also holds card digits).
  it.each(DEFAULT_RECOGNIZERS.map((r, i) => [i, r.type, r] as const))(
    'recognizer %i (%s) alone: its examples split at every position',
    (_i, type, r) => {
      const alone = createClassifier({ fingerprintKey: key, recognizers: [r] });
      const texts = examples
        .filter((e) => e.type === type)
        // Lower-cased too: some recognizers read a value in either case (an AWS key id written in lower case).
        .flatMap((e) => [...embeddings(type, e.value), ...embeddings(type, e.value.toLowerCase())])
        .filter((text) => alone.classify([{ path: PATH, text }]).findings.length > 0);
      expect(texts.length, `${type}: no example this recognizer finds`).toBeGreaterThan(0);
      for (const text of texts) everySplit(text, alone);
    },
  );

  it('corpus documents streamed char by char and in random chunks', () => {
    for (const d of documents) check(d.text, [...d.text]);
    fc.assert(
      fc.property(fc.constantFrom(...documents), fc.array(fc.nat(), { maxLength: 40 }), (d, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (d.text.length + 1)))].sort((a, b) => a - b);
        check(
          d.text,
          [0, ...points].map((p, i) => d.text.slice(p, [...points, d.text.length][i])),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('with a custom recognizer that declares no partial: the fixed window, values shorter than it (property)', () => {
    const custom = createClassifier({
      fingerprintKey: key,
      recognizers: [
        ...DEFAULT_RECOGNIZERS,
        {
          type: 'EMPLOYEE_ID',
          category: 'CUSTOM',
          pattern: String.raw`\bEMP-\d{6}\b`,
          contextWords: ['staff'],
          baseScore: 80,
        },
      ],
    });
    const short = [...examples.map((e) => e.value).filter((v) => v.length <= 24), 'EMP-004211'];
    const filler = fc.string({
      unit: fc.constantFrom('a', 'B', '1', ' ', '.', ',', ':', '-', '\n', 'é', 'staff', 'card', 'ssn'),
      maxLength: 30,
    });
    const text = fc
      .array(fc.oneof(filler, fc.constantFrom(...short)), { minLength: 1, maxLength: 6 })
      .map((p) => p.join(' '));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 30 }), (whole, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        check(
          whole,
          [0, ...points].map((p, i) => whole.slice(p, [...points, whole.length][i])),
          custom,
          64,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('random mixtures of examples and prose, randomly chunked', () => {
    const filler = fc.string({
      unit: fc.constantFrom(
        'a',
        'B',
        '1',
        ' ',
        '.',
        ',',
        ':',
        '-',
        '\n',
        'é',
        '😀',
        '\u200b',
        'mrn',
        'key',
        'ssn',
        'card',
      ),
      maxLength: 30,
    });
    const text = fc
      .array(fc.oneof(filler, fc.constantFrom(...examples.map((e) => e.value))), { minLength: 1, maxLength: 6 })
      .map((p) => p.join(' '));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 30 }), (whole, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        check(
          whole,
          [0, ...points].map((p, i) => whole.slice(p, [...points, whole.length][i])),
        );
      }),
      { numRuns: 300 },
    );
  });
});
