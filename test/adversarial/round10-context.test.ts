// Round 10 of the attacker's review (session 12), context words as programs and other locales write them: an
// unformatted SSN needs a context word near it (`ssn`, `social security`, `social security number`), matched as words
// between non-letters on the text's UTF-8. A JSON key or a variable named `social_security_number`,
// `SOCIAL_SECURITY`, `socialSecurityNumber` holds the words glued by `_` (a word character) or by case, so no word
// is found and nine digits after it are forwarded, the very shape an API payload or a tool call carries them in; and
// a Turkish keyboard's capital İ (`SOCİAL SECURİTY NUMBER`) lower-cases to i + U+0307, so the words are not found
// either. Controls: `{"SSN":"219099999"}`, `ssn_number: …` and `Social Security: …` are refused.
import { describe, expect, it } from 'vitest';
import { fates, isForwarded } from './round9-helpers.ts';

describe('an SSN after its context word written as an identifier', () => {
  // Closed (context-words.ts): '_', '-', '.' and a camelCase hump stand between a context word's parts and around it.
  it.each([
    ['{"social_security_number": "219099999"}'],
    ['SOCIAL_SECURITY=219099999'],
    ['{"socialSecurityNumber": 219099999}'],
    ['SocialSecurityNumber: 219099999'],
  ])('%s is refused', async (text) => {
    expect(await isForwarded(text)).toBe(false);
  });
  it('an answer with {"social_security_number": "219099999"} reaches neither client unredacted', async () => {
    expect(await fates('{"name":"x","social_security_number":"219099999"}', '219099999')).toEqual({
      forwarded: false,
      relayed: false,
      streamed: false,
    });
  });
  it('control: ssn_number, a JSON key SSN and Social Security: before the digits are refused', async () => {
    for (const text of ['ssn_number: 219099999', '{"SSN":"219099999"}', 'Social Security: 219099999'])
      expect(await isForwarded(text)).toBe(false);
  });
});

describe('an SSN after its context word in Turkish capitals', () => {
  // Closed (context-words.ts foldDottedCapitals): İ is read as I, not lower-cased to i + U+0307.
  it('SOCİAL SECURİTY NUMBER 219099999 is refused', async () => {
    expect(await isForwarded('SOCİAL SECURİTY NUMBER 219099999')).toBe(false);
  });
  it('control: SOCIAL SECURITY NUMBER 219099999 is refused', async () => {
    expect(await isForwarded('SOCIAL SECURITY NUMBER 219099999')).toBe(false);
  });
});
