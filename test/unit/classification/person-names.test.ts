// Person names (src/classification/person-names.ts) beyond the basic cases of recognizers-field.test.ts: a lone name
// that an introduction, the name list or the people around it make one, and the prose that must stay free of names
// (product names, units, addresses). Each case says what must be found, exactly, or that nothing is.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { givenNamesFrom, MIN_GIVEN_NAMES } from '../../../src/classification/person-name-lists.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(1) });

function names(text: string): string[] {
  return classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === 'PERSON_NAME')
    .map((f) => text.slice(f.start, f.end));
}

describe('a name an introduction makes one', () => {
  it.each([
    ['a name no list knows after "call me"', 'Sometimes people call me Izaket', 'Izaket'],
    ['a family name no list knows after a title', 'For my take on Dr. Atzler, see the list', 'Atzler'],
    ['a lower-case title', "I'd like to join accounts with ms. Julcsa", 'Julcsa'],
    ['an unknown name after "my name is"', 'My name is Alterio', 'Alterio'],
    ['a name whose last letter is not ASCII, whole', 'Hi Chloë, thanks for writing', 'Chloë'],
    ['a family name whose last letter is not ASCII, whole', 'Her maiden name is Dujmović', 'Dujmović'],
  ])('finds %s', (_, text, value) => {
    expect(names(text)).toEqual([value]);
  });

  it.each([
    ['a unit, then a word that is also a name', 'commit wait p99 10.9 ms. So on an idle machine'],
    ['a title after "this is"', 'Hello, this is Mr.'],
    ['an everyday word after a greeting', 'Hello World, Dear Customer'],
  ])('leaves %s alone', (_, text) => {
    expect(names(text)).toEqual([]);
  });
});

describe('a name a naming phrase makes one, even an everyday word', () => {
  it.each([
    [
      'a family name that is a word, after "maiden name is"',
      'She was born on 1929-10-13. Her maiden name is Rose',
      'Rose',
    ],
    ['a given name that is a word, after "call me"', 'Sometimes people call me Guy', 'Guy'],
    ['a family name after "last name?"', "What's your last name? Brown", 'Brown'],
    ['a name after a German naming phrase', 'Mein Name ist Will', 'Will'],
  ])('finds %s', (_, text, value) => {
    expect(names(text)).toEqual([value]);
  });

  it.each([
    ['a common word no name list knows', 'My name is Default'],
    ['a branch named after a word', 'a branch named Main and one called Master'],
    ['a bare name label in configuration', 'name: Test'],
  ])('leaves %s alone', (_, text) => {
    expect(names(text)).toEqual([]);
  });
});

describe('a series of names', () => {
  it('finds each item of a series with two sure given names in it, one-word and two-word items alike', () => {
    expect(names('They had 6: Calixta, Mateo, Flavio, María Pilar, Florencia and Ani.')).toEqual([
      'Calixta',
      'Mateo',
      'Flavio',
      'María Pilar',
      'Florencia',
      'Ani',
    ]);
  });

  it('finds a series closed by another language’s conjunction', () => {
    expect(names('Ils étaient là : Mathilde, Bérénice et Augustin.')).toEqual(['Mathilde', 'Bérénice', 'Augustin']);
  });

  it.each([
    ['products with no given name', 'Chrome, Firefox, Safari and Edge render it the same way.'],
    ['places', 'Offices in Lisbon, Porto, Madrid and Valencia opened this year.'],
    ['a series with one given name only', 'Install Redis, Postgres and Cassandra first.'],
  ])('leaves %s alone', (_, text) => {
    expect(names(text)).toEqual([]);
  });
});

