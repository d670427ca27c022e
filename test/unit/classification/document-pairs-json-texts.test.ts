// The document-order pairs across JSON texts (document-pairs.ts jsonTextPairs: consecutive JSON texts of one path
// shape member by member) and beside a URI's last path segment (uriPairs): what they read, and their bound (each
// member and each URI in a few pairs: the window is at most a few times the texts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentPairs } from '../../../src/classification/document-pairs.ts';
import { createClassifier } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const REACH = 256;
const args = (texts: string[]) => texts.map((text, i) => ({ path: `tool_calls[${i}].function.arguments`, text }));
const pairText = (texts: { path: string; text: string }[]) => documentPairs(texts, REACH)[0]?.text ?? '';

describe('jsonTextPairs', () => {
  it("reads a member before the next text's member of the same name, and the last string before the first", () => {
    const text = pairText(args(['{"path":"/a","content":"AKIAZ3MQWX","n":1}', '{"content":"R5TLPB6Y7N","path":"/b"}']));
    expect(text).toContain('AKIAZ3MQWXR5TLPB6Y7N');
    expect(text).toContain('/a/b');
  });

  it('reads texts of one path shape only', () => {
    const texts = [
      { path: 'messages[0].content', text: '{"data":"AKIAZ3MQWX"}' },
      { path: 'messages[1].tool_calls[0].function.arguments', text: '{"data":"R5TLPB6Y7N"}' },
    ];
    expect(pairText(texts)).not.toContain('AKIAZ3MQWXR5TLPB6Y7N');
  });

  it('finds a key in two pages with their offsets', () => {
    const pages = ['{"offset":0,"data":"AKIAZ3MQWX"}', '{"offset":10,"data":"R5TLPB6Y7N"}'];
    const { findings } = classifier.classify(pages.map((text, i) => ({ path: `messages[${i}].content`, text })));
    expect(findings.map((f) => f.type)).toContain('AWS_ACCESS_KEY');
  });

  it('reads pages again in the order of a number they share, whatever its name', () => {
    const pages = [1, 0].map((i) =>
      JSON.stringify({ size: 9 - i, offset: i * 10, data: ['AKIAZ3MQWX', 'R5TLPB6Y7N'][i] }),
    );
    expect(pairText(args(pages))).toContain('AKIAZ3MQWXR5TLPB6Y7N');
    expect(pairText(args(pages.map((p) => p.replace(/"offset"/, '"at"'))))).toContain('AKIAZ3MQWXR5TLPB6Y7N');
  });

  it('reads at most two orders besides arrival (property: the window is at most three times the one-order bound)', () => {
    const page = fc.record({
      a: fc.integer(),
      b: fc.integer(),
      offset: fc.integer(),
      data: fc.string({ minLength: 1, maxLength: 40 }),
    });
    fc.assert(
      fc.property(
        fc.array(
          page.map((p) => JSON.stringify(p)),
          { maxLength: 8 },
        ),
        (texts) => {
          const total = texts.reduce((n, t) => n + t.length, 0);
          expect(pairText(args(texts)).length).toBeLessThanOrEqual(3 * (4 * total + 2 * 3 * total));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('copies each member into at most four pairs (property: the window is at most a few times the texts)', () => {
    const member = fc.tuple(fc.constantFrom('a', 'b', 'data'), fc.string({ minLength: 1, maxLength: 40 }));
    const object = fc.array(member, { maxLength: 6 }).map((m) => JSON.stringify(Object.fromEntries(m)));
    fc.assert(
      fc.property(fc.array(object, { maxLength: 8 }), (texts) => {
        const total = texts.reduce((n, t) => n + t.length, 0);
        // Each string copied into at most four pairs; at most two pairs a string, each after a 3-character gap.
        expect(pairText(args(texts)).length).toBeLessThanOrEqual(4 * total + 2 * 3 * total);
      }),
      { numRuns: 200 },
    );
  });
});

describe('uriPairs', () => {
  it("reads a URI's last path segment before the string two on and after the one before it", () => {
    const texts = [
      { path: 'content[0].resource.uri', text: 'file:///tmp/AKIAZ3MQWX' },
      { path: 'content[0].resource.mimeType', text: 'text/plain' },
      { path: 'content[0].resource.text', text: 'R5TLPB6Y7N' },
    ];
    expect(pairText(texts)).toContain('AKIAZ3MQWXR5TLPB6Y7N');
    expect(pairText([...texts].reverse())).toContain('R5TLPB6Y7NAKIAZ3MQWX');
  });

  it('reads no text with a blank or a long text as a URI', () => {
    const texts = [
      { path: 'a', text: 'see /tmp/AKIAZ3MQWX' },
      { path: 'b', text: 'x' },
      { path: 'c', text: 'R5TLPB6Y7N' },
    ];
    expect(pairText(texts)).not.toContain('AKIAZ3MQWXR5TLPB6Y7N');
  });
});
