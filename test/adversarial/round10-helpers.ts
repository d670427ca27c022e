// Shared by the round 10 attack files (round10-*.test.ts, session 12): what the upstream receives for a chat message
// holding a text, for values a policy redacts rather than refuses (an IBAN: the request is forwarded, its value
// replaced), so the closed-world property is "the upstream never receives the value", not "the request is refused".
import { prompt } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

/** Whether the upstream receives `probe` (a piece of the value only it holds) for a chat message holding `text`. */
export async function upstreamHolds(text: string, probe: string): Promise<boolean> {
  return (await forwarded(CHAT, prompt(text))).includes(probe);
}

/** `value`'s characters with `filler` between each two. */
export const between = (value: string, filler: string) => [...value].join(filler);

/** `key`'s rows of 16 bytes, each written by `line` from the row's bytes and its offset, joined by `eol`. */
export const dumpRows = (key: Buffer, line: (row: Buffer, at: number) => string, eol = '\n') =>
  Array.from({ length: Math.ceil(key.length / 16) }, (_, i) => line(key.subarray(i * 16, i * 16 + 16), i * 16)).join(
    eol,
  );
/** hexdump's (`radix` 16) or od -x's (8) row: 16-bit little-endian words after a seven-digit offset. */
export const wordRow = (radix: 16 | 8) => (row: Buffer, at: number) =>
  `${at.toString(radix).padStart(7, '0')} ${(row.toString('hex').match(/.{1,4}/g) as string[])
    .map((w) => (w.length === 4 ? w.slice(2) + w.slice(0, 2) : `00${w}`))
    .join(' ')}`;
/** od -A x -t x1's row: a seven-digit hex offset and the bytes in hex. */
export const odRow = (row: Buffer, at: number) =>
  `${at.toString(16).padStart(7, '0')} ${(row.toString('hex').match(/../g) as string[]).join(' ')}`;
/** xxd's row: an eight-digit offset, a colon and the bytes in pairs. */
export const xxdRow = (row: Buffer, at: number) =>
  `${at.toString(16).padStart(8, '0')}: ${(row.toString('hex').match(/.{1,4}/g) as string[]).join(' ')}`;
/** A printable ASCII byte as itself, any other as '.': a dump's character column. */
const shown = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');
/** xxd's row with its character column. */
export const xxdCharRow = (row: Buffer, at: number) =>
  `${xxdRow(row, at).padEnd(49, ' ')}  ${[...row].map(shown).join('')}`;
/** hexdump -C's row: two halves of eight bytes and the character column between bars. */
export const hexdumpCRow = (row: Buffer, at: number) => {
  const cells = row.toString('hex').match(/../g) as string[];
  const hex = `${at.toString(16).padStart(8, '0')}  ${cells.slice(0, 8).join(' ')}  ${cells.slice(8).join(' ')}`;
  return `${hex.padEnd(60, ' ')}|${[...row].map(shown).join('')}|`;
};