describe('a lone name that words about people near it make one', () => {
  it.each([
    ['a pronoun in the next sentence', 'Rory is very reliable. You can always depend on him.', ['Rory']],
    ['a speech verb', 'I am so jealous! said Nathalie to me', ['Nathalie']],
    ['a possessive and kin', "It was a done thing between him and Mathias's kid", ['Mathias']],
    ['a word no list knows, near a pronoun', 'Kameta is very reliable. You can always depend on him.', ['Kameta']],
    ['a family name no list knows, near "man"', 'Rousselet is a 93 year old man.', ['Rousselet']],
    ['a predicate that calls it a person', 'Emily is a very sympathetic person. They listen well.', ['Emily']],
    ['a possessive before an address', "As promised, here's Margaret's address:", ['Margaret']],
    [
      // A capital glued after a digit starts no name (81299d7: random base64 reads `…DC4Zvdety` so): `2 Rousselet` does.
      'a word no list knows after punctuation and a digit',
      '(Kameta) and 2 Rousselet: he and his kid',
      ['Kameta', 'Rousselet'],
    ],
  ])('finds %s', (_, text, value) => {
    expect(names(text)).toEqual(value);
  });

  it.each([
    ['a listed name with no people near it', 'Kong, LiteLLM and Portkey route, cache and count spend.'],
    ['a place after "lives in"', 'My friend lives in Cuenca'],
    ['a street after "side of"', 'He lives on the north side of Dennis Trafficway.'],
    ['a town opened by a place word', 'Port Angela is where she lives'],
    ['a street after "corner of"', 'Stop at the corner of Dennis Trafficway St. and Douglas Isle St.'],
    ['a name a predicate calls a thing', 'Kafka is a very reliable event store.'],
    ['a product name before a possessive belonging', "Kubernetes's address space and Django's home page"],
    ['a name-list word that is an everyday word', 'She said it will rain in May'],
    ['a word common in one variety of English only', 'She agreed, and on the Sunday before Labor Day we returned'],
    ['a rarer English word near a pronoun', 'Redaction is what he asked for, and Loggers too'],
    ['a street written as one word', 'Her address: 26-10 Heuserstraße'],
    ['a country near a pronoun', 'Carry Me Back To Italy, which he sung'],
    ['a language near a pronoun', 'She reads German, and he writes it too'],
    [
      // The context window's edge fell inside "cache": its tail "he" counted as a word about people.
      'a window edge inside a word',
      'Proctor decides and records; a gateway (Kong, LiteLLM, Portkey) may still route, cache and count spend. Put ' +
        "Proctor\nfirst: the application talks to Proctor with the user's OIDC token, Proctor forwards the request",
    ],
    // A JSON text's strings glued by a value pair (segment-join.ts) read `ECcrv`: `Ccrv` no list knows, `kid` near.
    ['a capital inside a word', 'ECcrv and the kid, fooMaria and her kid'],
    ['JSON strings glued by a joined reading', ' {"kty": "EC", "crv": "P-256", "kid": "sig-2024-07"}'],
    ['JSON strings glued, from the text start', '{"kty": "EC", "crv": "P-256", "kid": "sig-2024-07"}'],
  ])('leaves %s alone', (_, text) => {
    expect(names(text)).toEqual([]);
  });
});

