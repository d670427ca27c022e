// What the stream scanner holds back and for how long: ordinary prose goes out at once, a value at the end waits until
// it is complete (and its after-context known), a recognizer without a partial keeps the fixed window, and a bad
// partial is a start-up error naming the recognizer.
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import {
  ClassificationError,
  createClassifier,
  createStreamScanner,
  DEFAULT_RECOGNIZERS,
  recognizersWith,
  type Classifier,
  type RecognizerDefinition,
  type ScannedChunk,
} from '../../../src/classification/index.ts';
import { CONTEXT_CHARS, LIMITED_RELEASE_STEP } from '../../../src/classification/stream-scanner.ts';
import { prefixOf } from '../../../src/classification/prefix-patterns.ts';
import { ConfigError, resolveConfig } from '../../../src/config/index.ts';

const fingerprintKey = new Uint8Array(32).fill(3);
const classifier = createClassifier({ fingerprintKey });

function scanner(c: Classifier = classifier, window?: number) {
  const s = createStreamScanner({ classifier: c, path: 'p', ...(window === undefined ? {} : { window }) });
  let released = '';
  const chunks: ScannedChunk[] = [];
  return {
    push(text: string): string {
      const chunk = s.push(text);
      chunks.push(chunk);
      released += chunk.text;
      return released;
    },
    end(): ScannedChunk[] {
      chunks.push(s.end());
      return chunks;
    },
  };
}

const EMPLOYEE_ID = {
  type: 'EMPLOYEE_ID',
  category: 'CUSTOM',
  pattern: String.raw`\bEMP-\d{6}\b`,
  baseScore: 80,
} as const satisfies RecognizerDefinition;

