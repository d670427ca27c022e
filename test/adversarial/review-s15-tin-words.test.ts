// Review s15 (R3, attacker's review of session 15's changes), false positives of the bare nine-digit SSN's new context
// words (0f0ccf6, recognizers-pii.ts: tin, itin, tax id, taxpayer id, ss nbr and ssnum). `tin` is also the metal: an
// order, SKU or tracking number of nine digits near it is now an SSN, and the default policy refuses the request to a
// zero-data-retention upstream. Each text is ordinary commerce; the controls are the same texts without the metal.
import { describe, expect, it } from 'vitest';
import { isForwarded } from './round9-helpers.ts';

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

  // HOLE (open, src/classification/recognizers-pii.ts US_SSN context words): `tin` is read as a taxpayer id in any
  // case and sense, so a tin can, tin-plated wire or a tin whistle beside an order number refuses the request.
  // Fix: take `tin` (and `itin`) as a context word only upper-case or as a label (`TIN:`, a column header), ~5 lines.
  it.fails.each([
    'Order 219099999: 12 tin cans, shipped today.',
    'SKU 409524567 - tin plated copper wire, 100 m',
    'Tracking 293018765 for your tin whistle',
  ])('"%s" is forwarded', async (text) => {
    expect(await isForwarded(text)).toBe(true);
  });
});
