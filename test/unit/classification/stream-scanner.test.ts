// The hold-back stream scanner: a value split across chunks is still found whole, in the chunk that releases it;
// released text concatenates to the input; held text past maxBuffer fails closed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClassificationError, createClassifier, createStreamScanner } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });

function run(chunks: string[], window = 128) {
  const scanner = createStreamScanner({ classifier, path: 'choices[0].delta.content', window });
  const out = [...chunks.map((c) => scanner.push(c)), scanner.end()];
  return {
    text: out.map((c) => c.text).join(''),
    values: out.flatMap((c) =>
      c.findings.map((f) => ({ type: f.type, value: c.text.slice(f.start, f.end), at: c.offset + f.start })),
    ),
  };
}

describe('createStreamScanner', () => {
  it('finds an email split over three chunks and never releases part of it early', () => {
    const scanner = createStreamScanner({ classifier, path: 'p', window: 32 });
    const a = scanner.push('Write to jane.do');
    const b = scanner.push('e@contoso-ma');
    const c = scanner.push('il.com today, thanks. More text follows here.');
    const d = scanner.end();
    const chunks = [a, b, c, d];
    expect(chunks.map((x) => x.text).join('')).toBe(
      'Write to jane.doe@contoso-mail.com today, thanks. More text follows here.',
    );
    const emailChunk = chunks.find((x) => x.findings.length > 0);
    expect(emailChunk?.findings.map((f) => emailChunk.text.slice(f.start, f.end))).toEqual([
      'jane.doe@contoso-mail.com',
    ]);
    for (const x of chunks)
      expect(x.text.includes('jane') && !x.text.includes('jane.doe@contoso-mail.com')).toBe(false);
  });

  it('keeps context words from released text (a passport number after its label)', () => {
    expect(run(['My passport number', ' is 12345', '6789 thanks'], 16).values).toMatchObject([
      { type: 'US_PASSPORT', value: '123456789' },
    ]);
  });

  it('holds a private key block until its END line, however long', () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'.repeat(10);
    const key = `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`;
    const chunks = ['here: ', ...(key.match(/.{1,20}/gs) ?? []), ' done'];
    const result = run(chunks, 64);
    expect(result.values).toMatchObject([{ type: 'PRIVATE_KEY', value: key }]);
  });

  it('fails closed when held text exceeds maxBuffer', () => {
    const scanner = createStreamScanner({ classifier, path: 'p', window: 8, maxBuffer: 64 });
    scanner.push('-----BEGIN PRIVATE KEY-----\n');
    expect(() => {
      for (let i = 0; i < 10; i += 1) scanner.push('A'.repeat(20));
    }).toThrow(ClassificationError);
  });

  it('rejects push after end', () => {
    const scanner = createStreamScanner({ classifier, path: 'p' });
    scanner.end();
    expect(() => scanner.push('x')).toThrow(expect.objectContaining({ code: 'ERR_STREAM_ENDED' }));
  });

  it('finds exactly what the classifier finds in the whole text, however it is chunked (property)', () => {
    const values = [
      'jane.doe@contoso-mail.com',
      '219-09-9999',
      '4111 1111 1111 1111',
      'AKIA2E0A8F3B244C9986',
      'GB82 WEST 1234 5698 7654 32',
      '+44 20 7946 0958',
    ];
    const filler = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '.', ',', '\n', 'é', '😀'), maxLength: 40 });
    const text = fc
      .array(fc.oneof(filler, fc.constantFrom(...values)), { minLength: 1, maxLength: 6 })
      .map((p) => p.join(' '));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), (whole, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((p, i) => whole.slice(p, [...points, whole.length][i]));
        const streamed = run(chunks, 64);
        expect(streamed.text).toBe(whole);
        const expected = classifier
          .classify([{ path: 'p', text: whole }])
          .findings.map((f) => ({ type: f.type, value: whole.slice(f.start, f.end), at: f.start }));
        expect(streamed.values).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('does not classify held text on a push that can release nothing (a key block, a character a push)', () => {
    let calls = 0;
    const counting = {
      recognizers: classifier.recognizers,
      classify: (...args: Parameters<typeof classifier.classify>) => {
        calls += 1;
        return classifier.classify(...args);
      },
    };
    const scanner = createStreamScanner({ classifier: counting, path: 'p' });
    const block = `-----BEGIN RSA PRIVATE KEY-----\n${'MIIEowIBAAKCAQEA7xZZaa09+/Qkm\n'.repeat(40)}`;
    const text = `here:\n${block}-----END RSA PRIVATE KEY-----\nthat is all for today, thanks.`;
    const out = [...[...text].map((c) => scanner.push(c)), scanner.end()];
    expect(out.map((c) => c.text).join('')).toBe(text);
    expect(out.flatMap((c) => c.findings.map((f) => f.type))).toContain('PRIVATE_KEY');
    // Held whole until its end line: the pushes before it release nothing and classify nothing (was one per push).
    expect(calls).toBeLessThan(50);
  });
});
