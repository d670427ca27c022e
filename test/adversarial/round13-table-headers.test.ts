// Round 13 of the attacker's review (session 15), the words an ssn column's header is written in (recognizers-pii.ts
// SSN context words, read through table-context.ts): a 1099 or payroll export names the column of its people's SSNs
// `TIN`, `Tax ID` or `Taxpayer ID Number` (an individual's taxpayer identification number is the SSN), and databases
// abbreviate `ss_nbr`, `ssnum`. A model reads the column as SSNs. Controls: `ssn`, `SSN/TIN`, `socsec`, `SS#`.
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';
import { COLUMNS, csvLines, PROBE, ROWS } from './round13-helpers.ts';

/** The HR CSV with its last column headed `header`. */
const csv = (header: string) => csvLines([[...COLUMNS.slice(0, -1), header], ...ROWS]).join('\n');

describe("a CSV's SSN column under a taxpayer-id or abbreviated header", () => {
  it.each(['ssn', 'SSN/TIN', 'socsec', 'SS#'])('control: under %s the SSNs are redacted', async (header) => {
    expect(await upstreamHolds(csv(header), PROBE)).toBe(false);
  });

  // Closed (recognizers-pii.ts US_SSN_LABELLED): tin, itin, tax id, taxpayer id, ss nbr and ssnum are words of the
  // bare nine-digit SSN (an EIN column under `TIN`, nine bare digits, reads as SSNs: fail closed).
  it.each(['TIN', 'Recipient TIN', 'Tax ID', 'Taxpayer ID Number', 'ss_nbr', 'ssnum'])(
    'under %s the SSNs are redacted',
    async (header) => {
      expect(await upstreamHolds(csv(header), PROBE)).toBe(false);
    },
  );
});
