// A parsed JSON value's number lists read as its JSON text's lists (number-lists.ts): a card's groups over two lists
// with members between are found on the number segments, once each, where the JSON text's listChain finds them, and
// number-heavy inputs (coordinates, ids, counts) stay clean.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { numberListWindows } from '../../../src/classification/number-lists.ts';
import type { TextSegment } from '../../../src/classification/types.ts';
import { segmentsOf } from './parsed-segments.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });

const cards = (segments: TextSegment[]) =>
  classifier.classify(segments).findings.filter((f) => f.type === 'CREDIT_CARD');
const parsedCards = (value: unknown) => cards(segmentsOf(value)).map((f) => f.path);
const textCards = (value: unknown) => cards([{ path: 'args', text: JSON.stringify(value), location: 'user' }]).length;

describe('number lists of a parsed JSON value', () => {
  it('a card over two lists with a string member between is found on each number, once', () => {
    expect(parsedCards({ a: [3782, 822463], b: 'x', c: [10005] })).toEqual(['input.a[0]', 'input.a[1]', 'input.c[0]']);
    expect(parsedCards({ a: [[4111, 1111]], b: { c: 'x y', d: '' }, e: [[1111], [1111]] })).toHaveLength(4);
  });

  it('reads as the JSON text reads: a digit, an array or more than 256 characters between keep the lists apart', () => {
    for (const value of [
      { a: [3782, 822463], b: 'x', c: [10005] },
      { a: [3782, 822463], b: 'x1', c: [10005] },
      { a: [3782, 822463], b: ['x'], c: [10005] },
      { a: [3782, 822463], b: 'x'.repeat(300), c: [10005] },
      { a: [3782, 822463, 5], b: 'x', c: [10005] },
      { a: [3782, 822463], b: 'x', c: [10005, 1] },
      { a: [3782, 822463], b2: 'x', c: [10005] },
      { a: [3782, 822463], b: 'x', c1: [10005] },
      { a: [3782, 822463], b: { n: 'x', m: { k: 'y' } }, c: { d: [10005] } },
      { a: [3782, 822463], b: { n: 'x', m9: 'y' }, c: [10005] },
      { a: [3782, 822463], c: { d: [10005], e9: 'y' } },
      { ab: [3782, 822463], a: { c: [10005] } },
      { [`a${'n'.repeat(250)}`]: [3782, 822463], [`b${'n'.repeat(250)}`]: [10005] },
    ]) {
      expect(parsedCards(value).length > 0, JSON.stringify(value).slice(0, 60)).toBe(textCards(value) > 0);
    }
  });

  it('controls: coordinates, ids and counts stay clean', () => {
    for (const value of [
      {
        points: [
          [12.5, 3.4],
          [7.1, 2.2],
        ],
        zoom: 'x',
        more: [[1.5, 2.5]],
      },
      { ids: [1234, 5678], label: 'page', page: [2], sizes: [1024, 2048, 4096] },
      { user_ids: [4021, 881234], note: 'batch', order_ids: [77123, 99123] },
      { year: [2024, 2025], month: 'march', days: [1, 2, 3, 4, 5] },
    ]) {
      expect(parsedCards(value), JSON.stringify(value)).toEqual([]);
    }
  });

  it('writes each run of joined lists as the text writes them, each number a part of its segment', () => {
    const segments = segmentsOf({
      a: [[3782, 822463]],
      b: 'x',
      c: [10005],
      d: 'y1',
      e: [4111, 1111],
      f: 'z',
      g: [1111, 1111],
      h: 'n1',
      i: [5],
    });
    const [window] = numberListWindows(segments);
    expect(window?.text).toBe('[[3782,822463]],[10005]\n!\n[4111,1111],[1111,1111]');
    expect(window?.parts.map((p) => segments[p.segment]?.text)).toEqual([
      '3782',
      '822463',
      '10005',
      '4111',
      '1111',
      '1111',
      '1111',
    ]);
    expect(numberListWindows(segmentsOf({ a: [1234, 5678], b: 'x', c: [123456] }))).toEqual([]);
  });
});
