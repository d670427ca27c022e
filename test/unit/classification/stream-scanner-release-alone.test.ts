// Pattern-aware release, one recognizer at a time: each built-in recognizer alone (so no other recognizer's partial can
// cover for a wrong one) reports its corpus examples, split at every position, exactly as the whole text does. A file
// of its own so the two halves of the release property run on two workers.
import { describe, expect, it } from 'vitest';
import { createClassifier, DEFAULT_RECOGNIZERS } from '../../../src/classification/index.ts';
import { PATH, embeddings, everySplit, examples, key } from './stream-release-fixture.ts';

describe('stream scanner releases early without missing anything, recognizer by recognizer', () => {
  // Alone, so no other recognizer's partial can cover for a wrong one (a phone's partial also holds card digits).
  it.each(DEFAULT_RECOGNIZERS.map((r, i) => [i, r.type, r] as const))(
    'recognizer %i (%s) alone: its examples split at every position',
    (_i, type, r) => {
      const alone = createClassifier({ fingerprintKey: key, recognizers: [r] });
      const texts = examples
        .filter((e) => e.type === type)
        // Lower-cased too: some recognizers read a value in either case (an AWS key id written in lower case).
        .flatMap((e) => [...embeddings(type, e.value), ...embeddings(type, e.value.toLowerCase())])
        .filter((text) => alone.classify([{ path: PATH, text }]).findings.length > 0);
      expect(texts.length, `${type}: no example this recognizer finds`).toBeGreaterThan(0);
      for (const text of texts) everySplit(text, alone);
    },
  );
});
