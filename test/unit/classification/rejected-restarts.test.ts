// The search after a rejected match (matching.ts): a valid value that starts inside a rejected match is found however
// many rejected matches come before it, and the re-scanned bytes grow linearly with the text.
import { describe, expect, it } from 'vitest';
import { compileRecognizers } from '../../../src/classification/compile.ts';
import { matchesOf, rejectedRestarts } from '../../../src/classification/matching.ts';
import { DEFAULT_RECOGNIZERS } from '../../../src/classification/recognizers.ts';

const recognizers = compileRecognizers(DEFAULT_RECOGNIZERS, {});
const byType = (type: string) => {
  const r = recognizers.find((c) => c.type === type);
  if (r === undefined) throw new Error(`no ${type}`);
  return r;
};
const BSN = byType('NL_BSN');
const PRIVATE_KEY = byType('PRIVATE_KEY');
// 999123456 and 999999999 fail the 11-proef; 123456782 passes. The value starts inside the rejected 999-123-456.
const VALUE = 'BSN 999-123-456-782';
const found = (r: typeof BSN, text: string) => matchesOf(r, Buffer.from(text, 'utf8')).map((m) => m.value);
const decoys = (n: number) => 'BSN 999-123-456 '.repeat(n);

/** The re-searches and re-scanned bytes of one matchesOf call. */
function cost(r: typeof BSN, text: string) {
  const before = { ...rejectedRestarts };
  matchesOf(r, Buffer.from(text, 'utf8'));
  return {
    restarts: rejectedRestarts.restarts - before.restarts,
    rescanned: rejectedRestarts.rescanned - before.rescanned,
  };
}

describe('re-searching after rejected matches', () => {
  it.each([0, 1024, 1025, 20_000])('finds a BSN inside a rejected match after %i rejected ones', (n) => {
    expect(found(BSN, `${decoys(n)}${VALUE}`)).toContain('123-456-782');
  });

  it('finds it at the end of a chain of 20,000 overlapping rejected matches', () => {
    for (const extra of ['', '999-', '999-999-']) {
      expect(found(BSN, `BSN ${'999-'.repeat(20_000)}${extra}123-456-782`)).toContain('123-456-782');
    }
  });

  it('re-scans bytes linearly in the text: after decoys, in a chain', () => {
    // The end of each text adds a constant: the ratio is 4 up to a few re-searches.
    const texts = [(k: number) => `${decoys(2000 * k)}${VALUE}`, (k: number) => `BSN ${'999-'.repeat(4000 * k)}`];
    for (const text of texts) {
      const once = cost(BSN, text(1));
      const four = cost(BSN, text(4));
      expect(once.restarts).toBeGreaterThan(1024);
      expect(four.restarts).toBeLessThanOrEqual(4 * once.restarts + 8);
      expect(four.rescanned).toBeLessThanOrEqual(4 * once.rescanned + 128);
      expect(four.rescanned).toBeLessThanOrEqual(64 * Buffer.byteLength(text(4)));
    }
  });

  it('bounds the re-scan of long overlapping rejected matches by 16 bytes a byte of text', () => {
    // Each block is rejected (no body before the one END) and runs to the END: each re-search rescans the rest, and
    // the region (the whole text) gets at least 16 of them. It was 1,024 more past a per-text budget: ~1,500 a byte.
    for (const n of [200, 1500, 4000]) {
      const text = `${'-----BEGIN PRIVATE KEY-----\n'.repeat(n)}-----END PRIVATE KEY-----`;
      const { restarts, rescanned } = cost(PRIVATE_KEY, text);
      expect(restarts).toBeGreaterThanOrEqual(16);
      expect(rescanned).toBeGreaterThan(8 * text.length);
      expect(rescanned).toBeLessThanOrEqual(16 * text.length);
    }
  });
});
