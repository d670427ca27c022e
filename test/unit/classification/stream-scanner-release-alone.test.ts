// Pattern-aware release, one recognizer at a time: each built-in recognizer alone (so no other recognizer's partial can
// cover for a wrong one) reports its corpus examples, split at every position, exactly as the whole text does. A file
// of its own so the two halves of the release property run on two workers.
import { describe, expect, it } from 'vitest';
import { type Classifier, createClassifier, DEFAULT_RECOGNIZERS } from '../../../src/classification/index.ts';
import { PATH, embeddings, everySplit, examples, key } from './stream-release-fixture.ts';

/** Each recognizer alone, built once (its patterns compile once for all its tests). */
const alone = new Map<number, Classifier>();
const aloneOf = (i: number): Classifier => {
  let c = alone.get(i);
  if (c === undefined) {
    c = createClassifier({
      fingerprintKey: key,
      recognizers: [DEFAULT_RECOGNIZERS[i] as (typeof DEFAULT_RECOGNIZERS)[0]],
    });
    alone.set(i, c);
  }
  return c;
};
/** An example's embeddings the recognizer alone finds something in; lower-cased too: some recognizers read a value in
 * either case (an AWS key id written in lower case). */
const foundAlone = (i: number, type: string, value: string): string[] =>
  [...embeddings(type, value), ...embeddings(type, value.toLowerCase())].filter(
    (text) => aloneOf(i).classify([{ path: PATH, text }]).findings.length > 0,
  );

describe('stream scanner releases early without missing anything, recognizer by recognizer', () => {
  it.each(DEFAULT_RECOGNIZERS.map((r, i) => [i, r.type] as const))(
    'recognizer %i (%s) alone finds at least one of its examples',
    (i, type) => {
      const found = examples.filter((e) => e.type === type).some((e) => foundAlone(i, type, e.value).length > 0);
      expect(found, `${type}: no example this recognizer finds`).toBe(true);
    },
  );

  // One test a recognizer and an example: a recognizer's examples in one test took up to 74 s at a load of 25.
  it.each(
    DEFAULT_RECOGNIZERS.flatMap((r, i) =>
      examples.flatMap((e, j) => (e.type === r.type ? [[i, r.type, j, e.value] as const] : [])),
    ),
  )('recognizer %i (%s) alone, example %i: split at every position', (i, type, _j, value) => {
    for (const text of foundAlone(i, type, value)) everySplit(text, aloneOf(i));
  });
});
