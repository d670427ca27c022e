// The evasion-proof views hold on a classification thread too: a large input classified off the event loop finds
// the same split, encoded and disguised values as in-process classification (locations included).
import { afterAll, describe, expect, it } from 'vitest';
import { createClassifier, createClassifierPool, recognizersWith } from '../../../src/classification/index.ts';

const KEY = new Uint8Array(32).fill(0x3d);
const local = createClassifier({ fingerprintKey: KEY, recognizers: recognizersWith([]) });
const pool = createClassifierPool({ fingerprintKey: KEY, recognizers: [], local, thresholdChars: 1024, size: 1 });
afterAll(() => pool.close());

describe('views on a classification thread', () => {
  it('finds a split value, a dotted SSN, a base64 key and Arabic-Indic digits, as in-process', async () => {
    const filler = 'plain words here. '.repeat(100);
    const key64 = Buffer.from('AKIA2E0A8F3B244C9986').toString('base64');
    const segments = [
      { path: 'messages[0].content', text: `${filler} my ssn is 219-09-`, location: 'user' },
      { path: 'messages[1].content', text: `go on ${filler}`, location: 'assistant' },
      { path: 'messages[2].content', text: `9999 ok, also 078.05.1121 and ${key64} and ٢١٩-٠٩-٩٩٩٨`, location: 'user' },
    ];
    const threaded = await pool.classify(segments);
    expect(threaded).toEqual(local.classify(segments));
    expect(threaded.findings.map((f) => [f.segment, f.type])).toEqual([
      [0, 'US_SSN'],
      [2, 'US_SSN'],
      [2, 'US_SSN'],
      [2, 'AWS_ACCESS_KEY'],
      [2, 'US_SSN'],
    ]);
  });
});