describe('the name lists and the everyday words', () => {
  it.each([
    ['a given name the curated list lacks', 'Follow up with Niklas Kalb in a couple of months.', ['Niklas Kalb']],
    ['a lone given name near a pronoun', 'Otmar is very reliable. You can always depend on him.', ['Otmar']],
    ['a name that is also a rarer word, after a greeting', 'Hi Maria, I am writing about my transfer', ['Maria']],
    ['a name that is also a rarer word, then a family name', 'Please call Martin Duhamel tomorrow', ['Martin Duhamel']],
    [
      'a given name no list knows, then a listed family name',
      'I want to add Isaque Santos as a beneficiary',
      ['Isaque Santos'],
    ],
    // gender-detection-from-name's given names, and names looked up without their accents.
    ['a given name only the six-language lists know', 'Jaroslav had given me his address', ['Jaroslav']],
    ['a name the lists write without accents', 'Zoé Guérin was detained over visa disputes', ['Zoé Guérin']],
    // A place phrase excludes only the words right after it, not a name further on in the same 24 characters.
    ['a name after a place that follows "go to"', 'we go to Paris with Alice Johnson', ['Alice Johnson']],
    ['a name after a place that follows "moved to"', 'moved to Lyon and Marie Curie', ['Marie Curie']],
    ['a name after "here from" (a message, not a move)', 'Message here from John Smith', ['John Smith']],
    ['a full name after a place and its phrase', 'The team is based in Berlin Anna Schmidt leads it', ['Anna Schmidt']],
    ['a name after a place with a street word in it', 'She flew to St. Louis with Marie Curie', ['Marie Curie']],
    [
      'a name after a comma and a street word',
      'Claire St-Jean, Joseph Stensby and others',
      ['Claire St-Jean', 'Joseph Stensby'],
    ],
    ['a repeated full name (each word differs inside it)', 'Anna Smith Anna Smith', ['Anna Smith Anna Smith']],
    ['a name a title introduces, its word said twice', 'Please call Mr. Sirhan Sirhan', ['Sirhan Sirhan']],
  ])('finds %s', (_, text, value) => {
    expect(names(text)).toEqual(value);
  });

  it.each([
    ['a rarer word that is a name, then an everyday word', 'backups through Barman Cloud nightly'],
    ['a royal title', 'The Princess Royal arrived this morning.'],
    ['a Portuguese street named after a person', 'Please send it to Lagoa Luiz Otávio Moura, 12'],
    ['a Spanish street named after a person', 'How do I change my address to Glorieta Remedios Prat 39'],
    ['a Portuguese place', 'Please return to Feira Carvalho, 34 in Nova Suíça'],
    ['a place right after "based in"', 'The office is based in Rocha das Flores'],
    ['a place after "moved to the"', 'They moved to the Rocha das Flores last year'],
    ['a place after "moved here from"', 'We moved here from East Conorburgh'],
    ['the town after a street and a comma', 'Her address: 9 Camino Cayetana Aliaga, Burgos'],
    ['a lone word after a place phrase and a place word', 'My friend lives in New Geoffrey'],
    ['an unknown word before a word that is also a name', 'Install Kubernetes Dashboard and Grafana Cloud first'],
    ['its everyday words after a listed name', '## Kong Gateway'],
    ['its everyday words before a product name', 'With Proctor in its own process the stream stays fast.'],
    // A name with nothing introducing it is a structure (a given name, then other names): one word said again is not.
    ['one name-list word said again and again', 'Ab Ab Ab Ab Ab Ab Ab Ab Ab'],
    ['a given name twice', 'Anna Anna'],
  ])('leaves %s alone', (_, text) => {
    expect(names(text)).toEqual([]);
  });
});

describe('a name by its place in the sentence', () => {
  it.each([
    ['a name spoken to, before "!"', "Don't go to town, Markus!", ['Markus']],
    ['a name spoken to, before "?"', 'Remember me, Klothilde? I talked just like this', ['Klothilde']],
    ['a name opening a request', 'Fabijan, can I please speak to your boss?', ['Fabijan']],
    ['a name from a company', 'Lydia is from ORO Co.Ltd.', ['Lydia']],
    ['a name working at a company', 'Janna works at Instem PLC these days', ['Janna']],
    ["a name of a company's officer", 'Oumaima Ronner of Biome Grow Inc. is the CEO', ['Oumaima Ronner']],
    ['a family name led by its particle where a sentence starts', 'de López flew to Pontevedra.', ['de López']],
    ['after a speech verb', '"That is settled," says Perret.', ['Perret']],
    ['after an occupation', 'Trialtrove songwriter Karlijn Helmerhorst wrote it', ['Karlijn Helmerhorst']],
    ["after an engineer's title", 'For my take on Dipl.-Ing. Schleich, see the list', ['Schleich']],
  ])('finds %s', (_, text, value) => {
    expect(names(text)).toEqual(value);
  });

  it.each([
    ['a product before a comma and a list', 'Kong, LiteLLM and Portkey route, cache and count spend.'],
    ['a common word spoken to', 'Thanks for the help, Team!'],
    ['a product from a company', 'Kubernetes is from the Cloud Native Computing Foundation'],
    ['a preposition opening a sentence in upper case', 'De nada. Da Capo is a music term.'],
    ['a mid-sentence preposition before a place', 'the office de Madrid is closed'],
    ['a company named after people', 'I work for Rockwell Collins Inc. these days'],
    ['a company with an ampersand', 'Freeport McMoran Copper & Gold Inc. reported'],
  ])('leaves %s alone', (_, text) => {
    expect(names(text)).toEqual([]);
  });
});