describe('prompt release', () => {
  it('releases ordinary prose as it arrives, holding at most the word that may still grow', () => {
    const s = scanner();
    expect(s.push('Summarise the quarterly report for the north ')).toBe(
      'Summarise the quarterly report for the north ',
    );
    const words = [
      'region',
      '.',
      ' Revenue',
      ' grew',
      ' by',
      ' nine',
      ' percent',
      ' in',
      ' the',
      ' second',
      ' half',
      '.',
    ];
    let sent = 'Summarise the quarterly report for the north ';
    for (const w of words) {
      sent += w;
      const released = s.push(w);
      expect(sent.startsWith(released)).toBe(true);
      // Held: no more than the last word (a word may be the start of an e-mail address or a token).
      const held = sent.slice(released.length);
      expect(held.trimStart(), JSON.stringify(released)).toMatch(/^\S*$/);
    }
  });

  it('releases the first event of an answer before 256 characters have arrived', () => {
    const s = scanner();
    expect(s.push('Hello! ')).toBe('Hello! ');
  });

  it('holds a card number at the end until it is complete and its after-context known, then reports it whole', () => {
    const s = scanner();
    expect(s.push('Your card 4111 1111')).toBe('Your card ');
    expect(s.push(' 1111 1111')).toBe('Your card ');
    expect(s.push(' was charged')).toBe('Your card ');
    const released = s.push(' twice for the order, sorry about that.');
    expect(released).toContain('4111 1111 1111 1111 was charged');
    const chunks = s.end();
    const withCard = chunks.find((c) => c.findings.some((f) => f.type === 'CREDIT_CARD'));
    const card = withCard?.findings.find((f) => f.type === 'CREDIT_CARD');
    expect(card && withCard?.text.slice(card.start, card.end)).toBe('4111 1111 1111 1111');
    expect(card?.confidence).toBe(95); // 'card' before it counts
  });

  it('holds a key from its first characters (a prefix of its vendor prefix) until it ends', () => {
    const s = scanner();
    expect(s.push('use sk_li')).toBe('use ');
    expect(s.push('ve_4eC39HqLyjWDarjtT1zdp7dc')).toBe('use ');
    s.push(' and nothing else; the rest of this sentence is here.');
    const chunks = s.end();
    expect(chunks.flatMap((c) => c.findings.map((f) => f.type))).toEqual(['STRIPE_SECRET_KEY']);
  });

  it('holds a name ending in a credential word and its value, not a label of another word (`echo: `)', () => {
    const s = scanner();
    expect(s.push('echo: ')).toBe('echo: ');
    expect(s.push('Note: Summar')).toBe('echo: Note: ');
    expect(s.push('ise it. export MYAPP_TOKEN="q8Zr2Lm')).toBe('echo: Note: Summarise it. export ');
    // Released whole, with its finding, once the value has ended.
    expect(s.push('X7vTn4KpW9sYb" and done')).toBe(
      'echo: Note: Summarise it. export MYAPP_TOKEN="q8Zr2LmX7vTn4KpW9sYb" and ',
    );
    expect(s.end().flatMap((c) => c.findings.map((f) => f.type))).toEqual(['GENERIC_API_KEY']);
  });

  it('holds an MRN from its label, and releases the text before it', () => {
    const s = scanner();
    expect(s.push('The patient MRN: 00')).toBe('The patient ');
    expect(s.push('1234')).toBe('The patient ');
    expect(s.push('56 was admitted')).toBe('The patient MRN: 00123456 was '); // "admitted" may still grow
  });

  it('holds a value needing an after-context word until that window is complete', () => {
    const s = scanner();
    // US_PASSPORT needs a context word; "passport" after the number (within 24 characters) makes it one.
    // The space before the number is held too: it is the value's left context (only a digit there rules it out).
    expect(s.push('Number 123456789')).toBe('Number');
    expect(s.push(' is the')).toBe('Number ');
    s.push(' passport on file, and nothing else matters.');
    expect(s.end().flatMap((c) => c.findings.map((f) => f.type))).toEqual(['US_PASSPORT']);
  });

  it('does not find a token glued to released text that the whole text does not have (context starts at whitespace)', () => {
    const whole =
      'dana.whitfield@northwind-traders.comxoxb-200092042811-9448405654156-zSvbwADKQ1qPDY9o9sb8GW8E0xb6C6C58D83B70EA944cfDE37ab9fbCC95D796007 ';
    const slackOnly = createClassifier({
      fingerprintKey,
      recognizers: DEFAULT_RECOGNIZERS.filter((r) => r.type === 'SLACK_TOKEN'),
    });
    expect(slackOnly.classify([{ path: 'p', text: whole }]).findings).toEqual([]);
    const s = scanner(slackOnly);
    for (const ch of whole) s.push(ch);
    expect(s.end().flatMap((c) => c.findings)).toEqual([]);
  });

  it('releases a run that matches a partial without end (a long digit run) once it is 1,024 characters behind', () => {
    const s = createStreamScanner({ classifier, path: 'p', maxBuffer: 2048 });
    let released = 0;
    for (let i = 0; i < 1000; i += 1) released += s.push('1234567890').text.length; // 10,000 digits, no space
    // Judged again every LIMITED_RELEASE_STEP characters once that much is held.
    expect(released).toBeGreaterThanOrEqual(10_000 - 1024 - LIMITED_RELEASE_STEP - 10);
    expect(released).toBeLessThanOrEqual(10_000 - 1024);
  });

  it('keeps context words across zero-width characters in released text', () => {
    const chunks = [`My passport number${'\u200b'.repeat(80)}`, ' is 12345', '6789 thanks, that is all for today.'];
    const whole = chunks.join('');
    expect(classifier.classify([{ path: 'p', text: whole }]).findings.map((f) => f.type)).toEqual(['US_PASSPORT']);
    const s = scanner();
    for (const c of chunks) s.push(c);
    expect(s.end().flatMap((c) => c.findings.map((f) => f.type))).toEqual(['US_PASSPORT']);
  });
});

