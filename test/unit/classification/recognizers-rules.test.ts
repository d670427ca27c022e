// Rules of the built-in set that the corpus does not pin down one by one: reserved domains and placeholders are not
// findings, issuer ranges and lengths, context as whole words, fallbacks yielding, checksums rejecting typos.
import { describe, expect, it } from 'vitest';
import { createClassifier, DEFAULT_RECOGNIZERS } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(4) });
const found = (text: string) =>
  classifier.classify([{ path: 'p', text }]).findings.map((f) => [f.type, text.slice(f.start, f.end)]);

describe('built-in recognizer rules', () => {
  it('every built-in pattern compiles and the set has every documented type', () => {
    // PASSWORD, PERSON_NAME and NL_BSN since issue 18
    expect(new Set(DEFAULT_RECOGNIZERS.map((r) => r.type)).size).toBe(31);
  });

  it.each(['ops@example.com', 'a@mail.example.org', 'x@host.test', 'y@foo.invalid', 'z@example', 'w@box.localhost'])(
    'ignores reserved example domain %s',
    (email) => {
      expect(found(`mail ${email} now`)).toEqual([]);
    },
  );

  it.each([
    'AKIAIOSFODNN7EXAMPLE',
    'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'api_key = "<your-api-key-goes-here>"',
    'token: YOUR_TOKEN_1234567890abc',
    'sk_live_XXXXXXXXXXXXXXXXXXXXXXXX',
  ])('ignores the documented placeholder in %s', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('accepts Mastercard 2-series 2221–2720 and rejects 2721 (Luhn-valid both)', () => {
    expect(found('card 2221000000000009')).toEqual([['CREDIT_CARD', '2221000000000009']]);
    expect(found('card 2720990000000007')).toEqual([['CREDIT_CARD', '2720990000000007']]);
    expect(found('card 2721000000000006')).toEqual([]);
  });

  it('rejects a Visa-prefixed number of a length Visa does not issue (15 digits, Luhn-valid)', () => {
    expect(found('card 411111111111116')).toEqual([]);
  });

  it('matches context words as words, not inside other words', () => {
    expect(found('testing 219099999')).toEqual([]); // "tin" inside "testing" is no SSN context
    // A 1099's TIN column: TIN is a bare-SSN word since 0f0ccf6 (a person's taxpayer number is the SSN).
    expect(found('TIN 219099999')).toEqual([['US_SSN', '219099999']]);
    expect(found('SSN 219099999')).toEqual([['US_SSN', '219099999']]);
    expect(found('the nhsx 9434765919')).toEqual([]);
    expect(found('NHS: 9434765919')).toEqual([['UK_NHS', '9434765919']]);
  });

  it('reads nine digits next to a BSN word as a Dutch BSN, and lets the BSN word win over an SSN word', () => {
    expect(found('Mijn BSN is 111222333.')).toEqual([['NL_BSN', '111222333']]);
    expect(found('burgerservicenummer: 1234.56.782')).toEqual([['NL_BSN', '1234.56.782']]);
    expect(found('BSN (Dutch social security number): 123456782')).toEqual([['NL_BSN', '123456782']]);
    // Only an SSN word: the text calls it an SSN, and one US SSN in eleven passes the 11-proef.
    expect(found('SSN 123456782')).toEqual([['US_SSN', '123456782']]);
    expect(found('BSN 123456783')).toEqual([]); // 11-proef fails
  });

  it('rejects typos by checksum', () => {
    expect(found('IBAN DE89 3704 0044 0532 0130 01')).toEqual([]);
    expect(found('routing number 021000022')).toEqual([]);
    expect(found('eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toEqual([]);
    expect(found('btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb')).toEqual([]);
  });

  it('lets a generic key yield to the specific finding it overlaps', () => {
    expect(found('token: ghp_W1CeNiJ5VQj6GK6KIQhvkm6N6cBZcL6JCAiG')).toEqual([
      ['GITHUB_TOKEN', 'ghp_W1CeNiJ5VQj6GK6KIQhvkm6N6cBZcL6JCAiG'],
    ]);
  });

  it('finds a truncated private key block up to the end of the text', () => {
    const text =
      'key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW';
    expect(found(text)).toEqual([['PRIVATE_KEY', text.slice(5)]]);
  });

  it('does not take a date near a birth word for a date of birth unless the word comes first and close', () => {
    expect(found('DOB: 1984-07-02. Admitted on 2024-02-11 after a fall.')).toEqual([['DATE_OF_BIRTH', '1984-07-02']]);
    expect(found('expires 2029-05-19. Born in Ohio.')).toEqual([]);
  });

  it('separates two IBANs in a row and a phone followed by an IP', () => {
    expect(found('DE89 3704 0044 0532 0130 00 DE89 3704 0044 0532 0130 00').map(([t]) => t)).toEqual(['IBAN', 'IBAN']);
    expect(found('+44 20 7946 0958 10.20.30.40')).toEqual([
      ['PHONE', '+44 20 7946 0958'],
      ['IP_ADDRESS', '10.20.30.40'],
    ]);
  });

  // fast-check seed 332860409 (redaction property): the phone's match swallowed the SSN's groups and failed the plan.
  it('finds a phone followed by another number: the shorter valid prefix of the groups', () => {
    expect(found('+44 20 7946 0958 219-09-9999 ')).toEqual([
      ['PHONE', '+44 20 7946 0958'],
      ['US_SSN', '219-09-9999'],
    ]);
    expect(found('+1 415 867 5309 12/03/2024')).toEqual([['PHONE', '+1 415 867 5309']]);
    expect(found('+44 20 7946 0958 4111 1111 1111 1111')).toEqual([
      ['PHONE', '+44 20 7946 0958'],
      ['CREDIT_CARD', '4111 1111 1111 1111'],
    ]);
    // groups that are no phone at any length stay unfound; a valid number yields no shorter one inside it
    expect(found('+1 123 456 7890 12')).toEqual([]);
    expect(found('+49 30 901820 12 34')).toEqual([['PHONE', '+49 30 901820 12 34']]);
  });
});
