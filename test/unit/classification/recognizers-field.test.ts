// Issue 18: recognizers built on the field's knowledge (libphonenumber's metadata, a date grammar, name lists),
// widened MRN, routing, IP and secret patterns, and one finding per span (overlap.ts). Each case says what must be
// found, exactly, and what must be left alone.
import { describe, expect, it } from 'vitest';
import { createClassifier, DEFAULT_RECOGNIZERS } from '../../../src/classification/index.ts';
import { resolveOverlaps } from '../../../src/classification/overlap.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(1) });
const fictional = createClassifier({ fingerprintKey: new Uint8Array(32).fill(1), fictional: true });

function found(text: string, type: string, c = classifier): string[] {
  return c
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === type)
    .map((f) => text.slice(f.start, f.end));
}

function all(text: string): string[] {
  return classifier.classify([{ path: 'p', text }]).findings.map((f) => `${f.type}:${text.slice(f.start, f.end)}`);
}

describe('PHONE through libphonenumber metadata', () => {
  it.each([
    ['Korean mobile', 'call 010-1234-5678 now', '010-1234-5678'],
    ['German landline', 'Büro 030 12345678 bis 17 Uhr', '030 12345678'],
    ['Japanese landline', 'the office is 03-1234-5678', '03-1234-5678'],
    ['Australian landline', 'Sydney office (02) 9876 5432 today', '(02) 9876 5432'],
    ['Australian mobile', 'or 0412 345 678 after six', '0412 345 678'],
    ['UK landline', 'Desk: 0114 496 0694', '0114 496 0694'],
    ['French', 'joindre au 01 42 68 53 00 demain', '01 42 68 53 00'],
  ])('finds a national number without a phone word (%s)', (_, text, value) => {
    expect(found(text, 'PHONE')).toEqual([value]);
  });

  it.each([
    ['a German mobile split off its grouping', 'Ruf mich an: 0151 23456789', '0151 23456789'],
    ['a Korean word', '휴대폰 번호 02-312-3456', '02-312-3456'],
  ])('finds a national number next to a phone word in another language (%s)', (_, text, value) => {
    expect(found(text, 'PHONE')).toEqual([value]);
  });

  it.each([
    ['a dashed date', 'on 03-04-2024 we met'],
    ['a dotted date', 'bis zum 03.04.2024 bitte'],
    ['a version', 'upgraded to 1.2.3.4 today'],
    ['an id in odd groups', 'order 0123 456 789 shipped'],
    ['an IBAN tail', 'Konto DE89 3704 0044 0532 0130 00 bitte'],
  ])('leaves %s alone', (_, text) => {
    expect(found(text, 'PHONE')).toEqual([]);
  });

  it('excludes the 555-01xx block reserved for fiction unless the classifier is built with fictional: true', () => {
    expect(found('call (415) 555-0123', 'PHONE')).toEqual([]);
    expect(found('call (415) 555-0123', 'PHONE', fictional)).toEqual(['(415) 555-0123']);
    expect(found('call (415) 867-5309', 'PHONE')).toEqual(['(415) 867-5309']);
  });

  it('reports addresses at reserved domains only with fictional: true', () => {
    expect(found('mail ana@example.org', 'EMAIL')).toEqual([]);
    expect(found('mail ana@example.org', 'EMAIL', fictional)).toEqual(['ana@example.org']);
  });
});

