// Round 10 of the attacker's review (session 12), DER private keys as dump rows at the edges of 4c5fb3e's stream hold
// (stream-key-hold.ts) and of the row readers (decode-der-notations.ts): (1) hexdump's and od -x's little-endian word
// rows with CRLF line ends are read by the plain answer's screen (withheld), but a stream of one character a delta
// releases every row (the LF rows, and od/xxd rows with CRLF, are held); (2) rows of od, xxd or hexdump quoted as an
// e-mail reply or Markdown quotes them (`> ` before each row) or as list items (`- `) are read by no view: the rows'
// first cell must open a line. A model reads both at once. Controls: LF word rows are withheld from a stream, and
// unquoted rows are refused.
import { describe, expect, it } from 'vitest';
import { ED25519, fates, isForwarded, isRelayed, isStreamed, RSA } from './round9-helpers.ts';
import { dumpRows, odRow, wordRow, xxdRow } from './round10-helpers.ts';

const KEYS = [
  ['Ed25519', ED25519],
  ['RSA', RSA],
] as const;
/** A piece of `rows` only the key's bytes hold: its second row's cells. */
const probeOf = (rows: string) => (rows.split(/\r?\n/)[1] as string).slice(8, 30);

describe('word rows with CRLF line ends in a stream of one character a delta', () => {
  // Ed25519 only: an RSA key's 1,200 random bytes sometimes hold a value of another kind that cuts the stream.
  it('an Ed25519 key as hexdump or od -x rows with CRLF is not streamed', async () => {
    const key = ED25519;
    for (const radix of [16, 8] as const) {
      const rows = dumpRows(key, wordRow(radix), '\r\n');
      expect(await isStreamed(`${rows}\r\n`, probeOf(rows), 1)).toBe(false);
    }
  });
  it.each(KEYS)(
    'control: a %s key as CRLF word rows is withheld from a plain answer, LF rows from the stream',
    async (_name, key) => {
      for (const radix of [16, 8] as const) {
        const crlf = dumpRows(key, wordRow(radix), '\r\n');
        const lf = dumpRows(key, wordRow(radix));
        expect([await isRelayed(crlf, probeOf(crlf)), await isStreamed(`${lf}\n`, probeOf(lf), 1)]).toEqual([
          false,
          false,
        ]);
      }
    },
  );
});

describe('dump rows quoted or listed', () => {
  const LAYOUTS = [
    ['od -A x -t x1', odRow],
    ['xxd', xxdRow],
    ['hexdump', wordRow(16)],
  ] as const;
  it.each(LAYOUTS)(
    'an Ed25519 key as %s rows quoted with "> " is refused, withheld and not streamed',
    async (_name, line) => {
      const rows = dumpRows(ED25519, line);
      const quoted = rows
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n');
      expect(await fates(`On Monday you wrote:\n${quoted}\n`, probeOf(rows))).toEqual({
        forwarded: false,
        relayed: false,
        streamed: false,
      });
    },
  );
  // Ed25519 only: an RSA key's 1,200 random bytes sometimes hold a value of another kind that refuses the text.
  it.each(LAYOUTS)('an Ed25519 key as %s rows listed with "- " is refused', async (_name, line) => {
    const listed = dumpRows(ED25519, line)
      .split('\n')
      .map((l) => `- ${l}`)
      .join('\n');
    expect(await isForwarded(listed)).toBe(false);
  });
  it.each(LAYOUTS)('control: %s rows unquoted are refused', async (_name, line) => {
    expect([await isForwarded(dumpRows(ED25519, line)), await isForwarded(dumpRows(RSA, line))]).toEqual([
      false,
      false,
    ]);
  });
});
