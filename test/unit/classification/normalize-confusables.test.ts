// Look-alike letters (normalize.ts, Unicode's confusables.txt via unhomoglyph): a Cyrillic or Greek letter whose
// skeleton is one Latin letter is read as it inside a word that mixes scripts (an ASCII letter or digit in it, or
// Cyrillic with Greek: UTS #39 mixed-script), never in a word of one script: Russian and Greek prose stay as written.
// The offset map keeps the invariant (each Latin letter maps back to its one original code point).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier, normalizeText } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const types = (text: string) => classifier.classify([{ path: 'p', text }]).findings.map((f) => f.type);

describe('confusable letters in mixed-script words', () => {
  it('reads ЅЅN and SЅN as SSN, with each letter mapped to its own code point', () => {
    const n = normalizeText('ЅЅN 219099999 SЅN');
    expect(n.text).toBe('SSN 219099999 SSN');
    expect([n.startOf(0), n.endOf(1), n.startOf(15), n.endOf(16)]).toEqual([0, 1, 15, 16]);
  });

  it('reads the word across a dropped character or a mark on a look-alike (Ѕ, zero-width space, ЅN; Ѕ with an acute)', () => {
    expect(normalizeText('Ѕ\u200bЅN 1').text).toBe('SSN 1');
    expect(normalizeText('Ѕ\u0301ЅN 1').text).toBe('SSN 1');
    expect(normalizeText('𝐒ЅN 1').text).toBe('SSN 1');
  });

  it('reads a word of Cyrillic and Greek look-alikes (ЅЅΝ: Dze, Dze, Greek Nu) as Latin', () => {
    expect(normalizeText('ЅЅΝ: 1').text).toBe('SSN: 1');
  });

  it('keeps Russian and Greek words as written, beside Latin words and digits', () => {
    for (const text of [
      'Сергей Иванов, АО «Ромашка», ТАСС 2024',
      'Ο Κώστας και η Ελένη',
      'КОТ СОК ЅЅЅ',
      'ЕКАТЕРИНА 5 кг',
    ]) {
      expect(normalizeText(text).text).toBe(text);
    }
  });

  it('reads Cyrillic capitals inside a key (А К Е О Р С Т Х among Latin letters and digits)', () => {
    const key = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5';
    const disguised = key.replace('E5', 'Е5').replace('K9', 'К9').replace('T5', 'Т5');
    expect(normalizeText(disguised).text).toBe(key);
    expect(types(`token ${disguised}`)).toEqual(types(`token ${key}`));
  });

  it('finds an SSN labelled ЅЅN or SЅN, and redaction covers the Cyrillic letters', () => {
    expect(types('ЅЅN 219099999')).toContain('US_SSN');
    expect(types('SЅN 219099999')).toContain('US_SSN');
    expect(types('ЅЅЅ 219099999')).not.toContain('US_SSN');
  });

  it('keeps the invariant: every normalised span maps back to the code points that produced it', () => {
    const letters = ['Ѕ', 'А', 'о', 'Ν', 'ж', 'S', 'N', '1', ' ', '\u200b', 'é'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...letters), { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        const n = normalizeText(text);
        for (let i = 0; i < n.text.length; i += 1) {
          const from = n.startOf(i);
          const to = n.endOf(i + 1);
          expect(from).toBeLessThan(to);
          const source = text.slice(from, to).replace(/\u200b/g, '');
          // A Latin letter or digit comes from one code point: itself, or a look-alike of it.
          if (/[A-Za-z0-9]/.test(n.text.charAt(i))) expect([...source].length).toBe(1);
        }
      }),
    );
  });
});

describe('look-alikes of other scripts, Latin look-alikes and accented capitals', () => {
  it('reads a Cherokee, Lisu, Coptic or Armenian look-alike inside a word with Latin letters or digits', () => {
    expect(normalizeText('\u13AA\u13E6IA9 \uA4EEB1 \u2C80B1 \u054F\u054FN').text).toBe('AKIA9 AB1 AB1 SSN');
    const n = normalizeText('x \u13AAKIA');
    expect([n.startOf(2), n.endOf(3)]).toEqual([2, 3]);
  });

  it('reads small capitals and IPA letters in any word, a small one as a capital among capitals', () => {
    expect(normalizeText('\uA731\uA731\u0274 123').text).toBe('SSN 123');
    expect(normalizeText('\u0251KIA2 \u0251bc').text).toBe('AKIA2 abc');
  });

  it('reads an accented letter as its letter only in a word of capitals and digits (a mark on a look-alike too)', () => {
    expect(normalizeText('\u00C0KIA2 \u0160\u0160N').text).toBe('AKIA2 SSN');
    expect(normalizeText('\u13AA\u0301KIA2').text).toBe('AKIA2');
    for (const prose of ['Ärger in Zürich, café crème', 'Ça va. À demain, Éloïse', 'Škoda Octavia', 'ĀĒĪ']) {
      if (prose === 'ĀĒĪ') expect(normalizeText(prose).text).toBe('AEI');
      else expect(normalizeText(prose).text).toBe(prose);
    }
  });

  it('control: Armenian, Cherokee, Russian and Greek prose stay as written', () => {
    const prose = [
      'Տուն, Սարգիս ու Արամ 2024 թվականին գնացին Գյումրի։',
      'ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ ᎠᏂᏴᏫᏯ ᏥᏍᏆᏂᎪᏗ',
      'Ꭺ Ꮪ ᎪᏦ 2024',
      'Сотрудник Иван Петров, СНИЛС 123-456-789 64, Москва',
      'Ο υπάλληλος Νίκος, ΑΜΚΑ 01019912345, Αθήνα',
    ];
    for (const text of prose) expect(normalizeText(text).text).toBe(text);
  });

  it('finds a key with a Cherokee A and an SSN under small capitals, and redaction covers the look-alikes', () => {
    expect(types('aws_access_key_id = \u13AAKIAZ3MQWXR5TLPB6Y7N')).toContain('AWS_ACCESS_KEY');
    expect(types('Employee \uA731\uA731\u0274 219099999')).toContain('US_SSN');
  });
});
