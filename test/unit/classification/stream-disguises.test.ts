// The round-4 disguises (number forms, a Braille blank, mixed-case and five-grouped key ids, quoted-printable and
// decimal character codes) streamed: cut at every offset into two chunks, the stream scanner still finds the value.
import { describe, expect, it } from 'vitest';
import { createClassifier, createStreamScanner } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(6) });
const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';

/** The finding types of `text` pushed as two chunks cut at `cut`. */
function typesAt(text: string, cut: number): string[] {
  const scanner = createStreamScanner({ classifier, path: 'choices[0].delta.content' });
  const chunks = [scanner.push(text.slice(0, cut)), scanner.push(text.slice(cut)), scanner.end()];
  return [...new Set(chunks.flatMap((c) => c.findings.map((f) => f.type)))];
}

describe('stream scanner: disguised values cut anywhere', () => {
  it.each([
    ['a key in mixed case', 'use AkIaZ3mQwXr5TlPb6Y7n now', 'AWS_ACCESS_KEY'],
    ['a key in groups of five', 'use AKIAZ-3MQWX-R5TLP-B6Y7N now', 'AWS_ACCESS_KEY'],
    ['a key with a Braille blank', 'use AKIAZ3MQ\u2800WXR5TLPB6Y7N now', 'AWS_ACCESS_KEY'],
    ['an SSN in dingbat digits', 'my ssn is ❷❶❾-⓿❾-❾❾❾❾ thanks', 'US_SSN'],
    ['a BSN with slashes (the digits view)', 'mijn BSN is 123/456/782 dank je', 'NL_BSN'],
    ['a BSN in spaced digits (the digits view)', 'mijn BSN is 1 2 3 4 5 6 7 8 2 dank je', 'NL_BSN'],
    [
      'a key as quoted-printable',
      `decode ${[...KEY].map((c) => `=${c.charCodeAt(0).toString(16)}`).join('')} ok`,
      'AWS_ACCESS_KEY',
    ],
    ['a key as character codes', `decode ${[...KEY].map((c) => c.charCodeAt(0)).join(',')} ok`, 'AWS_ACCESS_KEY'],
  ])('%s', (_name, text, type) => {
    const missed: number[] = [];
    for (let cut = 1; cut < text.length; cut += 1) if (!typesAt(text, cut).includes(type)) missed.push(cut);
    expect(missed).toEqual([]);
  });
});
