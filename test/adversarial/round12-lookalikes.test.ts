// Round 12 of the attacker's review (session 14), look-alike letters past normalize.ts's reading (26e2835, b7ac959:
// Cyrillic or Greek letters inside a Latin word are read as the Latin letter they look like): look-alikes from other
// scripts (Cherokee, Lisu, Coptic), from Latin itself (IPA's ɑ, small capital ɴ), and precomposed accented letters
// (À, Ä as one code point: the main view drops a combining mark on an ASCII letter, not a letter that carries it). A
// person and a model read each as the AWS key id or the SSN word. Controls: the Cyrillic А and a combining mark.
import { describe, expect, it } from 'vitest';
import { isForwarded } from './round9-helpers.ts';

const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';

describe("an AWS key id with one look-alike letter (a .env's aws_access_key_id = …)", () => {
  it.each([
    ['a Cyrillic А (U+0410)', `\u0410${KEY.slice(1)}`],
    ['A with a combining diaeresis (U+0308)', `A\u0308${KEY.slice(1)}`],
  ])('control: the key with %s is refused', async (_name, key) => {
    expect(await isForwarded(`aws_access_key_id = ${key}`)).toBe(false);
  });

  // HOLE (closed, src/classification/normalize.ts): the look-alike reading covered Cyrillic and Greek letters only;
  // Cherokee Ꭺ (U+13AA), Lisu ꓮ (U+A4EE), Coptic Ⲁ (U+2C80) and Latin's own ɑ (U+0251) and small capital ɴ (U+0274)
  // are read now (every script's confusables.txt letters in a mixed-script word; Latin's own and small capitals in any).
  it.each([
    ['a Cherokee Ꭺ', `\u13AA${KEY.slice(1)}`],
    ['Cherokee ᎪᏦᏆᎪ for AKIA', `\u13AA\u13E6\u13C6\u13AA${KEY.slice(4)}`],
    ['a Lisu ꓮ', `\uA4EE${KEY.slice(1)}`],
    ['a Coptic Ⲁ', `\u2C80${KEY.slice(1)}`],
    ['a Latin alpha ɑ', `\u0251${KEY.slice(1)}`],
    ['a small capital ɴ last', `${KEY.slice(0, -1)}\u0274`],
  ])('the key with %s is refused', async (_name, key) => {
    expect(await isForwarded(`aws_access_key_id = ${key}`)).toBe(false);
  });

  // HOLE (closed, src/classification/normalize.ts): a combining mark on an ASCII letter is dropped, but the same letter
  // precomposed (NFC, as keyboards and most editors write it) was read as a non-ASCII letter; in a word of capitals
  // and digits an accented letter is read as its letter now (ACCENT_BASES).
  it.each([
    ['À (U+00C0)', `\u00C0${KEY.slice(1)}`],
    ['Ä (U+00C4)', `\u00C4${KEY.slice(1)}`],
  ])('the key with a precomposed %s is refused', async (_name, key) => {
    expect(await isForwarded(`aws_access_key_id = ${key}`)).toBe(false);
  });
});

describe('the SSN word in look-alike letters', () => {
  it('control: ЅЅN (Cyrillic Dze) 219099999 is refused', async () => {
    expect(await isForwarded('Employee \u0405\u0405N 219099999')).toBe(false);
  });

  // HOLE (closed, src/classification/normalize.ts): as above, for the context word that makes nine bare digits an SSN.
  it.each([
    ['Armenian Տ (U+054F) for S', '\u054F\u054FN'],
    ['Cherokee Ꮪ (U+13DA) for S', '\u13DA\u13DAN'],
    ['small capitals ꜱꜱɴ', '\uA731\uA731\u0274'],
    ['a precomposed Š (U+0160)', '\u0160\u0160N'],
  ])('%s: "Employee <word> 219099999" is refused', async (_name, word) => {
    expect(await isForwarded(`Employee ${word} 219099999`)).toBe(false);
  });
});
