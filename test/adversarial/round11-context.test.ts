// Round 11 of the attacker's review (session 13), the context word that makes nine bare digits an SSN
// (context-words.ts, 4069b36/271244c/3888fe6): an HR export whose `ssn` column header stands more than a context
// window before its rows, the abbreviations US forms print (SS#, SS No., Soc. Sec. No.), and the word in Cyrillic
// letters that look like it. A model reads each as an SSN. Controls: SSN, fullwidth ＳＳＮ and bold 𝐒𝐒𝐍 are refused.
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';
import { isForwarded } from './round9-helpers.ts';

const PEOPLE = [
  ['John Smith', '219099999'],
  ['Maria Garcia', '536221234'],
  ['Wei Chen', '409524567'],
  ['Aisha Khan', '293018765'],
  ['Tom Baker', '471209384'],
  ['Lena Fischer', '562830192'],
] as const;

/** An HR export: id, name, e-mail, department, start date, salary, then the SSN. */
const exportOf = (ssn: (digits: string) => string) =>
  [
    'id,name,email,department,start_date,salary,ssn',
    ...PEOPLE.map(([name, digits], i) => {
      const email = `${name.split(' ')[0]?.toLowerCase()}@acme.example`;
      return `${i + 1},${name},${email},Engineering,2021-0${i + 1}-15,98000,${ssn(digits)}`;
    }),
  ].join('\n');

describe("an HR export's ssn column", () => {
  it('control: the export with the SSNs written 219-09-9999 reaches the upstream without them', async () => {
    const dashed = exportOf((d) => `${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5)}`);
    expect(await upstreamHolds(dashed, '536-22-1234')).toBe(false);
  });

  it('control: the same rows as JSON records ("ssn": "…" beside each) reach the upstream without them', async () => {
    const records = JSON.stringify(PEOPLE.map(([name, ssn]) => ({ name, ssn })));
    expect(await upstreamHolds(records, '536221234')).toBe(false);
  });

  // Nine bare digits are an SSN only with an SSN word in reach; a CSV's header names the column once, 50+ characters
  // before the first row's value: the header's cell is each row's cell's context (table-context.ts).
  it("the export's bare SSNs never reach the upstream", async () => {
    expect(
      await upstreamHolds(
        exportOf((d) => d),
        '536221234',
      ),
    ).toBe(false);
  });
});

describe('the abbreviations and look-alikes of the SSN word', () => {
  it.each(['SSN', 'ＳＳＮ', '𝐒𝐒𝐍', 'social security no'])('control: %s 219099999 is refused', async (label) => {
    expect(await isForwarded(`${label} 219099999`)).toBe(false);
  });

  // US forms and payroll systems print 'SS#', 'SS No.' and 'Soc. Sec. No.' (recognizers-pii.ts SSN_ABBREVIATIONS).
  it.each(['SS#', 'SS No.', 'Soc. Sec. No.'])('%s 219099999 is refused', async (label) => {
    expect(await isForwarded(`Employee ${label} 219099999`)).toBe(false);
  });

  // 'ЅЅN' (U+0405 twice) and 'SЅN' read as SSN to a person and to a model: the main view reads a look-alike letter in
  // a mixed-script word as its Latin letter (normalize.ts).
  it.each(['ЅЅN', 'SЅN'])('%s 219099999 (Cyrillic Dze for S) is refused', async (label) => {
    expect(await isForwarded(`${label} 219099999`)).toBe(false);
  });
});