describe('held text near the hold limit', () => {
  /** Characters the classifier was given for each character pushed, `token` pushed `count` times. */
  function classifiedPerCharacter(token: string, count: number): { perCharacter: number; released: string } {
    let classified = 0;
    const counting: Classifier = {
      recognizers: classifier.recognizers,
      classify(segments, options) {
        for (const s of segments) classified += s.text.length;
        return classifier.classify(segments, options);
      },
    };
    const s = scanner(counting);
    for (let k = 0; k < count; k += 1) s.push(token);
    const released = s.end().reduce((text, chunk) => text + chunk.text, '');
    return { perCharacter: classified / (token.length * count), released };
  }

  it('is judged again every LIMITED_RELEASE_STEP characters: a run of short tokens is classified a few times', () => {
    for (const token of ['ab ', '1 ']) {
      const { perCharacter, released } = classifiedPerCharacter(token, 1600);
      expect(perCharacter).toBeLessThan(10); // one release a push: 286 (`ab `) and 370 (`1 `)
      expect(released).toBe(token.repeat(1600));
    }
  });
});

describe('recognizers without a partial', () => {
  const withCustom = createClassifier({ fingerprintKey, recognizers: [...DEFAULT_RECOGNIZERS, EMPLOYEE_ID] });

  it('keep the fixed window for all text', () => {
    const s = scanner(withCustom, 64);
    const prose = 'Summarise the quarterly report for the north region. ';
    expect(s.push(prose)).toBe('');
    const released = s.push(prose);
    expect(released).toBe((prose + prose).slice(0, prose.length * 2 - 64));
  });

  it('still find a custom value split across chunks, longer than nothing but inside the window', () => {
    const s = scanner(withCustom, 64);
    s.push('Staff member EMP-00');
    s.push('4211 joined. '.padEnd(80, '.'));
    expect(
      s
        .end()
        .concat()
        .flatMap((c) => c.findings.map((f) => f.type)),
    ).toContain('EMPLOYEE_ID');
  });

  it('release early once the custom recognizer declares a partial', () => {
    const c = createClassifier({
      fingerprintKey,
      recognizers: [...DEFAULT_RECOGNIZERS, { ...EMPLOYEE_ID, partial: String.raw`\bE(?:M(?:P(?:-\d{0,6})?)?)?` }],
    });
    const s = scanner(c, 64);
    expect(s.push('Staff member EMP-00')).toBe('Staff member ');
    s.push('4211 joined the team this week, welcome.');
    const chunks = s.end();
    const found = chunks.find((x) => x.findings.length > 0);
    const f = found?.findings[0];
    expect(f && found?.text.slice(f.start, f.end)).toBe('EMP-004211');
  });

  it('a raw match reaching the end is held even when a (too narrow) partial and the validator both let it go', () => {
    // 8 digits fail the routing checksum, 9 pass: the value is not a finding until its last digit arrives.
    const routing = {
      type: 'WIRE_REF',
      category: 'CUSTOM',
      pattern: String.raw`\bR-(\d{8,9})\b`,
      group: 1,
      validator: 'aba_routing',
      partial: String.raw`\bR-?`,
      baseScore: 80,
    } as const satisfies RecognizerDefinition;
    const c = createClassifier({ fingerprintKey, recognizers: [routing] });
    const s = scanner(c);
    expect(s.push('Wire to R-02100002')).toBe('Wire to ');
    s.push('1 today, thanks.');
    const chunks = s.end();
    const found = chunks.find((x) => x.findings.length > 0);
    const f = found?.findings[0];
    expect(f && found?.text.slice(f.start, f.end)).toBe('021000021');
  });

  it('a classifier that does not expose its recognizers gets the fixed window', () => {
    const opaque: Classifier = { classify: (segments) => classifier.classify(segments) };
    const s = scanner(opaque, 32);
    expect(s.push('Summarise the quarterly report for the north ')).toBe('Summarise the'); // 45 characters, 32 held
  });
});

