// Round 13 of the attacker's review (session 15), a table's header as context (table-context.ts) in a streamed answer:
// the model writes an HR export as CSV, token by token (chat deltas of 4-7 characters, as providers stream), and the
// rows of bare nine-digit SSNs come a few hundred characters under the `ssn` header. The client reads the column as
// SSNs. Controls: the same answer in deltas of 40 characters, and the same text in a request, are redacted.
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';
import { COLUMNS, csvLines, PROBE, ROWS } from './round13-helpers.ts';
import { isStreamed } from './round9-helpers.ts';

/** The export with `n` rows of other staff (SSNs of their own) above the four people: the probe ~140 × n + 180 in. */
const exportWith = (n: number) => {
  const first = ROWS[0] as string[];
  const staff = Array.from({ length: n }, (_, i) =>
    first.map((c, j) => (j === 0 ? String(i + 10) : j === 6 ? String(601000000 + i) : c)),
  );
  return [COLUMNS.join(','), ...csvLines(staff), ...csvLines(ROWS)].join('\n');
};

describe('an HR export streamed as an answer, token by token', () => {
  it('control: in a request, and streamed in deltas of 40 characters, the SSNs are redacted', async () => {
    expect(await upstreamHolds(exportWith(14), PROBE)).toBe(false);
    expect(await isStreamed(exportWith(14), PROBE, 40)).toBe(false);
    expect(await isStreamed(exportWith(0), PROBE, 7)).toBe(false);
  });

  // HOLE closed in src/classification/stream-table-header.ts (with stream-context.ts / stream-scanner.ts): the stream's
  // view classifies what it holds with a bounded look-behind, not the whole answer so far; in small deltas the header
  // line fell out of that text within a few rows (4-character deltas: 6 rows, ~600 characters; 7-character deltas: 10
  // rows), so headerOfCell found no header and a bare nine-digit cell was no SSN. The scanner now keeps a table's
  // header line before its context (which starts at a row's start) while the rows go on.
  it.each([
    ['4', 4, 6],
    ['7', 7, 10],
  ])('in deltas of %s characters, rows under the header are withheld', async (_name, width, rows) => {
    expect(await isStreamed(exportWith(rows), PROBE, width)).toBe(false);
  });

  it.each([
    ['4', 4, 6],
    ['7', 7, 10],
  ])(
    'control: in deltas of %s characters under a `ref` header, the column is streamed whole',
    async (_n, width, rows) => {
      const text = exportWith(rows).replace(',ssn\n', ',ref\n');
      expect(await isStreamed(text, PROBE, width)).toBe(true);
    },
  );
});
