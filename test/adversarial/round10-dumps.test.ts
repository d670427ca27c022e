// Round 10 of the attacker's review (session 12), a text file's secrets as a hex dump: `xxd`, `hexdump -C`,
// `od -A x -t x1` or `xxd -p` of a .env file. The dump readers (decode-der-rows.ts, decode-der-notations.ts) read rows
// into bytes for DER private keys only; for other bytes only hex runs are decoded, each within one row or line, so a
// key, a token or an SSN whose bytes cross a row (16 bytes a row, 30 for `xxd -p`) is in no decoded text, and
// hexdump's character column shows it in pieces a row long. A model reads a dump back to text at once ("what is in
// this .env?"). Control: the same file as one line of hex is refused.
import { describe, expect, it } from 'vitest';
import { fates, isForwarded, pieces } from './round9-helpers.ts';
import { dumpRows, hexdumpCRow, odRow, xxdCharRow } from './round10-helpers.ts';

const ENV = [
  '# config for prod',
  'AWS_ACCESS_KEY_ID=AKIAZ3MQWXR5TLPB6Y7N',
  'GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae17xbab',
  'USER_SSN=219-09-9999',
  '',
].join('\n');
/** One file holding one of the values, each as its line after the comment. */
const FILES = ENV.split('\n')
  .slice(1, 4)
  .map((line) => Buffer.from(`# config for prod\n${line}\n`));

const LAYOUTS = [
  ['xxd', (b: Buffer) => dumpRows(b, xxdCharRow)],
  ['hexdump -C', (b: Buffer) => dumpRows(b, hexdumpCRow)],
  ['od -A x -t x1', (b: Buffer) => dumpRows(b, odRow)],
  ['xxd -p', (b: Buffer) => pieces(b.toString('hex'), 60).join('\n')],
] as const;

describe("a .env file's key, token and SSN as a hex dump", () => {
  it.each(LAYOUTS)('each of the three values as %s is refused', async (_name, dump) => {
    const forwarded = [];
    for (const file of FILES) forwarded.push(await isForwarded(dump(file)));
    expect(forwarded).toEqual([false, false, false]);
  });
  it('the whole file as hexdump -C reaches neither client', async () => {
    const dump = dumpRows(Buffer.from(ENV), hexdumpCRow);
    expect(await fates(dump, dump.split('\n')[2] as string)).toEqual({
      forwarded: false,
      relayed: false,
      streamed: false,
    });
  });
  it('control: each of the three values as one line of hex (xxd -p of a short file) is refused', async () => {
    const forwarded = [];
    for (const file of FILES) forwarded.push(await isForwarded(file.toString('hex')));
    expect(forwarded).toEqual([false, false, false]);
  });
});
