// The SSN's labels US forms and payroll systems print (recognizers-pii.ts SSN_WORDS): `SS#`, `SS No.`, `Soc. Sec. No.`,
// `SS Number`, `Soc Sec #` put nine bare digits in an SSN's context; `ss` alone (a unit, a ship, German `ß`) does not,
// and `Soc Sec #` is no person's name.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const types = (text: string) => classifier.classify([{ path: 'p', text }]).findings.map((f) => f.type);

describe('SSN abbreviations as context words', () => {
  it.each(['SS#', 'SS #', 'SS No.', 'ss no', 'SS Number', 'Soc. Sec. No.', 'Soc Sec #', 'SOC SEC NO', 'ss_no'])(
    '%s 219099999 is an SSN',
    (label) => {
      expect(types(`Employee ${label} 219099999`)).toContain('US_SSN');
    },
  );

  it.each(['ss', 'SS', 'the SS Norway', 'class no.', 'address no'])('control: %s 219099999 is no SSN', (label) => {
    expect(types(`Employee ${label} 219099999 shipped`)).not.toContain('US_SSN');
  });

  it('Soc Sec # is no person name', () => {
    expect(types('Soc Sec # 219099999')).not.toContain('PERSON_NAME');
  });
});

describe('SSN words a payroll export writes in Spanish or abbreviates further', () => {
  it.each(['SS Num', 'ss_num', 'numero_seguro_social', 'Número de Seguro Social', 'número de seguro social:'])(
    '%s 219099999 is an SSN',
    (label) => {
      expect(types(`Employee ${label} 219099999`)).toContain('US_SSN');
    },
  );

  it.each(['numeral', 'seguro', 'social'])('control: %s 219099999 is no SSN', (label) => {
    expect(types(`Employee ${label} 219099999 shipped`)).not.toContain('US_SSN');
  });
});
