// A value with visible fillers between its characters (filler-runs.ts) is found, over its characters and fillers, with
// the context word before it; icon-font prose, emoji with skin tones, Arabic text, symbols between words, bullets and
// sums are not read as values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MappedText } from '../../../src/classification/decode-escapes.ts';
import {
  fillerFreeView,
  fillerRuns,
  fillerSpans,
  MAX_FILLED_GROUP,
  MAX_FILLER_SYMBOLS,
  MIN_FILLED_CHARS,
  STRETCH_REACH,
} from '../../../src/classification/filler-runs.ts';
import { createClassifier } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(6) });
const find = (text: string) =>
  classifier.classify([{ path: 'p', text }]).findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end) }));
const between = (value: string, filler: string) => [...value].join(filler);
const runsOf = (text: string) => {
  const runs: { from: number; end: number; decoded: MappedText }[] = [];
  fillerRuns(text, (from, end, decoded) => runs.push({ from, end, decoded }));
  return runs.map((r) => ({ text: r.decoded.text, original: text.slice(r.from, r.end) }));
};
const freeOf = (text: string) => {
  const views: MappedText[] = [];
  fillerFreeView(text, (from, end, decoded) => {
    expect([from, end]).toEqual([0, text.length]);
    views.push(decoded);
  });
  return views;
};