describe('PHONE right next to a phone label, possible by length where the plan rejects it', () => {
  it.each([
    ['a country code, a range not in the plan', 'You can call +55 21 1615-3432 today', '+55 21 1615-3432'],
    ['a trunk (0) after the country code', 'Phone: +31(0)37 0372985', '+31(0)37 0372985'],
    ['Spain, which has no trunk prefix', 'Teléfono: 91 123 45 67', '91 123 45 67'],
    ['Japan written without its 0', 'Phone:\n45-1234-5678', '45-1234-5678'],
    ['an extension', 'Fax: 058-269-7302x6661', '058-269-7302x6661'],
    ['a label after the number', '413 185 492 office\n', '413 185 492'],
    ['French dotted pairs', 'Tél. 04.17.88.69.73', '04.17.88.69.73'],
    ['one run of ten digits', 'mobile 7652813567', '7652813567'],
    ['a Russian label', 'телефон: 8 (495) 123-45-67', '8 (495) 123-45-67'],
    ['a Chinese label', '电话：138 1234 5678', '138 1234 5678'],
    ['a Greek label', 'τηλέφωνο 210 123 4567', '210 123 4567'],
    ['a Polish label', 'numer telefonu 512 345 678', '512 345 678'],
  ])('finds %s', (_, text, value) => {
    expect(found(text, 'PHONE')).toEqual([value]);
  });

  it.each([
    ['the same number without a label', 'ticket 45-1234-5678 closed'],
    ['a count of nine digits in one run', 'the call took 123456789 ns'],
    ["an SSN's layout", 'call about 219-09-9999'],
    ['an IP address', 'the phone server at 10.20.30.40'],
    ['a date', 'call on 12.03.1985'],
    ['a timestamp', 'the call on 2024-03-15 10:30 went well'],
    ['a ZIP+4 code', 'Springfield IL 62704-1234 (office)'],
    ['a date first, then a time', 'Phone log: 15.03.2024 10 45 12'],
    ['one repeated digit', 'Phone: (111) 111-1111'],
    ['a label in another clause', 'Phone numbers change, ticket 45-1234-5678'],
    ['a postcode on the line before the label', '45841-536 Araújo\nMobile:'],
    ['a number glued to a digit group', 'call 1234 5678 9012 3456 7'],
  ])('leaves %s alone', (_, text) => {
    expect(found(text, 'PHONE')).toEqual([]);
  });

  it('finds a number with its country code and a possible length where the plan rejects the range, unlabelled', () => {
    expect(found('they are not answering at +31 933 261 501', 'PHONE')).toEqual(['+31 933 261 501']);
  });

  it.each([
    ['a country code no country has', 'country +999 123456789'],
    ['too few digits', 'diff +1234567 lines'],
    ['a signed percentage', 'growth +12.5% year on year'],
    ['a fictional 555-01xx number', 'sent to +1 212 555 0123'],
  ])('with a country code and no label, leaves %s alone', (_, text) => {
    expect(found(text, 'PHONE')).toEqual([]);
  });

  it('reports a fictional 555-01xx number only with fictional: true', () => {
    expect(found('Phone: 1 212 555 0123', 'PHONE')).toEqual([]);
    expect(found('Phone: 1 212 555 0123', 'PHONE', fictional)).toEqual(['1 212 555 0123']);
  });

  it('keeps one finding per span: an SSN by its label is not also a phone, a card stays a card', () => {
    expect(all('call me, SSN 219-09-9999')).toEqual(['US_SSN:219-09-9999']);
    expect(all('call to pay 4111 1111 1111 1111')).toEqual(['CREDIT_CARD:4111 1111 1111 1111']);
  });
});

describe('DATE_OF_BIRTH through a date grammar', () => {
  it.each([
    ['compact YYYYMMDD', 'DOB 19850312', '19850312'],
    ['DDMMMYY', 'DOB: 12MAR85', '12MAR85'],
    ['a two-digit year', 'born 3/12/85 in Leeds', '3/12/85'],
    ['dashes', 'Geboortedatum 12-03-1985', '12-03-1985'],
    ['French words', 'né le 1er janvier 1980 à Lyon', '1er janvier 1980'],
    ['Spanish words', 'fecha de nacimiento: 3 de marzo de 1985', '3 de marzo de 1985'],
    ['German words', 'Geburtsdatum: 12. März 1985', '12. März 1985'],
    ['Japanese', '生年月日：1985年3月12日', '1985年3月12日'],
    ['Portuguese birth word', 'Data de nascimento 1985-03-12', '1985-03-12'],
    ['Swedish birth word', 'Född 1985-03-12 i Malmö', '1985-03-12'],
    ['Turkish birth word and month', 'Doğum tarihi: 12 Mart 1985', '12 Mart 1985'],
    ['"D.O.B." is no sentence end', 'D.O.B. 12/03/1985', '12/03/1985'],
    ['an answer right after the question', 'Tell me your date of birth. It is 1977-12-07', '1977-12-07'],
    ['a biography\'s "(b."', 'Anna Smith (b. 12 March 1985) joined in May.', '12 March 1985'],
    ['a Spanish record label', 'Fecha nac.: 12/03/1985', '12/03/1985'],
    ['a Portuguese record label', 'Paciente: Ana Souza, data de nasc. 12/03/1985', '12/03/1985'],
    ['a French record label', 'Date de naiss. : 12/03/1985', '12/03/1985'],
    ['Danish', 'Fødselsdato 12.03.1985', '12.03.1985'],
    ['Finnish', 'syntymäaika 12.03.1985', '12.03.1985'],
    ['Polish', 'data urodzenia: 12.03.1985', '12.03.1985'],
    ['Croatian', 'datum rođenja 12.03.1985', '12.03.1985'],
    ['Russian', 'дата рождения: 12.03.1985', '12.03.1985'],
    ['Indonesian', 'tanggal lahir 12-03-1985', '12-03-1985'],
    ['Chinese', '出生日期：1985年3月12日', '1985年3月12日'],
  ])('finds %s', (_, text, value) => {
    expect(found(text, 'DATE_OF_BIRTH')).toEqual([value]);
  });

  it.each([
    ['an event next to "birthday"', 'Her birthday party on 12/03/2024 was fun'],
    ['a date in another sentence', 'I was born in Paris long ago. The meeting is on 03/04/2024 at noon.'],
    ['an impossible date', 'DOB 31/02/1985'],
    ['a date without a birth word', 'invoice dated 12 March 1985'],
    // The dev half's one missed shape (test/unit/quality-dev.test.ts): nothing says whose date, or that it is a birth.
    ['a date since when', "It's like that since 12/10/1971"],
    ['a date beside a name in a record, no birth word', 'Date: 2019-01-01\nName: Kaoru Morishita'],
    ['a birthday party in Chinese', '生日派对在2024年3月12日'],
  ])('leaves %s alone', (_, text) => {
    expect(found(text, 'DATE_OF_BIRTH')).toEqual([]);
  });
});

