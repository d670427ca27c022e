// Bounded decoding: base64 (both alphabets), hex and percent-encoded runs are decoded (three levels) and classified; a
// finding covers the whole encoded run in the original; binary, short runs and runs past the budget are left alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier, normalizeText } from '../../../src/classification/index.ts';
import {
  createDecodeBudget,
  decodedRuns,
  MAX_DECODED_CHARS,
  MAX_DECODED_RUNS,
} from '../../../src/classification/decode.ts';
import { ClassificationError } from '../../../src/classification/errors.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(6) });
const find = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end), fingerprint: f.fingerprint }));
const b64 = (s: string) => Buffer.from(s).toString('base64');
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const hex = (s: string) => Buffer.from(s).toString('hex');
const [ssn] = find('219-09-9999');
const [key] = find('AKIA2E0A8F3B244C9986');

describe("encoded values are found, on the whole encoded run, with the plain value's fingerprint", () => {
  it.each([
    ['base64', b64('219-09-9999')],
    ['base64 with a label inside', b64('my SSN is 219-09-9999, thanks')],
    ['base64url', b64url('ssn>>>219-09-9999???')],
    ['hex', hex('219-09-9999')],
    ['upper-case hex', hex('219-09-9999').toUpperCase()],
    ['percent-encoding', '219%2D09%2D9999'],
    ['percent-encoding of every byte', [...'219-09-9999'].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')],
  ])('%s', (_name, run) => {
    expect(find(`data ${run} end`)).toEqual([{ type: 'US_SSN', value: run, fingerprint: ssn?.fingerprint }]);
  });

  it('an AWS key in base64 inside JSON, and in a data URL', () => {
    const run = b64('{"aws_access_key_id":"AKIA2E0A8F3B244C9986"}');
    expect(find(`{"blob":"${run}"}`)).toEqual([{ type: 'AWS_ACCESS_KEY', value: run, fingerprint: key?.fingerprint }]);
    const url = `data:text/plain;base64,${b64('AKIA2E0A8F3B244C9986')}`;
    expect(find(url).map((f) => f.type)).toEqual(['AWS_ACCESS_KEY']);
  });

  it('zero-width characters inside a run do not hide it', () => {
    const run = b64('219-09-9999');
    const hidden = `${run.slice(0, 6)}\u200b${run.slice(6)}`;
    expect(find(`x ${hidden} y`)).toMatchObject([{ type: 'US_SSN', value: hidden }]);
  });
});

describe('percent-encoding maps back character by character', () => {
  it('a value in a URL covers its own encoded characters, not the whole URL', () => {
    const url = 'https://x.io/?q=hello%20world&ssn=219%2D09%2D9999&z=1';
    expect(find(`see ${url} now`)).toEqual([
      { type: 'US_SSN', value: '219%2D09%2D9999', fingerprint: ssn?.fingerprint },
    ]);
  });

  it('an address encoded whole and one glued into code with a modulo are each their own span', () => {
    expect(find('x %61%6C%69%63%65%40%61%63%6D%65%2D%63%6F%72%70%2E%69%6F y').map((f) => [f.type, f.value])).toEqual([
      ['EMAIL', '%61%6C%69%63%65%40%61%63%6D%65%2D%63%6F%72%70%2E%69%6F'],
    ]);
    expect(find('a=b%16;mail(alice@acme-corp.io);c=d').map((f) => [f.type, f.value])).toEqual([
      ['EMAIL', 'alice@acme-corp.io'],
    ]);
  });

  it('multi-byte characters map to all of their escapes', () => {
    const arabic = encodeURIComponent('٢١٩-٠٩-٩٩٩٩');
    expect(find(`q=caf%C3%A9%20${arabic}%20ok`)).toEqual([
      { type: 'US_SSN', value: arabic, fingerprint: ssn?.fingerprint },
    ]);
    const text = 'q=%C3%A9%20ssn%20219%2D09%2D9999%20ok';
    expect(find(text).map((f) => f.value)).toEqual(['219%2D09%2D9999']);
  });
});

describe('character escapes (\\u, \\U, \\x, octal, HTML numeric references with or without ;)', () => {
  const escaped = (s: string, form: (code: number) => string) => [...s].map((c) => form(c.charCodeAt(0))).join('');
  it.each([
    ['\\uXXXX', escaped('219-09-9999', (c) => `\\u${c.toString(16).padStart(4, '0')}`)],
    ['\\u{X}', escaped('219-09-9999', (c) => `\\u{${c.toString(16)}}`)],
    ['\\xXX', escaped('219-09-9999', (c) => `\\x${c.toString(16)}`)],
    ['&#DDD;', escaped('219-09-9999', (c) => `&#${c};`)],
    ['&#xHH;', escaped('219-09-9999', (c) => `&#x${c.toString(16)};`)],
    ['only the digits', '\\x32\\x31\\x39-\\x30\\x39-\\x39\\x39\\x39\\x39'],
    ['octal \\DDD', escaped('219-09-9999', (c) => `\\${c.toString(8).padStart(3, '0')}`)],
    ['\\UXXXXXXXX', escaped('219-09-9999', (c) => `\\U${c.toString(16).padStart(8, '0')}`)],
    ['&#DDD without its ;', escaped('219-09-9999', (c) => `&#${c}`)],
    ['&#xHH without its ;', escaped('219-09-9999', (c) => `&#x${c.toString(16)}`)],
  ])('%s', (_name, run) => {
    expect(find(`text ${run} end`)).toEqual([{ type: 'US_SSN', value: run, fingerprint: ssn?.fingerprint }]);
  });

  it('a finding covers its own escapes, not the run around it', () => {
    const text = 'var s="ok\\u0020my\\u0020key\\u003aAKIA2E0A8F3B244C9986\\u0021";';
    expect(find(text)).toMatchObject([{ type: 'AWS_ACCESS_KEY', value: 'AKIA2E0A8F3B244C9986' }]);
    const hidden = '\\u0041KIA2E0A8F3B244C9986';
    expect(find(`key ${hidden} ok`)).toEqual([
      { type: 'AWS_ACCESS_KEY', value: hidden, fingerprint: key?.fingerprint },
    ]);
  });

  it('\\b (a backspace, dropped as the main view drops one) between the halves of a key', () => {
    expect(find(String.raw`{"note":"aws AKIA2E0A8F3B\b244C9986"}`).map((f) => f.type)).toEqual(['AWS_ACCESS_KEY']);
    expect(find(String.raw`re.sub(r"\bword\b", x) in C:\build\bin\backup`)).toEqual([]);
  });

  it('leaves text without escapes, and broken escapes, alone', () => {
    expect(find('path C:\\users\\xyz\\u00zz and a &# b; c && d \\U0000zz \\400 \\9')).toEqual([]);
  });
});

describe('what decoding leaves alone', () => {
  it('three levels: base64 of base64 (of base64) is read (over the whole outer run), a fourth encoding is not', () => {
    const twice = b64(b64('219-09-9999'));
    expect(find(`x ${twice} y`)).toEqual([{ ...ssn, value: twice }]);
    expect(find(`x ${b64(twice)} y`)).toEqual([{ ...ssn, value: b64(twice) }]);
    const percent = (s: string) => [...Buffer.from(s)].map((c) => `%${c.toString(16).padStart(2, '0')}`).join('');
    const percentOfBase64OfHex = percent(b64(hex('219-09-9999')));
    expect(find(`x ${percentOfBase64OfHex} y`)).toEqual([{ ...ssn, value: percentOfBase64OfHex }]);
    expect(find(`x ${b64(b64(twice))} y`)).toEqual([]);
  });

  it('binary data (not UTF-8), short runs, long words and hashes', () => {
    const binary = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 200) % 256)).toString('base64');
    const sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    expect(find(`img ${binary} internationalization ${sha256}`)).toEqual([]);
    expect(decodedRuns(normalizeText(`img ${binary} internationalization`), createDecodeBudget())).toEqual([]);
    expect(decodedRuns(normalizeText('MjE5LTA5LTk5'), createDecodeBudget())).toEqual([]); // 12 characters
  });

  it('says where the runs were, and fails (never skips a run) when a budget of runs is spent', () => {
    const run = b64('hello there, friend');
    const text = Array.from({ length: 3 }, () => run).join(' ');
    const budget = { runs: 3, chars: 1_000 };
    const runs = decodedRuns(normalizeText(text), budget);
    expect(runs).toHaveLength(3);
    expect(budget.runs).toBe(0);
    expect(runs[1]).toEqual({ start: run.length + 1, end: 2 * run.length + 1, text: 'hello there, friend' });
    const failure = (() => {
      try {
        decodedRuns(normalizeText(`${text} ${run}`), { runs: 3, chars: 1_000 });
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(ClassificationError);
    expect((failure as ClassificationError).code).toBe('ERR_DECODE_BUDGET_EXCEEDED');
    expect(() => decodedRuns(normalizeText(text), { runs: 10, chars: 40 })).toThrow(ClassificationError);
  });

  it('the budget grows with the text: a run for each character, four decoded characters for each', () => {
    expect(createDecodeBudget(1_000)).toEqual({ runs: MAX_DECODED_RUNS + 1_000, chars: MAX_DECODED_CHARS + 4_000 });
  });

  it('the default budget outlasts a body of the default size: thousands of decoy runs do not hide the last one', () => {
    const decoy = b64('hello there, friend');
    const value = b64('219-09-9999');
    const decoys = Array.from({ length: 20_000 }, () => decoy).join(' ');
    const segments = [
      { path: 'a', text: decoys },
      { path: 'b', text: `x ${value}` },
    ];
    expect(classifier.classify(segments).findings.map((f) => [f.segment, f.type])).toEqual([[1, 'US_SSN']]);
    expect(MAX_DECODED_RUNS * (16 + 1)).toBeGreaterThan(4 * 1024 * 1024);
  });

  it('runs decoded side by side are not glued into one value', () => {
    expect(find(`${b64('ssn 219-09-99')} ${b64('99 and more text')}`)).toEqual([]);
  });
});

describe('base64 that is not text whole: its stretches of ASCII at each of the four alignments', () => {
  const value = Buffer.from('my key AKIA2E0A8F3B244C9986 ok');
  it.each([
    ['glued after a word of 1, 2, 3 letters', ['a', 'ab', 'abc'].map((w) => `${w}${value.toString('base64')}`)],
    ['after bytes that are no UTF-8', [Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd]), value]).toString('base64')]],
    ['before a stray byte', [Buffer.concat([value, Buffer.from([0xc3])]).toString('base64')]],
    [
      'between float bytes',
      [Buffer.concat([Buffer.from([0x80, 0x3f]), value, Buffer.from([0xff])]).toString('base64')],
    ],
  ])('%s: the key is found on the whole run', (_name, runs) => {
    for (const run of runs) {
      expect(find(`x ${run} y`)).toEqual([{ type: 'AWS_ACCESS_KEY', value: run, fingerprint: key?.fingerprint }]);
    }
  });

  it('any bytes around the text and any word glued before the run: the key is read', () => {
    const bytes = fc.uint8Array({ maxLength: 9 }).map((b) => Buffer.from(b));
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{0,7}$/), bytes, bytes, (word, before, after) => {
        const run = `${word}${Buffer.concat([before, value, after]).toString('base64')}`;
        expect(find(`x ${run} y`).map((f) => f.type)).toContain('AWS_ACCESS_KEY');
      }),
      { numRuns: 300 },
    );
  });

  it('control: binary and words decode to no stretch of 12 ASCII bytes', () => {
    const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 151 + 129) % 256)).toString('base64');
    expect(
      decodedRuns(normalizeText(`img ${binary} internationalization verifyCredentials`), createDecodeBudget()),
    ).toEqual([]);
  });
});

