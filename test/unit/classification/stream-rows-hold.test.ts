// stream-rows-hold.ts: rows that come before their column list are held from their key while the list may come.
import { describe, expect, it } from 'vitest';
import { createClassifier, createStreamScanner } from '../../../src/classification/index.ts';
import { MAX_WAITING_ROWS, waitingRowsFrom } from '../../../src/classification/stream-rows-hold.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(6) });
const ROWS = '[["Ann", "219-09-9999"], ["Bob", "078-05-1120"]]';

describe('waitingRowsFrom', () => {
  it.each([
    ['an open rows array', `ok {"data": ${ROWS.slice(0, 20)}`, 4],
    ['a closed rows array, its list key still to come', `ok {"rows": ${ROWS}, "col`, 4],
    ['a rows key still waiting for its array', 'ok {"records":   ', 4],
    ['an unquoted key', `ok {values: ${ROWS.slice(0, 9)}`, 3],
  ])('%s is held from its key', (_name, text, at) => {
    expect(waitingRowsFrom(text)).toBe(at);
  });
  it.each([
    ['prose', 'The table has two rows [and a note]: fine.'],
    ['rows under a list that came first', `{"columns": ["name", "ssn"], "data": ${ROWS.slice(0, 20)}`],
    ['a closed array far before the end', `{"data": ${ROWS}} ${'and then prose. '.repeat(30)}`],
    ['another key', `{"items": ${ROWS.slice(0, 20)}`],
    ['an empty closed array', '{"data": [], "next'],
    ['an open array of object rows (they name their cells)', '{"data": [{"id": 1, "name": "Ann"}, {"id": 2'],
    ['an open array of strings', '{"data": ["first line", "second'],
  ])('control: %s is not held', (_name, text) => {
    expect(waitingRowsFrom(text)).toBe(text.length);
  });
  it('rows held past the bound throw', () => {
    const text = `{"data": [${'["Ann", "219-09-9999"], '.repeat(MAX_WAITING_ROWS / 20)}`;
    expect(() => waitingRowsFrom(text)).toThrow(/held for a column list/);
  });
});

describe('a scanner with rows held for their list', () => {
  /** The most characters held after any push of `text` in deltas of `width`. */
  function mostHeld(text: string, width: number): number {
    const scanner = createStreamScanner({ classifier, path: 'choices[0].delta.content' });
    let pushed = 0;
    let released = 0;
    let most = 0;
    for (let at = 0; at < text.length; at += width) {
      const piece = text.slice(at, at + width);
      pushed += piece.length;
      released += scanner.push(piece).text.length;
      most = Math.max(most, pushed - released);
    }
    return most;
  }
  it('control: a streamed data array of object rows or of strings past the bound is released, never failed', () => {
    const objects = Array.from({ length: 300 }, (_, i) => `{"id": ${i}, "name": "item ${i}", "price": ${i}.5}`);
    const strings = Array.from({ length: 400 }, (_, i) => `"line ${i} of the answer"`);
    for (const items of [objects, strings]) {
      const text = `{"data": [${items.join(', ')}]}`;
      expect(text.length).toBeGreaterThan(MAX_WAITING_ROWS);
      expect(mostHeld(text, 7)).toBeLessThanOrEqual(400);
    }
  });
  it('an object row with a cells array (BigQuery f, DataTable c) is held from its key', () => {
    expect(waitingRowsFrom('ok {"data": [{"f": [{"v": "Ann"}, {"v": "219')).toBe(4);
  });
  it('control: prose in deltas of 7 is released within the window', () => {
    expect(mostHeld('Plain prose about a table of data: [rows] and values. '.repeat(40), 7)).toBeLessThanOrEqual(300);
  });
  it('holds rows before their list whole, then releases once the list has had its chance', () => {
    const text = `{"data": ${ROWS.repeat(1)}}\n${'More prose follows here. '.repeat(40)}`;
    expect(mostHeld(text, 7)).toBeGreaterThanOrEqual(ROWS.length);
    expect(mostHeld(text, 7)).toBeLessThanOrEqual(ROWS.length + 1100);
  });
});