describe('MEDICAL_RECORD_NUMBER, US_BANK_ROUTING, IP_ADDRESS', () => {
  it.each([
    ['a dashed number', 'MRN: 123-456-789', '123-456-789'],
    ['a space before #', 'Medical record # 4456789', '4456789'],
    ['a French label', 'numéro de dossier : 00123456', '00123456'],
    ['a Spanish label', 'Historia clínica 7788990', '7788990'],
    ['a Turkish label ending in a letter RE2 does not call a word letter', 'Hasta numarası: 1234567', '1234567'],
    ['an abbreviated label with dots', 'Med. Rec. No. 1234567', '1234567'],
    ['an Italian label with "n."', 'Cartella clinica n. 1234567', '1234567'],
    ['a German compound', 'Krankenaktennummer 7788990', '7788990'],
    ['a Japanese label', '患者番号: 1234567', '1234567'],
    ['a Korean label', '환자번호 1234567', '1234567'],
  ])('MRN: finds %s', (_, text, value) => {
    expect(found(text, 'MEDICAL_RECORD_NUMBER')).toEqual([value]);
  });

  it.each([
    ['dashed', 'routing 0260-0959-3 for the wire', '0260-0959-3'],
    ['a plural context word', 'for wires use 021000021', '021000021'],
    ['a MICR line', 'cheque ⑆021000021⑆ 123456789⑈', '021000021'],
  ])('routing: finds %s', (_, text, value) => {
    expect(found(text, 'US_BANK_ROUTING')).toEqual([value]);
  });

  it.each([
    ['a number without a label', 'room 1234567 on the left'],
    ['a label glued into a longer word', 'unmrn 1234567'],
    ['a label with too short a number', '患者番号: 1234'],
  ])('MRN: leaves %s alone', (_, text) => {
    expect(found(text, 'MEDICAL_RECORD_NUMBER')).toEqual([]);
  });

  it('routing: keeps the ABA checksum', () => {
    expect(found('routing 021000022 for the wire', 'US_BANK_ROUTING')).toEqual([]);
  });

  it.each([
    ['a version', 'upgrade to version 10.0.0.1 tonight'],
    ['a section', 'see § 1.2.3.4 of the contract'],
    ['a netmask', 'netmask 255.255.255.0 on eth0'],
    ['loopback', 'listening on 127.0.0.1:8080'],
  ])('IP: leaves %s alone', (_, text) => {
    expect(found(text, 'IP_ADDRESS')).toEqual([]);
  });

  it('IP: still finds an address', () => {
    expect(found('blocked from 84.17.34.2 twice', 'IP_ADDRESS')).toEqual(['84.17.34.2']);
  });
});

describe('secrets', () => {
  it.each([
    ['a password with symbols', 'password: Tr0ub4dor&3!', 'PASSWORD', 'Tr0ub4dor&3!'],
    ['a password in a connection URL', 'DATABASE_URL=postgres://app:s3cr3t-P4ss@db:5432/x', 'PASSWORD', 's3cr3t-P4ss'],
    ['a password in a URL without a user', 'REDIS_URL=redis://:S3cretPass@cache:6379', 'PASSWORD', 'S3cretPass'],
    ['a PREFIX_TOKEN= line', 'MYAPP_TOKEN=q8Zr2LmX7vTn4KpW9sYb', 'GENERIC_API_KEY', 'q8Zr2LmX7vTn4KpW9sYb'],
    [
      'a token without digits',
      'api_key = "qwErTyUiOpAsDfGhJkLzXcVbNm"',
      'GENERIC_API_KEY',
      'qwErTyUiOpAsDfGhJkLzXcVbNm',
    ],
  ])('finds %s', (_, text, type, value) => {
    expect(found(text, type)).toEqual([value]);
  });

  it.each([
    ['a word', 'password: sunshine'],
    ['a variable', 'DB_PASSWORD=$DB_PASSWORD'],
    ['a placeholder in a URL', 'postgres://user:<password>@db/x'],
    ['a boolean', 'FEATURE_AUTH=true'],
  ])('leaves %s alone', (_, text) => {
    expect(found(text, 'PASSWORD').concat(found(text, 'GENERIC_API_KEY'))).toEqual([]);
  });
});