describe('line-wrapped base64 (MIME, PEM)', () => {
  it('a value across a line break of a wrapped run is found on the whole block', () => {
    const encoded = b64('note: the employee ssn is 219-09-9999, keep it safe please, thanks');
    const wrapped = `${encoded.slice(0, 32)}\r\n${encoded.slice(32, 64)}\n${encoded.slice(64)}`;
    expect(find(`attachment:\n${wrapped}\nend`)).toEqual([
      { type: 'US_SSN', value: wrapped, fingerprint: ssn?.fingerprint },
    ]);
  });

  it('a word glued after the last full line does not hide the block', () => {
    const encoded = b64('note: the employee ssn is 219-09-9999, keep it safe please'.padEnd(72, '.'));
    const block = `${encoded.slice(0, 32)}\n${encoded.slice(32, 64)}\n${encoded.slice(64, 96)}`;
    expect(encoded.length).toBe(96);
    // `////` decodes to 0xFF bytes: the block with it is not text, the block without it is
    expect(find(`${block}\n////`)).toEqual([{ type: 'US_SSN', value: block, fingerprint: ssn?.fingerprint }]);
  });

  it('lines are not joined after a line narrower than the next (a wrapped run never widens)', () => {
    const encoded = b64('note: the employee ssn is 219-09-9999');
    // 42, then 10, is one run (a shorter last line: decode-groups.ts); 30, 8 is one and 14 after it (wider) is not,
    // and the SSN is cut between them.
    expect(find(`${encoded.slice(0, 42)}\n${encoded.slice(42)}`).map((f) => f.type)).toEqual(['US_SSN']);
    expect(find(`${encoded.slice(0, 30)}\n${encoded.slice(30, 38)}\n${encoded.slice(38)}`)).toEqual([]);
  });
});

