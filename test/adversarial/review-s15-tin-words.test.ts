// Review s15 (R3, attacker's review of session 15's changes), false positives of the bare nine-digit SSN's new context
// words (0f0ccf6, recognizers-pii.ts: tin, itin, tax id, taxpayer id, ss nbr and ssnum). `tin` is also the metal: an
// order, SKU or tracking number of nine digits near it is now an SSN, and the default policy refuses the request to a
// zero-data-retention upstream. Each text is ordinary commerce; the controls are the same texts without the metal.
import { describe, expect, it } from 'vitest';
import { createClassifier, createStreamScanner } from '../../src/classification/index.ts';
import { isForwarded } from './round9-helpers.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });

describe('nine-digit order numbers near the word tin (the metal)', () => {
  it('control: TIN: and Tax ID: before a bare SSN are refused', async () => {
    expect(await isForwarded('TIN: 219099999')).toBe(false);
    expect(await isForwarded('Tax ID 536221234')).toBe(false);
  });

  it.each([
    'Order 219099999: 12 aluminium cans, shipped today.',
    'SKU 409524567 - copper wire, 100 m',
    'Tracking 293018765 for your penny whistle',
  ])('control: "%s" is forwarded', async (text) => {
    expect(await isForwarded(text)).toBe(true);
  });

  // HOLE closed in src/classification/context-words.ts (CAPITALS_OR_LABEL): `tin` and `itin` are also everyday words, so
  // they count only in capitals (`TIN`, `SSN/TIN`), in an identifier (`payee_tin`, `tinNumber`), as a label (`Tin:`,
  // `tin #`, `"tin": `) or in a column's header; the metal in prose, in any case and on either side, is no SSN word.
  it.each([
    'Order 219099999: 12 tin cans, shipped today.',
    'SKU 409524567 - tin plated copper wire, 100 m',
    'Tracking 293018765 for your tin whistle',
    'Tin cans, 24 pack: order 219099999',
    'The tin-roof shed kit ships as order 409524567.',
    'Order 293018765 (Tin Whistle, key of D) has shipped',
  ])('"%s" is forwarded', async (text) => {
    expect(await isForwarded(text)).toBe(true);
  });

  it.each([
    'TIN 219099999',
    'Tin: 219099999',
    'payee tin # 219099999',
    '{"tin": "219099999"}',
    'payee_tin=219099999',
    'tinNumber 219099999',
    'ITIN no. 219099999',
  ])('control: the label in "%s" refuses the request', async (text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  it('control: a table under a lower-case tin column is refused', async () => {
    expect(await isForwarded('name,tin\nJane Doe,219099999\nJohn Roe,409524567\n')).toBe(false);
  });

  // A stream keeps a table's header only when it may name a column of findings (stream-table-header.ts): read as a
  // header there too, a lower-case `tin` column's SSNs are each found in deltas of 7 as in the whole text.
  it.each(['tin', 'Tin', 'TIN'])(
    'control: 12 rows under a %s column streamed in deltas of 7, every SSN found',
    (head) => {
      const rows = Array.from({ length: 12 }, (_, i) => `${i + 1},Person ${i},Engineering,${219090100 + i}\n`).join('');
      const text = `Here is the export:\nid,name,department,${head}\n${rows}`;
      const ssns = (findings: readonly { type: string }[]) => findings.filter((f) => f.type === 'US_SSN').length;
      const scanner = createStreamScanner({ classifier, path: 'choices[0].delta.content' });
      let streamed = 0;
      for (let at = 0; at < text.length; at += 7) streamed += ssns(scanner.push(text.slice(at, at + 7)).findings);
      streamed += ssns(scanner.end().findings);
      expect(streamed).toBe(12);
      expect(ssns(classifier.classify([{ path: 'messages[0].content', text }]).findings)).toBe(12);
    },
  );
});