describe('partial patterns', () => {
  it('a partial RE2 rejects is a start-up error naming the recognizer', () => {
    const build = () =>
      createClassifier({
        fingerprintKey,
        recognizers: [...DEFAULT_RECOGNIZERS, { ...EMPLOYEE_ID, partial: 'E(?=M)' }],
      });
    expect(build).toThrow(ClassificationError);
    expect(build).toThrow(expect.objectContaining({ code: 'ERR_RECOGNIZER_INVALID', recognizer: 'EMPLOYEE_ID' }));
    expect(build).toThrow(/partial does not compile in RE2/);
  });

  it('comes through from configuration settings', () => {
    const defs = recognizersWith([
      {
        type: 'EMPLOYEE_ID',
        category: 'CUSTOM',
        pattern: EMPLOYEE_ID.pattern,
        partial: String.raw`\bEMP-\d{0,6}`,
        contextWords: [],
        requireContext: false,
        baseScore: 80,
      },
    ]);
    expect(defs.at(-1)?.partial).toBe(String.raw`\bEMP-\d{0,6}`);
  });

  it('is read from configuration (classification.recognizers[].partial), and one RE2 rejects is a problem naming the recognizer', () => {
    const env = { DATABASE_URL: 'postgres://u:p@db/proctor', SIGNING_KEY: 'pem', FP_KEY: 'x'.repeat(40) };
    const doc = (partial: string) => ({
      database: { url: { env: 'DATABASE_URL' } },
      ledger: { chain: 'c', signing_key: { env: 'SIGNING_KEY' } },
      identity: { issuers: [{ issuer: 'https://idp.contoso.io', audience: ['proctor'] }] },
      classification: {
        fingerprint_key: { env: 'FP_KEY' },
        recognizers: [
          { type: 'EMPLOYEE_ID', category: 'CUSTOM', pattern: EMPLOYEE_ID.pattern, base_score: 80, partial },
        ],
      },
      policy: { bundle: 'bundles/default.tar.gz' },
      upstreams: [{ name: 'openai', provider: 'openai', base_url: 'https://api.openai.com/v1', models: ['*'] }],
    });
    const config = resolveConfig(doc(String.raw`\bEMP-\d{0,6}`), { env, baseDir: '/etc/proctor' });
    expect(config.classification.recognizers[0]?.partial).toBe(String.raw`\bEMP-\d{0,6}`);
    let problems: readonly string[] = [];
    try {
      resolveConfig(doc('E(?=M)'), { env, baseDir: '/etc/proctor' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems.join('\n')).toMatch(
      /^\/classification\/recognizers\/0\/partial: recognizer EMPLOYEE_ID: does not compile in RE2/m,
    );
  });

  it('prefixOf matches every non-empty prefix of a literal and what follows it, nothing else', () => {
    const re = new RE2(`^(?:${prefixOf('sk_li.e_', '[0-9]*')})$`);
    for (const yes of ['s', 'sk', 'sk_li.', 'sk_li.e_', 'sk_li.e_42']) expect(re.test(yes), yes).toBe(true);
    for (const no of ['', 'x', 'sk_lixe_', 'sk_li.e_4a', 'k_li']) expect(re.test(no), no).toBe(false);
  });

  it('every built-in recognizer declares one', () => {
    expect(DEFAULT_RECOGNIZERS.filter((r) => r.partial === undefined).map((r) => r.type)).toEqual([]);
  });

  it("the released look-behind covers every built-in recognizer's before-context and the character before a match", () => {
    const widest = Math.max(...DEFAULT_RECOGNIZERS.map((r) => r.contextWindow?.before ?? 48));
    expect(CONTEXT_CHARS).toBeGreaterThan(widest + 1);
  });

  it('a recognizer needing a wider before-context is still judged with all of it', () => {
    const wide = createClassifier({
      fingerprintKey,
      recognizers: [
        {
          ...EMPLOYEE_ID,
          contextWords: ['staff'],
          requireContext: true,
          contextWindow: { before: 120, after: 0 },
          partial: String.raw`\bE(?:M(?:P(?:-\d{0,6})?)?)?`,
        },
      ],
    });
    const text = `staff ${'x '.repeat(50)}id EMP-004211 ok`;
    expect(wide.classify([{ path: 'p', text }]).findings).toHaveLength(1);
    const s = scanner(wide, 16);
    for (const ch of text) s.push(ch);
    expect(s.end().flatMap((c) => c.findings.map((f) => f.type))).toEqual(['EMPLOYEE_ID']);
  });
});
