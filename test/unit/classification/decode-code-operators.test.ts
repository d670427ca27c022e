// The gap either side of the operator joining two character-code calls (decode-code-operators.ts gapEnd, operatorAt):
// blank lines and comments are skipped, each gap read in at most MAX_GAP characters however long the blanks, breaks
// and comments go on; and a stream holds a run while a gap may still lead to its next call.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gapEnd, MAX_GAP, operatorAt } from '../../../src/classification/decode-code-operators.ts';
import { createClassifier, createStreamScanner } from '../../../src/classification/index.ts';

const KEY = 'aws AKIAZ3MQWXR5TLPB6Y7N';
const calls = (join: string) => [...KEY].map((c) => `chr(${c.charCodeAt(0)})`).join(join);

describe('operatorAt reads blank lines and comments either side of the operator', () => {
  it.each([
    ['a blank line before a leading +', ')\n\n    + chr(', '+'],
    ['a comment line before a leading ||', ')  -- next\n  || CHAR(', '||'],
    ['a block comment after a +', ') + /* next */ chr(', '+'],
    ['a comment and a blank line after a .', ') .  # next\n\n  chr(', '.'],
  ])('%s', (_name, text, operator) => {
    const found = operatorAt(text, 1);
    expect(found?.operator).toBe(operator);
    expect(text.slice(found?.next)).toMatch(/^(chr|CHAR)\(/);
  });

  it.each([
    ['three line breaks', ')\n\n\n+ chr('],
    ['an unclosed block comment', ') + /* next chr('],
    ['a line comment with no line break after it', ') # + chr('],
    ['prose between', ')\nand then\n+ chr('],
  ])('control: no operator across %s', (_name, text) => {
    const found = operatorAt(text, 1);
    expect(found === undefined || !/^chr\(/.test(text.slice(found.next))).toBe(true);
  });

  it('each gap is read in at most MAX_GAP characters, however long it goes on', () => {
    const pieces = fc.constantFrom(
      ' ',
      '\t',
      '\n',
      '\r\n',
      '# c\n',
      '/* c */',
      '// x\n',
      '-- y\n',
      `#${'x'.repeat(70)}\n`,
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 200 }), (parts) => {
        const text = `)${parts.join('')}`;
        expect(gapEnd(text, 1) - 1).toBeLessThanOrEqual(MAX_GAP);
      }),
      { numRuns: 300 },
    );
    const long = `)${' /* c */\n# c\n\n'.repeat(10_000)}`;
    expect(gapEnd(long, 1) - 1).toBeLessThanOrEqual(MAX_GAP);
  });
});

describe('a stream holds a run of calls while a gap may still lead to its next call', () => {
  const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(17) });
  it.each([
    ['a blank line before the leading +', calls('\n\n    + ')],
    ['a # comment line before the leading +', calls('  # next\n    + ')],
    ['a /* */ comment after the +', calls(' + /* next */ ')],
  ])('the key as chr() calls with %s, cut every 7th character, is found', (_name, text) => {
    for (let cut = 1; cut < text.length; cut += 7) {
      const scanner = createStreamScanner({ classifier, path: 'choices[0].delta.content' });
      const chunks = [scanner.push(text.slice(0, cut)), scanner.push(text.slice(cut)), scanner.end()];
      expect(chunks.flatMap((c) => c.findings.map((f) => f.type))).toContain('AWS_ACCESS_KEY');
    }
  });
});