describe('a value with one filler between each two characters', () => {
  it.each([
    ['private use', '\ue000'],
    ['supplementary private use', '\u{f0000}'],
    ['skin-tone modifier', '\u{1f3fb}'],
    ['Arabic number sign', '\u0600'],
    ['a symbol', '\u2605'],
  ])('%s: the key and the SSN are found, fillers included', (_name, filler) => {
    const key = between('AKIA2E0A8F3B244C9986', filler);
    const ssn = between('219-09-9999', filler);
    expect(find(`aws ${key} and ssn ${ssn}.`)).toEqual([
      { type: 'AWS_ACCESS_KEY', value: key },
      { type: 'US_SSN', value: ssn },
    ]);
  });

  it('reads a symbol run without its symbol, mapped to each character and the symbol after it', () => {
    expect(runsOf(`x ${between('ABCDEFGH', '\u2605')}\u2605 y`)).toEqual([
      { text: 'ABCDEFGH', original: `${between('ABCDEFGH', '\u2605')}\u2605` },
    ]);
    // Two symbols in turn, a run shorter than MIN_FILLED_CHARS, or a filler-class one (the whole text's): no run.
    expect(runsOf(`x ${between('ABCDEFGH', '\u2605').replace('D\u2605', 'D\u2606')} y`)).toEqual([]);
    expect(runsOf(between('ABCDEFGH'.slice(0, MIN_FILLED_CHARS - 1), '\u2605'))).toEqual([]);
    expect(runsOf(between('ABCDEFGH', '\ue000'))).toEqual([]);
  });

  it('reads the whole text once without its filler-class code points, each unit mapped to its own', () => {
    const text = 'ssn 2\ue000\u{f0001}19\u{1f3fb}-\u060009\ue000-9999 ok';
    const [view, ...more] = freeOf(text);
    expect(more).toEqual([]);
    expect(view?.text).toBe('ssn 219-09-9999 ok');
    expect([...(view?.starts ?? [])].map((p) => text[p]).join('')).toBe('ssn 219-09-9999 ok');
    expect(view?.ends.every((e, k) => e === (view.starts[k] as number) + 1)).toBe(true);
    // No filler class (symbols, letters, emoji, a skin tone on its emoji): no view at all; a lone skin tone is one.
    expect(freeOf('build → test ★ 👍 👍🏻 👋🏽👋🏿 مرحبا 10:30')).toEqual([]);
    expect(freeOf('ok 🏻 fine')[0]?.text).toBe('ok  fine');
  });

  it.each([
    ['two fillers between each two characters', (i: number) => (i > 0 ? '\ue000\ue000' : '')],
    ['two fillers taking turns', (i: number) => (i === 0 ? '' : i % 2 ? '\ue000' : '\u{100000}')],
    ['a skin-tone modifier every fourth character', (i: number) => (i > 0 && i % 4 === 0 ? '\u{1f3fe}' : '')],
  ])('%s: the key, the SSN and nine digits after their word are found, fillers included', (_name, filler) => {
    const spread = (value: string) => [...value].map((c, i) => filler(i) + c).join('');
    const [key, ssn, digits] = [spread('AKIA2E0A8F3B244C9986'), spread('219-09-9999'), spread('219099999')];
    expect(find(`aws ${key} and ssn ${ssn}.`)).toEqual([
      { type: 'AWS_ACCESS_KEY', value: key },
      { type: 'US_SSN', value: ssn },
    ]);
    expect(find(`my ssn ${digits}`).map((f) => f.value)).toEqual([digits]);
  });

  it('control: icon-font prose, emoji with skin tones, Arabic text and arrows between words read as nothing', () => {
    const texts = [
      '\ue000 Home \ue001 Settings \ue002 Profile: room 12, floor 3 \uf101Save\uf102Load',
      'great job 👍🏻👍🏻👍🏻👍🏻👍🏻👍🏻👍🏻👍🏻👍🏻 see you 👋🏽👋🏽👋🏽 at 10:30',
      'الرقم ؀١٢٣ في السنة ٢٠٢٤، والصفحة ١٢ من ٤٥ — مرحبا بكم',
      'build → test → deploy → monitor; A→B, B→C; ★★★★★ rated; 10×20 cm',
      '\ue0b0 room 12 \ue0b1 floor 3 \u{f0000} ext 4456 \u{f0001} call 555 0100 at 10:30',
      'صفحة \u0600١٢ و\u0601٢٠٢٤ و\u06dd٣ — ok 👋🏾 hi 👍🏻 2 of 9',
    ];
    for (const text of texts) {
      expect(runsOf(text)).toEqual([]);
      expect(find(text)).toEqual([]);
    }
  });

  it.each([
    ['★', '\u2605'],
    ['·', '\u00b7'],
    ['🔑 (an emoji)', '\u{1f511}'],
    ['•• (two symbols)', '\u2022\u2022'],
    [`${MAX_FILLER_SYMBOLS} symbols`, '\u2605\u2606\u2022\u{1f511}'],
    ['a full-width bar ｜ (NFKC: |)', '\uff5c'],
    ['a full-width hyphen－ (NFKC: -)', '\uff0d'],
    ['-', '-'],
    ['.', '.'],
  ])('%s between each two: the key, and nine digits after "ssn" (its word read), are found whole', (_name, filler) => {
    const [key, digits] = [between('AKIA2E0A8F3B244C9986', filler), between('219099999', filler)];
    expect(find(`aws ${key}, my ssn ${digits}.`)).toEqual([
      { type: 'AWS_ACCESS_KEY', value: key },
      { type: 'US_SSN', value: digits },
    ]);
  });

  it('fillerSpans: symbols between single characters of a stretch of MIN_FILLED_CHARS or more', () => {
    const spans = (text: string) => {
      const flat = fillerSpans(text);
      return Array.from({ length: flat.length / 2 }, (_, k) => text.slice(flat[2 * k], flat[2 * k + 1])).join(' ');
    };
    const eight = 'ABCDEFGH';
    expect(spans(`x ${between(eight, '\u2605')} y`)).toBe(Array(7).fill('\u2605').join(' '));
    expect(spans(`x ${between(eight.slice(1), '\u2605')} y`)).toBe(''); // seven characters
    // Symbols taking turns, up to MAX_FILLER_SYMBOLS a filler; one more and the stretch stops there.
    expect(spans(between(eight, '\u2605\u2606'))).toBe(Array(7).fill('\u2605\u2606').join(' '));
    expect(spans(between(eight, '\u2605'.repeat(MAX_FILLER_SYMBOLS + 1)))).toBe('');
    // A last item of two digits (a count), symbols between words, or spaces around the symbol: no stretch.
    expect(spans('1\u21922\u21923\u21924\u21925\u21926\u21927\u21928\u21929\u219210')).toBe('');
    expect(
      spans('build \u2192 test \u2192 deploy; A \u2605 B \u2605 C \u2605 D \u2605 E \u2605 F \u2605 G \u2605 H'),
    ).toBe('');
    // One same ASCII mark between single letters or digits, a table's bars around them included.
    expect(spans(`ssn ${between('219099999', '|')}`)).toBe(Array(8).fill('|').join(' '));
    expect(spans(`|${between(eight, '|')}|`)).toBe(Array(7).fill('|').join(' '));
    expect(spans('1+2+3+4+5+6+7+8+9+10 = 55; 10+1+2+3+4+5+6+7+8')).toBe('');
    expect(spans('A|B-C|D|E|F|G|H|I and a,b,c,d,e,f,g,h,i and a=b=c=d=e=f=g=h=i')).toBe('');
  });

  it.each([
    ['an SSN after its word, ★ between its groups', 'my ssn 219\u260509\u26059999.', 'US_SSN 219\u260509\u26059999'],
    ['an SSN after its word, → between its groups', 'ssn: 219\u219209\u21929999', 'US_SSN 219\u219209\u21929999'],
    [
      'a card, 🔑 between its groups',
      'card 4111\u{1f511}1111\u{1f511}1111\u{1f511}1111',
      'CREDIT_CARD 4111\u{1f511}1111\u{1f511}1111\u{1f511}1111',
    ],
    [
      'an Amex in 4-6-5, ★☆ between its groups',
      'amex 3782\u2605\u2606822463\u2605\u260610005',
      'CREDIT_CARD 3782\u2605\u2606822463\u2605\u260610005',
    ],
    ['an SSN, ★ and a space each side', 'ssn 219 \u2605 09 \u2605 9999', 'US_SSN 219 \u2605 09 \u2605 9999'],
    [
      'a card, → and a space each side',
      'card 4111 \u2192 1111 \u2192 1111 \u2192 1111',
      'CREDIT_CARD 4111 \u2192 1111 \u2192 1111 \u2192 1111',
    ],
    [
      'a card, 🔑 and NBSP, thin or no spaces',
      'card 4111\u00a0\u{1f511}\u00a01111\u2009\u{1f511}\u20091111 \u{1f511}1111',
      'CREDIT_CARD 4111\u00a0\u{1f511}\u00a01111\u2009\u{1f511}\u20091111 \u{1f511}1111',
    ],
  ])('digit groups split by symbols: %s is found', (_name, text, finding) => {
    expect(find(text).map((f) => `${f.type} ${f.value}`)).toEqual([finding]);
  });

  it('fillerSpans: digit groups split by symbols, 3 or more of 2 to MAX_FILLED_GROUP digits, 9 to 19 in all', () => {
    const count = (text: string) => fillerSpans(text).length / 2;
    expect(count('ssn 219\u260509\u26059999')).toBe(2);
    expect(count(`x ${'4111\u2605'.repeat(4)} y`)).toBe(3); // a trailing star after the last group is not its filler
    expect(count('ssn 219099\u26059999')).toBe(0); // two groups
    expect(count('2024\u260512\u260506 and 10\u260520\u260530')).toBe(0); // 8 and 6 digits
    expect(count(`ssn 219\u260509\u2605${'9'.repeat(MAX_FILLED_GROUP + 1)}`)).toBe(0); // a group too long
    expect(count('4111\u26051111\u26051111\u26051111\u26051111')).toBe(0); // 20 digits
    expect(count('v2024\u260512\u260506\u26051 and 219\u260509\u26059999x')).toBe(0); // glued to a letter
    // Separators the digits view reads between groups (dashes, middle dots, bullets) make no filler view.
    expect(count('ssn 219\u201309\u20139999, 219\u00b709\u00b79999')).toBe(0);
    expect(count('ssn 219\u2022\u202209\u2022\u20229999')).toBe(0);
    // A group of one digit before the last (a count), and a group after a symbol (a suffix of a longer stretch).
    expect(count('1\u219222\u219233\u219244\u219255 and 22\u21923\u219244\u219255\u219266')).toBe(0);
    expect(count('\u260522\u260533\u260544\u260555\u260566')).toBe(0);
  });

  it('fillerSpans: one optional space (Zs) each side of the symbols between digit groups, dropped with them', () => {
    const spans = (text: string) => {
      const s = fillerSpans(text);
      return Array.from({ length: s.length / 2 }, (_, k) => text.slice(s[2 * k], s[2 * k + 1]));
    };
    expect(spans('ssn 219 \u2605 09 \u2605 9999')).toEqual([' \u2605 ', ' \u2605 ']);
    expect(spans('ssn 219\u2605 09 \u26059999')).toEqual(['\u2605 ', ' \u2605']);
    expect(spans('ssn 219\u3000\u2605\u300009\u3000\u2605\u30009999')).toEqual([
      '\u3000\u2605\u3000',
      '\u3000\u2605\u3000',
    ]);
    // Two spaces, a line break or a tab on a side: no filler (tables and layouts keep their cells apart).
    expect(spans('ssn 219  \u2605 09 \u2605 9999 and 219 \u2605\n09 \u2605 9999 and 219\t\u260509\u26059999')).toEqual(
      [],
    );
    // Controls: counts, steps, versions, scores, times, a table's bars (2 to 8 digits a row).
    const controls = [
      '1 \u2192 2 \u2192 3 \u2192 4 \u2192 5 \u2192 6 \u2192 7 \u2192 8 \u2192 9 \u2192 10',
      'step 10 \u2192 step 20 \u2192 step 30 \u2192 step 40',
      'upgrade 1.2 \u2192 1.3 \u2192 1.4 \u2192 2.0 and v10.22 \u2192 10.23 \u2192 11.0',
      'rated 3 \u2605 5, 4 \u2605 5 and 5 \u2605 5',
      'meeting 10:00 \u2192 11:30 \u2192 12:45 \u2192 14:00',
      'p50 231\u2013277 \u2192 267\u2013297 ms, 94\u2013111 \u2192 77\u201383 \u00b5s',
      '\u2502 12 \u2502 34 \u2502 2024 \u2502 12 \u2502 and \u2502 1024 \u2502 350 \u2502 1299 \u2502',
      '\u2502 12 \u2502 34 \u2502 56 \u2502\n\u2502 78 \u2502 90 \u2502 11 \u2502',
    ];
    for (const text of controls) expect(spans(text)).toEqual([]);
  });

  it('control: prose with bullets, emoji, stars, arrows, dotted names and sums reads as nothing more (spaced too: table bars │, versions, times)', () => {
    const texts = [
      '\u2502 id \u2502 qty \u2502 price \u2502\n\u2502 1024 \u2502 350 \u2502 1299 \u2502\n\u2502 2048 \u2502 12 \u2502 45 \u2502',
      'release 1.2 \u2192 1.3, step 10 \u2192 step 20, 10:00 \u2192 11:30, 1 \u2192 2 \u2192 3, rated 3 \u2605 5',
      'years 2019 \u2192 2020 \u2192 2021 and scores 85 \u2192 90 \u2192 95 \u2192 99',
      '\u2022 item one \u2022 item two \u00b7 note \u2605\u2605\u2605\u2605\u2606 (4.5/5) \u{1f44d} great!',
      '\u{1f511} keys \u2192 door; \u2713 done \u2014 \u00bfqu\u00e9? \u00abok\u00bb \u2026 \u00a7 3 \u00b6 2 \u2122 x\u00b2',
      'ssn form: steps 1\u21922\u21923\u21924\u21925\u21926\u21927\u21928\u21929\u219210, see p. 12\u201314',
      'ssn FAQ: Formula 1+2+3+4+5+6+7+8+9+10 = 55; U.S.A. e.g. i.e. v1.2.3 a/b/c x-y-z 10:30:45 \u00a9 2026',
      'A\u2192B\u2192C\u2192D\u2192E\u2192F\u2192G\u2192H is the path; a.b.c.d.e.f.g.h is a package',
      'card game \u2665\u2666\u2663\u2660 scores: 4\u00b75\u00b73\u00b74\u00b74\u00b75\u00b72\u00b71',
      '\u3010\u91cd\u8981\u3011\u4f1a\u8bae\u5728\u4e0b\u5348\u4e09\u70b9\u3002 ok\u300cA\u300d\u300cB\u300d',
    ];
    for (const text of texts) expect(find(text)).toEqual([]);
  });

  it('a text with stretches and no filler class: one view a group of stretches, over STRETCH_REACH each side', () => {
    const views: { from: number; end: number; decoded: MappedText }[] = [];
    const view = (text: string) => {
      views.length = 0;
      fillerFreeView(text, (from, end, decoded) => views.push({ from, end, decoded }));
      return views.map((v) => ({ original: text.slice(v.from, v.end), text: v.decoded.text }));
    };
    const prose = 'the build ran on time and every test passed again. '.repeat(400);
    const key = between('AKIA2E0A8F3B244C9986', '\u2605');
    // One stretch in 40 KB of prose: one view of the stretch and its reach, whole words at its edges, mapped.
    const [one, ...more] = view(`${prose}aws ${key} ${prose}`);
    expect(more).toEqual([]);
    expect(one?.text).toContain('aws AKIA2E0A8F3B244C9986 the build');
    expect(one?.original.length).toBeLessThan(key.length + 2 * (STRETCH_REACH + 64));
    const [mapped] = views;
    const whole = `${prose}aws ${key} ${prose}`;
    expect([whole[(mapped?.from ?? 0) - 1], whole[mapped?.end ?? 0]]).toEqual([' ', ' ']);
    expect([...(mapped?.decoded.starts ?? [])].map((p) => one?.original[p]).join('')).toBe(one?.text);
    // Two stretches far apart: two views; close together: one.
    expect(view(`${key} ${prose} ${key}`)).toHaveLength(2);
    expect(view(`${key} ${prose.slice(0, 300)} ${key}`)).toHaveLength(1);
    // Its word before it and the value are found in a long text.
    expect(find(`${prose}my ssn is ${between('219099999', '\u2605')} ${prose}`)).toEqual([
      { type: 'US_SSN', value: between('219099999', '\u2605') },
    ]);
  });

  it.each([
    ['U+0640 (tatweel)', '\u0640'],
    ['U+30FC (prolonged sound mark)', '\u30fc'],
    ['U+FF70 (half-width)', '\uff70'],
    ['U+02C9 (modifier macron)', '\u02c9'],
    ['U+02CD (modifier low macron)', '\u02cd'],
    ['U+01C0 (a bar)', '\u01c0'],
    ['two tatweels', '\u0640\u0640'],
  ])('a letter drawn as a line, %s, between each two: the key and nine digits after "ssn" are found whole', (_n, f) => {
    const [key, digits] = [between('AKIA2E0A8F3B244C9986', f), between('219099999', f)];
    expect(find(`aws ${key}, my ssn ${digits}.`)).toEqual([
      { type: 'AWS_ACCESS_KEY', value: key },
      { type: 'US_SSN', value: digits },
    ]);
  });

  it('control: katakana words and Arabic text with tatweel, among ASCII words and numbers, hold no stretch', () => {
    const texts = [
      'コーヒー2杯、サーバー3台、ルーター192ー168ー1ー1、ユーザーID abc ー def、メモリー16GB。ゲームのスコア10ー9ー8',
      'مـــرحبـــا بكم في عـــام 2024، الصفحـــة 12، كتـــاب A ـ B ـ C، الساعـــة 10ـ30',
      'x\u30fcy\u30fcz 1\u06402\u06403 (three items) and ab\u02c9cd\u02c9ef\u02c9gh\u02c9ij (items of two)',
    ];
    for (const text of texts) expect([text, fillerSpans(text), find(text)]).toEqual([text, [], []]);
  });

  it('reads each character a bounded number of times and never throws (any text of fillers and ASCII)', () => {
    const piece = fc.constantFrom('A', '1', '-', '|', ' ', '\ue000', '\u{1f3fb}', '\u0600', 'é', '\u{1f44d}', '\u2605');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 200 }), (pieces) => {
        const text = pieces.join('');
        let read = 0;
        fillerRuns(text, (from, end, decoded) => {
          read += end - from;
          expect(decoded.text.length).toBeLessThanOrEqual(end - from);
          for (let k = 0; k < decoded.text.length; k += 1) {
            expect(text[from + (decoded.starts[k] as number)]).toBe(decoded.text[k]);
          }
        });
        expect(read).toBeLessThanOrEqual(text.length);
        const spans = fillerSpans(text);
        for (let k = 0; k < spans.length; k += 2) {
          expect(spans[k] as number).toBeLessThan(spans[k + 1] as number);
          if (k > 0) expect(spans[k] as number).toBeGreaterThan(spans[k - 1] as number);
        }
        for (const view of freeOf(text)) {
          for (let k = 0; k < view.text.length; k += 1) expect(text[view.starts[k] as number]).toBe(view.text[k]);
        }
      }),
    );
  });
});