describe('a lone name in kanji inside text of another script', () => {
  it.each([
    ['kana after a greeting', 'Hi あすか, I am writing about a wire transfer', ['あすか']],
    ['kana after a title', "I'd like to join accounts with ms. さゆり", ['さゆり']],
    ['kanji after "says"', '"None is moving in that direction," says 鈴木.', ['鈴木']],
    ['kanji after a naming phrase', 'My name is 山田 太一 but everyone calls me 太一', ['山田 太一', '太一']],
    ['a speech verb', 'I am so jealous! said 康弘 to 裕太', ['康弘', '裕太']],
    ['a title', "I'd like to join accounts with ms. 涼平", ['涼平']],
  ])('finds %s', (_, text, value) => {
    expect(names(text)).toEqual(value);
  });

  it.each([
    ['a ward after "his address"', 'He had given me his address: 533 Main Street, 文京区'],
    ['an occupation', 'The 小説家 said it was withdrawn'],
    ['kanji inside Japanese text', '彼は東京に住んでいます'],
    ['kanji with no people near', 'The 東京 office opens at nine'],
  ])('leaves %s alone', (_, text) => {
    expect(names(text)).toEqual([]);
  });
});

describe('credits, contact cards and people nouns', () => {
  it.each([
    ['a credit', 'an action-comedy film directed by Anna Berg and starring Bolnbach', ['Anna Berg', 'Bolnbach']],
    [
      'the first line of a contact card',
      'Ottomar Losekann\nAsia Development Capital Co.Ltd.\nHamannstraße 6973',
      ['Ottomar Losekann'],
    ],
    ['a contact card after a blank line', 'Thanks!\n\nKyano Stange\n6 Carlijnboulevard', ['Kyano Stange']],
    ['a lone name and "man"', 'Arnaud is a 95 year old man who grew up in Lyon.', ['Arnaud']],
    ['a kanji name after a greeting', 'Hi 千代, I am contacting you about a transfer', ['千代']],
  ])('finds %s', (_, text, value) => {
    expect(names(text)).toEqual(value);
  });

  it.each([
    ['a title-case heading on the first line', 'Quarterly Report\nRevenue grew in the north.'],
    ['a product heading after a blank line', 'Intro.\n\nKong Gateway\nProctor sits in front of it.'],
  ])('leaves %s alone', (_, text) => {
    expect(names(text)).toEqual([]);
  });
});

describe("the given-name list's guard", () => {
  // Distinct made-up names, enough to pass the floor; `common` holds none of them.
  const made = Array.from({ length: MIN_GIVEN_NAMES + 10 }, (_, i) => `name${i.toString(36)}`);
  const none = new Set<string>();

  it('reads the Map literal the pinned version ships', () => {
    const source = `module.exports = new Map([\n${made.map((n) => `  ['${n}', 'female'],`).join('\n')}\n]);\n`;
    expect(givenNamesFrom([source], none).size).toBe(made.length);
  });

  it('fails the build when a new format yields too few names', () => {
    const json = `{\n${made.map((n) => `  "${n}": "female",`).join('\n')}\n}\n`;
    expect(() => givenNamesFrom([json], none)).toThrow(expect.objectContaining({ code: 'ERR_RECOGNIZER_INVALID' }));
  });
});

describe('a name after a run of capitalised words (a listed candidate is four words at most)', () => {
  it.each([
    ['four title-case words', 'Please Call Back Today Maria Garcia called.', 'Maria Garcia'],
    ['one word said three times', 'Hi Hi Hi Maria Garcia called.', 'Maria Garcia'],
    ['a given name said four times', 'Ann Ann Ann Ann Maria Garcia called.', 'Maria Garcia'],
    ['nine repeated words', `${'Ab '.repeat(9)}Maria Garcia called.`, 'Maria Garcia'],
    ['twelve words of a heading', `${'Quarterly Report Draft '.repeat(4)}Maria Garcia called.`, 'Maria Garcia'],
  ])('finds it after %s', (_, text, name) => {
    expect(names(text)).toContainEqual(expect.stringContaining(name));
  });
  it('leaves the words before it alone when no name follows', () => {
    expect(names('Please Call Back Today')).toEqual([]);
    expect(names('Please Call Back Today about the invoice.')).toEqual([]);
  });
  it('covers every name of a long run of full names', () => {
    const text = 'Anna Smith '.repeat(12).trim();
    const covered = new Array<boolean>(text.length).fill(false);
    for (const name of classifier.classify([{ path: 'p', text }]).findings) {
      for (let i = name.start; i < name.end; i += 1) covered[i] = true;
    }
    expect([...text].every((c, i) => c === ' ' || covered[i])).toBe(true);
  });
});