describe('the native search for candidates (speed) finds exactly the runs the scans find alone', () => {
  const pieces = [
    b64('my ssn is 219-09-9999'),
    hex('219-09-9999'),
    '41 4b 49 41 51 33 45 47',
    '0x41, 0x4b, 0x49, 0x41, 0x51, 0x33, 0x45, 0x47',
    '\\x41 \\x4b \\x49 \\x41 \\x51 \\x33 \\x45 \\x47',
    '219%2D09%2D9999',
    '==',
    'dead beef cafe',
    'Grüße aus Köln 😀 ',
    '\n',
    'be added',
    'deadbeefdeadbeef 12 34',
    // groups of one width (decode-groups.ts): lines, spaces, a space and a line break, padding
    'YXdz IEFL SUFa M01R V1hS Tg==',
    'YXdzIEFLSUFa\nM01RV1hS\r\n',
    'that they were here ',
    'YXdzIEFL \nSUFaM01R ',
    // longer than the stretch the scans read themselves after a candidate, so the search decides what follows
    'and then the quick brown fox jumps over the lazy dog, keeps running and running far away. ',
  ];
  const runs = (text: string, exhaustive: boolean) =>
    decodedRuns(normalizeText(text), createDecodeBudget(), exhaustive).map((r) => ({
      start: r.start,
      end: r.end,
      text: r.text,
      span: r.spanOf?.(0, r.text.length),
    }));

  it('on texts of encoded runs, words, accents, emoji and separators glued in any order', () => {
    const piece = fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 }), fc.constantFrom(' ', '', '\u00e9'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(runs(text, false)).toEqual(runs(text, true));
      }),
      { numRuns: 2000 },
    );
  });
});
