// A table's header kept with a stream's context (stream-table-header.ts): kept while the rows go on, dropped once the
// table has ended, never longer than MAX_KEPT_HEADER, and a stream of a CSV, an INSERT or a JSON result cut into small
// deltas reports each SSN under its `ssn` column as the whole text does (offsets in the stream's text, none in the
// header kept).
import { describe, expect, it } from 'vitest';
import {
  type Classifier,
  createClassifier,
  createStreamScanner,
  type Finding,
  type TextSegment,
} from '../../../src/classification/index.ts';
import { headerTestOf, MAX_KEPT_HEADER, tableHeaderToKeep } from '../../../src/classification/stream-table-header.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });
const PATH = 'choices[0].delta.content';

const HEADER = 'id,name,department,ssn\n';
/** `n` CSV rows, each with a valid bare SSN (219-09-xxxx). */
const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => `${i + 1},Person ${i},Engineering,${219090100 + i}\n`).join('');

/** The stream's findings (type and where in the whole text) and the texts each release classified. */
function stream(text: string, width: number) {
  const texts: string[] = [];
  const counting: Classifier = {
    recognizers: classifier.recognizers,
    classify(segments: readonly TextSegment[]) {
      texts.push(segments.map((s) => s.text).join(''));
      return classifier.classify(segments);
    },
  };
  const s = createStreamScanner({ classifier: counting, path: PATH });
  const found: string[] = [];
  const take = (chunk: { offset: number; findings: Finding[] }) => {
    for (const f of chunk.findings) found.push(`${f.type}@${chunk.offset + f.start}-${chunk.offset + f.end}`);
  };
  for (let at = 0; at < text.length; at += width) take(s.push(text.slice(at, at + width)));
  take(s.end());
  return { found: found.sort(), texts };
}

const whole = (text: string) =>
  classifier
    .classify([{ path: PATH, text }])
    .findings.map((f) => `${f.type}@${f.start}-${f.end}`)
    .sort();

describe('tableHeaderToKeep', () => {
  const text = `Here is the export:\n${HEADER}${rows(20)}`;

  it("keeps a CSV's header line and starts the context at a row's start before the look-behind", () => {
    const cut = text.length - 10;
    const kept = tableHeaderToKeep(text, '', cut, 64);
    expect(kept?.header).toBe(HEADER);
    const from = kept?.from as number;
    expect(text.charCodeAt(from - 1)).toBe(0x0a);
    expect(from).toBeLessThanOrEqual(cut - 64);
    expect(from).toBeGreaterThan(cut - 64 - 64);
  });

  it("keeps nothing while the look-behind starts before the table, and the header's line while it starts in it", () => {
    const at = text.indexOf(HEADER);
    expect(tableHeaderToKeep(text, '', at + HEADER.length + 30, 64)).toBeUndefined();
    expect(tableHeaderToKeep(text, '', at + HEADER.length + 50, 64)).toEqual({ header: '', from: at });
  });

  it('drops the header once the table has ended (a blank line, then prose past the look-behind)', () => {
    const ended = `${text}\nThat is all of it; each row above was exported from the HR system on Monday morning.`;
    expect(tableHeaderToKeep(ended, '', text.length - 10, 64)?.header).toBe(HEADER);
    expect(tableHeaderToKeep(ended, '', ended.length, 64)).toBeUndefined();
  });

  it('keeps no header that names no column a recognizer needs context from (prose lines of one comma each)', () => {
    const matters = headerTestOf(classifier.recognizers ?? []);
    expect(tableHeaderToKeep(text, '', text.length - 10, 64, matters)?.header).toBe(HEADER);
    const ref = text.replace(HEADER, HEADER.replace('ssn', 'ref'));
    expect(tableHeaderToKeep(ref, '', ref.length - 10, 64, matters)).toBeUndefined();
    const prose = 'The report grew, as expected.\n'.repeat(20);
    expect(tableHeaderToKeep(prose, '', prose.length - 10, 64)).toBeDefined();
    expect(tableHeaderToKeep(prose, '', prose.length - 10, 64, matters)).toBeUndefined();
  });

  it(`keeps no header line longer than MAX_KEPT_HEADER (${MAX_KEPT_HEADER})`, () => {
    const wide = `${Array.from({ length: 120 }, (_, i) => `column_${i}`).join(',')},ssn\n`;
    const cells = (i: number) => `${Array.from({ length: 120 }, () => 'x').join(',')},${219090100 + i}\n`;
    const long = wide + Array.from({ length: 40 }, (_, i) => cells(i)).join('');
    expect(wide.length).toBeGreaterThan(MAX_KEPT_HEADER);
    expect(tableHeaderToKeep(long, '', long.length - 5, 64)).toBeUndefined();
  });

  it("keeps a JSON result's column list and what leads to its rows, the context from a row's opening", () => {
    const data = Array.from({ length: 20 }, (_, i) => [i, `Person ${i}`, `${219090100 + i}`]);
    const json = `Result: ${JSON.stringify({ columns: ['id', 'name', 'ssn'], data })}`;
    const kept = tableHeaderToKeep(json, '', json.length - 5, 64);
    expect(kept?.header.endsWith('"columns":["id","name","ssn"],"data":[')).toBe(true);
    expect(kept?.header.length).toBeLessThanOrEqual(MAX_KEPT_HEADER);
    expect(json[kept?.from as number]).toBe('[');
  });
});

describe('a table streamed in small deltas', () => {
  it.each([3, 7, 16])('a CSV in deltas of %i reports what the whole text reports', (width) => {
    const text = `Here is the export:\n${HEADER}${rows(12)}`;
    expect(whole(text).filter((f) => f.startsWith('US_SSN')).length).toBe(12);
    expect(stream(text, width).found).toEqual(whole(text));
  });

  it.each([
    [
      'an INSERT',
      `INSERT INTO staff (id, name, ssn) VALUES\n${[...Array(12).keys()].map((i) => `(${i}, 'P ${i}', '${219090100 + i}')`).join(',\n')};`,
    ],
    [
      'a JSON result',
      JSON.stringify({
        columns: ['id', 'name', 'ssn'],
        data: [...Array(12).keys()].map((i) => [i, `P ${i}`, `${219090100 + i}`]),
      }),
    ],
  ])('%s in deltas of 5 reports what the whole text reports', (_name, text) => {
    expect(whole(text).filter((f) => f.startsWith('US_SSN')).length).toBe(12);
    expect(stream(text, 5).found).toEqual(whole(text));
  });

  it('classifies the header no more once the table has ended, and each release a bounded text', () => {
    const prose = ' The rest of this answer is prose about the export and what to do with it next.'.repeat(8);
    const text = `${HEADER}${rows(12)}\n${prose}`;
    const { texts } = stream(text, 4);
    const last = texts.slice(-10);
    expect(last.some((t) => t.includes(HEADER))).toBe(false);
    expect(texts.some((t) => t.startsWith(HEADER) && t.includes('219090111'))).toBe(true);
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThan(1024);
  });
});
