// Round 13 of the attacker's review (session 15), look-alike letters (normalize.ts, aaa4495: every BMP letter whose
// confusables.txt skeleton is one ASCII letter) past the Basic Multilingual Plane, and enclosed letters NFKC leaves as
// they are. A model reads `𐊠KIA…` (Carian A) and `🅰🅺🅸🅰…` (negative squared letters) as the AWS key id they draw.
// Controls: a Cyrillic `К`, a Cherokee `Ꭺ` and squared `🄰` (NFKC: A) inside the key id are refused; flag emoji, blood
// type letters and a Carian word in prose are forwarded.
import { describe, expect, it } from 'vitest';
import { AWS } from './round7-helpers.ts';
import { isForwarded, isStreamed } from './round9-helpers.ts';

const KEY = AWS.value;
/** The key id with each capital Latin letter drawn from the 26 code points at `first` (digits kept). */
const enclosed = (first: number) =>
  [...KEY].map((c) => (/[A-Z]/.test(c) ? String.fromCodePoint(first + c.charCodeAt(0) - 65) : c)).join('');
/** The key id with its first A as `a`. */
const firstA = (a: string) => a + KEY.slice(1);

describe('an AWS key id written with look-alike and enclosed letters', () => {
  it('control: a Cyrillic К, a Cherokee Ꭺ, squared 🄰 letters are refused, and withheld from a stream', async () => {
    for (const text of [KEY.replace('K', 'К'), firstA('Ꭺ'), enclosed(0x1f130)]) {
      expect(await isForwarded(`aws_access_key_id = ${text}`)).toBe(false);
    }
    expect(await isStreamed(`id: ${enclosed(0x1f130)}`, enclosed(0x1f130).slice(-12))).toBe(false);
  });

  // HOLE closed in src/classification/look-alikes.ts (split out of normalize.ts): look-alikes were read for BMP code
  // points only (aaa4495's table from confusables.txt stopped at U+FFFF). The table now takes the data's entries past
  // it (Carian `𐊠` is A there) and, as the data lacks them, Old Italic `𐌀` and Lycian `𐊀` (drawn as A).
  it.each([
    ['Carian 𐊠', '\u{102A0}'],
    ['Old Italic 𐌀', '\u{10300}'],
    ['Lycian 𐊀', '\u{10280}'],
  ])('the key id with a %s as its A is refused', async (_name, a) => {
    expect(await isForwarded(`aws_access_key_id = ${firstA(a)}`)).toBe(false);
  });

  // HOLE closed in src/classification/normalize.ts and unicode-table.ts enclosedLetter: NFKC reads squared `🄰` and
  // circled `Ⓐ` letters, not the negative squared (U+1F170-1F189), negative circled (U+1F150-1F169) letters nor the
  // regional indicators (U+1F1E6-1F1FF, the letters of flag emoji): no decomposition, and no confusables entry. The
  // main view now reads the negative ones as their capitals everywhere (as NFKC's squared ones), and a regional
  // indicator as a look-alike: in a word with a Latin letter or digit, not in a flag.
  it.each([
    ['negative squared 🅰', 0x1f170],
    ['negative circled 🅐', 0x1f150],
    ['regional indicator 🇦', 0x1f1e6],
  ])('the key id in %s letters is refused, and withheld from a stream', async (_name, first) => {
    const text = enclosed(first);
    expect(await isForwarded(`aws_access_key_id = ${text}`)).toBe(false);
    expect(await isStreamed(`id: ${text}`, text.slice(-12))).toBe(false);
  });

  it.each([
    ['flag emoji in prose', 'Flights 🇺🇸→🇬🇧 for the 🇩🇪 🇫🇷 teams, and 🇯🇵🇰🇷 next year'],
    ['a flag beside a year', 'Champions 🇦🇷2022, runners-up 🇫🇷2022'],
    ['blood types and a parking sign', 'Donors 🅰🅱 and 🅾️ welcome, 🅿️ at the back, 🆎 too'],
    ['a Carian word alone', '𐊠𐊡𐊢 on a stone'],
  ])('control: %s is forwarded', async (_name, text) => {
    expect(await isForwarded(text)).toBe(true);
  });
});
