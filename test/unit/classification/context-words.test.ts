// Context words in identifiers and other cases (context-words.ts): hasContext finds a recognizer's word written as a
// JSON key, a variable or a constant (`social_security_number`, `socialSecurityNumber`, `SOCIAL-SECURITY`, `D.O.B`,
// `SOCİAL SECURİTY`, `socıal securıty`, `S.S.N.`, `SSNs`), for every type; a word glued inside a longer lower-case
// word stays no word (`assn`, `cache`, `assns`, `ıssn` read as `issn`); and the RE2 searches that gate and window
// recognizers (contextWordSource) find a word wherever hasContext does.
import fc from 'fast-check';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { type CompiledRecognizer, compileRecognizers } from '../../../src/classification/compile.ts';
import {
  contextWordSource,
  contextWordsRegExp,
  contextWordTest,
  foldDottedCapitals,
} from '../../../src/classification/context-words.ts';
import { hasContext } from '../../../src/classification/match-context.ts';
import { DEFAULT_RECOGNIZERS } from '../../../src/classification/recognizers.ts';

const recognizers = compileRecognizers(DEFAULT_RECOGNIZERS, {});
const byType = (type: string, required = true) =>
  recognizers.find((r) => r.type === type && r.requireContext === required) as CompiledRecognizer;

/** Whether `label` before a value `value` of `r` (a space apart) puts the value in context. */
function labelled(r: CompiledRecognizer, label: string, value: string): boolean {
  const text = `${label}${value}`;
  const simple = hasContext(text, text.toLowerCase(), label.length, text.length, r); // as classify passes an ASCII text
  const alone = hasContext(text, undefined, label.length, text.length, r);
  if (!/[\u0130\u0131]/.test(text)) expect(simple).toBe(alone); // classify folds both (not a simple text)
  return alone;
}

describe('context words written as identifiers', () => {
  const ssn = byType('US_SSN');
  it.each([
    '{"social_security_number": "',
    'SOCIAL_SECURITY=',
    '{"socialSecurityNumber": ',
    'SocialSecurityNumber: ',
    'social-security-number: ',
    'social.security.number = ',
    'social  security\tnumber ',
    'socialsecuritynumber: ',
    'SOCİAL SECURİTY NUMBER ',
    'userSSN: ',
    'ssnValue=',
    'SSNNumber: ',
    'ssn_hash: ',
    'mySsn = ',
    'socıal securıty number ',
    'SOCIAL SECURITY NUMBER '.toLocaleLowerCase('tr'),
    'S.S.N. ',
    's.s.n: ',
    'S S N ',
    'employee SSNs: ',
    'ssns=',
    'userSSNs: ',
  ])('%s before an SSN is its context', (label) => {
    expect(labelled(ssn, label, '219099999')).toBe(true);
  });

  it.each([
    ['CREDIT_CARD', 'creditCard: ', '4111111111111111'],
    ['CREDIT_CARD', 'CARD_NUMBER=', '4111111111111111'],
    ['US_PASSPORT', 'passport_number: ', '123456789'],
    ['US_PASSPORT', 'passportNo=', '123456789'],
    ['DATE_OF_BIRTH', 'date_of_birth: ', '1984-07-02'],
    ['DATE_OF_BIRTH', 'dateOfBirth=', '1984-07-02'],
    ['DATE_OF_BIRTH', 'D-O-B ', '1984-07-02'],
    ['DATE_OF_BIRTH', 'Jan Kowalski (ur. ', '12.03.1985'],
    ['DATE_OF_BIRTH', 'Иванов Иван, дата рожд.: ', '12.03.1985'],
    ['DATE_OF_BIRTH', 'Дата народження: ', '12.03.1985'],
    ['DATE_OF_BIRTH', 'Він народився ', '12.03.1985'],
    ['DATE_OF_BIRTH', 'doğum tarıhı: ', '12.03.1985'],
    ['US_BANK_ROUTING', 'routingNumber: ', '021000021'],
    ['UK_NHS', 'NHS_NUMBER=', '9434765919'],
    ['NL_BSN', 'burger_service_nummer: ', '111222333'],
  ])('%s: %s before the value is its context', (type, label, value) => {
    expect(labelled(byType(type), label, value)).toBe(true);
  });

  it('an IBAN and an AWS key word in identifiers (recognizers that do not require context)', () => {
    expect(labelled(byType('IBAN', false), 'ibanCode: ', 'DE89370400440532013000')).toBe(true);
    expect(labelled(byType('IBAN', false), 'BANK_ACCOUNT=', 'DE89370400440532013000')).toBe(true);
    const aws = recognizers.find((r) => r.type === 'AWS_ACCESS_KEY') as CompiledRecognizer;
    expect(labelled(aws, 'accessKeyId=', 'AKIAIOSFODNN7EXAMPLE')).toBe(true);
  });

  it('controls: a word glued inside a longer lower-case word, or cut by a window edge, is no word', () => {
    const ssn = byType('US_SSN');
    const plurals = ['assns: ', 'classns ', 'ssnsx ', 'ASSNS: ', 'ıssn: ', 'sıs.n: '];
    for (const label of ['assn: ', 'ssnx ', 'socialsecure ', 'Classnumber: ', 'ASSN: ', 'SSNX ', ...plurals])
      expect(labelled(ssn, label, '219099999'), label).toBe(false);
    // Short parts stand glued only at a hump: 'd.o.b' is no word in 'adobe', 'keyid' is none of 'key id'.
    expect(labelled(byType('DATE_OF_BIRTH'), 'in adobe ', '1984-07-02')).toBe(false);
    // 'ur.' and 'рожд.' only with their dot: 'our.', 'hour.' and Christmas (Рождество) hold no birth word.
    for (const label of ['see our. ', 'in an hour. ', 'Рождество ', 'tour. '])
      expect(labelled(byType('DATE_OF_BIRTH'), label, '25.12.1985'), label).toBe(false);
    // A window's edge on the first s of 'classn' (contextBefore characters before the value) makes no 'ssn' of it.
    const far = `${'x'.repeat(10)}classn${' '.repeat(ssn.contextBefore - 3)}`;
    expect(labelled(ssn, far, '219099999')).toBe(false);
    expect(labelled(ssn, far.replace('classn', 'cla ssn'), '219099999')).toBe(true);
  });
});

