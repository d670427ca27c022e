// Round 8 of the attacker's review (session 10), decoys that use up the re-search budget. After a rejected match the
// search looks again one code point later, so a value that starts inside it (a BSN after a rejected group:
// `999-123-456-782`, whose 999123456 fails the 11-proef and 123456782 passes) is found. Those re-searches were
// counted per scanned text, at most 1,024: past them the search resumed after the rejected match. 1,025 rejected
// numbers anywhere earlier in a prompt (each next to its context word, as a BSN needs) hid the value that followed.
// Closed: the re-searches are bounded by the bytes they re-scan, 64 a byte of text (matching.ts), which no
// recognizer whose matches are at most 64 bytes long can exhaust. Controls: the value alone, after ten decoys.
import { describe, expect, it } from 'vitest';
import { prompt } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

const VALUE = 'BSN 999-123-456-782';
const decoys = (n: number) => 'BSN 999-123-456, '.repeat(n);

describe('rejected numbers before a value', () => {
  it.each([1025, 5000])('%i rejected BSNs before one that starts inside a rejected match: refused', async (n) => {
    expect(await forwarded(CHAT, prompt(`${decoys(n)}and ${VALUE}`))).toBe('');
  });
  it('a chain of 2,000 overlapping rejected BSNs before the value: refused', async () => {
    expect(await forwarded(CHAT, prompt(`${'999-'.repeat(2000)}123-456-782 is my BSN`))).toBe('');
  });
  it('control: the value alone, and after ten decoys, is refused; the decoys alone are forwarded', async () => {
    expect(await forwarded(CHAT, prompt(VALUE))).toBe('');
    expect(await forwarded(CHAT, prompt(`${decoys(10)}and ${VALUE}`))).toBe('');
    expect(await forwarded(CHAT, prompt(`${decoys(1025)}and no more`))).toContain('999-123-456');
  });
});