describe('PERSON_NAME', () => {
  it.each([
    ['a title', 'please correct it to Ms. Michele Moe?', 'Michele Moe'],
    ['a German title', 'Termin mit Frau Weber am Montag', 'Weber'],
    ['a label', 'Name: Karl-Jürgen Weinhage', 'Karl-Jürgen Weinhage'],
    ['a signature', 'Kind regards,\nJohn Smith', 'John Smith'],
    ['a greeting', 'Hi Maria-Luise, I am writing', 'Maria-Luise'],
    ['two listed names', 'the player Danielle Haynes was detained', 'Danielle Haynes'],
    ['a Japanese name', 'これは 井上 香織 です', '井上 香織'],
  ])('finds %s', (_, text, value) => {
    expect(found(text, 'PERSON_NAME')).toEqual([value]);
  });

  it.each([
    ['a greeting to a role', 'Dear Customer, thanks for writing'],
    ['capitalised words', 'Hello World from New York'],
    ['a product', 'We use Visual Studio Code daily'],
  ])('leaves %s alone', (_, text) => {
    expect(found(text, 'PERSON_NAME')).toEqual([]);
  });
});

describe('one finding per span', () => {
  it('an NHS number is not also a phone number', () => {
    expect(all('NHS number 943 476 5919')).toEqual(['UK_NHS:943 476 5919']);
  });

  it('a token before @host is a secret, not an email', () => {
    const text = 'token ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com';
    expect(all(text)).toEqual(['GITHUB_TOKEN:ghp_16C7e42F292c6912E7710c838347Ae178B4a']);
  });

  const at = (type: string, start: number, end: number, confidence = 80) => ({
    type,
    category: type === 'SECRET_X' ? 'SECRET' : 'PII',
    segment: 0,
    start,
    end,
    confidence,
  });

  it('validated beats unvalidated, then confidence, then the longer span; partial overlaps both stand', () => {
    const strength = (f: { type: string }) => (f.type === 'CHECKED' ? 2 : f.type === 'VALIDATED' ? 1 : 0);
    expect(resolveOverlaps([at('PLAIN', 0, 12, 99), at('CHECKED', 0, 12, 50)], strength).map((f) => f.type)).toEqual([
      'CHECKED',
    ]);
    // A lower-ranked span around a higher-ranked one does not hide it: both stand.
    expect(resolveOverlaps([at('VALIDATED', 2, 8), at('PLAIN', 0, 12)], strength).map((f) => f.type)).toEqual([
      'VALIDATED',
      'PLAIN',
    ]);
    expect(resolveOverlaps([at('VALIDATED', 0, 8), at('PLAIN', 4, 12)], strength).map((f) => f.type)).toEqual([
      'VALIDATED',
      'PLAIN',
    ]);
    expect(resolveOverlaps([at('A', 0, 8, 90), at('B', 0, 8, 80)], () => 1).map((f) => f.type)).toEqual(['A']);
  });
});

describe('separate candidate sets', () => {
  it('find exactly what one combined set finds (separateSet changes speed, never findings)', () => {
    const combined = createClassifier({
      fingerprintKey: new Uint8Array(32).fill(1),
      recognizers: DEFAULT_RECOGNIZERS.map((r) => ({ ...r, separateSet: false })),
    });
    const text = [
      'DOB: 12MAR85, Name: Karl-Jürgen Weinhage, call 010-1234-5678 or +44 20 7946 0958.',
      'Kind regards,\nJohn Smith\nfecha de nacimiento: 3 de marzo de 1985; card 4111 1111 1111 1111',
      'これは 井上 香織 です. password: Tr0ub4dor&3! and MRN: 123-456-789',
    ].join('\n');
    const segments = [{ path: 'p', text }];
    expect(classifier.classify(segments)).toEqual(combined.classify(segments));
  });

  it('refuses a separateSet that is not a boolean', () => {
    const bad = { ...DEFAULT_RECOGNIZERS[0], separateSet: 'yes' } as unknown as (typeof DEFAULT_RECOGNIZERS)[0];
    expect(() => createClassifier({ fingerprintKey: new Uint8Array(32).fill(1), recognizers: [bad] })).toThrow(
      /separateSet must be a boolean/,
    );
  });
});