describe('the RE2 word searches', () => {
  const words = [...new Set(recognizers.flatMap((r) => r.contextWords))];
  const word = fc.constantFrom(...words).chain((w) =>
    fc.constantFrom(
      w,
      w.toUpperCase(),
      `${w.charAt(0).toUpperCase()}${w.slice(1)}`,
      w.replaceAll(' ', '_'),
      w.replace(/ (.)/g, (_m, c: string) => c.toUpperCase()),
      w.toUpperCase().replaceAll('I', '\u0130'),
      w.replaceAll('i', '\u0131'),
      w.replace(/ (.)/g, (_m, c: string) => c.toUpperCase()).replaceAll('i', '\u0131'),
    ),
  );
  const glue = fc.constantFrom(
    ...[' ', '', '-', '_', '.', '  ', 'x', 'Q', 'aB', 'AB', 'Abc', '7', '\n', '\u00a0', '\u3000', 'é', 'É'],
    ...['\u212a', '\u017f', '\u0130', 'ı', 'ß', 'Σ', '😀', '—', 'Number', 'number', 'ID'],
  );
  const texts = fc.array(fc.oneof(word, glue), { maxLength: 12 }).map((parts) => parts.join(''));

  it('find every word hasContext finds (the gate and the windows MUST NOT miss one)', () => {
    const searches = words.map(
      (w) => [w, contextWordsRegExp([w]), contextWordTest([w]), new RE2(contextWordSource(w))] as const,
    );
    fc.assert(
      fc.property(texts, (text) => {
        const bytes = Buffer.from(text, 'utf8');
        const folded = foldDottedCapitals(text);
        for (const [w, written, test, search] of searches)
          if (written.test(folded) || test(text, folded.toLowerCase()))
            expect(search.test(bytes), `${w} in ${text}`).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  // Before, with İ read as I (a letter: lower-cased, it made i + a mark, and `İssn` held `ssn` after the mark). Read as
  // a column's header (`label`), where an everyday word (`tin`) counts in any case as every other word does.
  it('find every word the lower-cased text held between non-letters (never fewer than before)', () => {
    const before = (w: string) => new RegExp(`(?<![A-Za-z])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z])`);
    const matchers = words.map((w) => [w, before(w), contextWordTest([w])] as const);
    fc.assert(
      fc.property(texts, (text) => {
        const lower = foldDottedCapitals(text).toLowerCase();
        for (const [w, old, now] of matchers)
          if (old.test(lower)) expect(now(text, lower, true), `${w} in ${text}`).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('an everyday word (tin, the metal) as a context word', () => {
  const test = contextWordTest(['ssn', 'tin', 'itin']);
  const holds = (text: string, label = false) => test(text, foldDottedCapitals(text).toLowerCase(), label);

  it.each(['TIN', 'SSN/TIN', 'ITIN 12', 'Tin:', 'tin #', '"tin": ', 'Tin No. ', 'payee_tin', 'tin_nbr', 'payeeTin'])(
    'stands in %s',
    (text) => expect(holds(text)).toBe(true),
  );

  it.each(['tin cans', 'Tin whistle', 'a tin-roof shed', 'TINK', 'tinsel', 'Itinerary:', 'testing'])(
    'does not stand in %s',
    (text) => expect(holds(text)).toBe(false),
  );

  it('stands in a column header in any case, and every other word as before', () => {
    expect(holds('tin', true)).toBe(true);
    expect(holds('Tin', true)).toBe(true);
    expect(holds('ssn of the payee')).toBe(true);
  });
});
