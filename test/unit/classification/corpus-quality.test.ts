// Entity-level precision / recall / F1 (exact span and type) of the built-in recognizers on the labelled corpus in
// test/fixtures/classification/corpus.json. Fails below the floors; prints the table (copied into README/docs).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';

interface Doc {
  id: string;
  text: string;
}
interface Entity {
  doc: string;
  type: string;
  start: number;
  end: number;
}

const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/classification/corpus.json', import.meta.url), 'utf8'),
) as { documents: Doc[] };

/** Strips ⟦TYPE|value⟧ marks, returning the plain text and the marked spans in it. */
function parse(doc: Doc): { text: string; gold: Entity[] } {
  let text = '';
  const gold: Entity[] = [];
  let i = 0;
  while (i < doc.text.length) {
    const open = doc.text.indexOf('⟦', i);
    if (open < 0) {
      text += doc.text.slice(i);
      break;
    }
    text += doc.text.slice(i, open);
    const bar = doc.text.indexOf('|', open);
    const close = doc.text.indexOf('⟧', bar);
    const value = doc.text.slice(bar + 1, close);
    gold.push({
      doc: doc.id,
      type: doc.text.slice(open + 1, bar),
      start: text.length,
      end: text.length + value.length,
    });
    text += value;
    i = close + 1;
  }
  return { text, gold };
}

/** Minimum F1 per type and overall. Every built-in type in the corpus is held to at least 0.9. */
const FLOOR_OVERALL = 0.97;
const FLOOR_PER_TYPE = 0.9;

describe('classification quality on the labelled corpus', () => {
  const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(1) });
  const key = (e: Entity) => `${e.doc}:${e.type}:${e.start}:${e.end}`;
  const gold: Entity[] = [];
  const predicted: Entity[] = [];
  for (const doc of corpus.documents) {
    const parsed = parse(doc);
    gold.push(...parsed.gold);
    predicted.push(
      ...classifier
        .classify([{ path: doc.id, text: parsed.text }])
        .findings.map((f) => ({ doc: doc.id, type: f.type, start: f.start, end: f.end })),
    );
  }
  const goldKeys = new Set(gold.map(key));
  const predictedKeys = new Set(predicted.map(key));
  const types = [...new Set([...gold, ...predicted].map((e) => e.type))].sort();
  const score = (g: Entity[], p: Entity[]) => {
    const tp = p.filter((e) => goldKeys.has(key(e))).length;
    const precision = p.length === 0 ? 1 : tp / p.length;
    const recall = g.length === 0 ? 1 : tp / g.length;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { gold: g.length, predicted: p.length, tp, precision, recall, f1 };
  };
  const perType = Object.fromEntries(
    types.map((t) => [
      t,
      score(
        gold.filter((e) => e.type === t),
        predicted.filter((e) => e.type === t),
      ),
    ]),
  );
  const overall = score(gold, predicted);

  it('prints the table', () => {
    const row = (name: string, s: ReturnType<typeof score>) =>
      `| ${name} | ${s.gold} | ${s.predicted} | ${s.precision.toFixed(3)} | ${s.recall.toFixed(3)} | ${s.f1.toFixed(3)} |`;
    const lines = [
      '| type | gold | found | precision | recall | F1 |',
      '|---|---|---|---|---|---|',
      ...types.map((t) => row(t, perType[t] as ReturnType<typeof score>)),
      row('**overall**', overall),
    ];
    const misses = gold.filter((e) => !predictedKeys.has(key(e))).map(key);
    const falseAlarms = predicted.filter((e) => !goldKeys.has(key(e))).map(key);
    console.log(
      `${lines.join('\n')}\ndocuments: ${corpus.documents.length}\nmisses: ${misses.join(', ') || 'none'}\nfalse alarms: ${falseAlarms.join(', ') || 'none'}`,
    );
  });

  it(`reaches F1 ≥ ${FLOOR_OVERALL} overall`, () => {
    expect(overall.f1).toBeGreaterThanOrEqual(FLOOR_OVERALL);
  });

  it(`reaches F1 ≥ ${FLOOR_PER_TYPE} for every type`, () => {
    for (const t of types)
      expect({ type: t, f1: (perType[t] as { f1: number }).f1 >= FLOOR_PER_TYPE }).toEqual({ type: t, f1: true });
  });

  it('covers every built-in type with at least one positive', () => {
    expect(new Set(gold.map((e) => e.type)).size).toBeGreaterThanOrEqual(27);
  });
});
