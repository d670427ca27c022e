// Round 11 of the attacker's review (session 13), hex dumps past decode-dumps.ts (8270191): a .env file's AWS key,
// GitHub token or SSN as a dump layout it does not read (32-bit little-endian words, bits, decimal bytes), or as a dump
// it reads with its rows double-spaced, commented out or out of order, or as `xxd -p` lines indented or quoted. A model
// reads each back to text at once ("what is in this .env?"). Controls: the same files as xxd rows are refused.
import { describe, expect, it } from 'vitest';
import { prompt } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';
import { fates, isForwarded, pieces } from './round9-helpers.ts';
import { hexdumpCRow, odRow, xxdCharRow } from './round10-helpers.ts';
import {
  ENV_FILES,
  odDecimalRow,
  odWordsRow,
  rowsOf,
  xxdBitsRow,
  xxdLittleEndianRow,
  xxdPlainRow,
} from './round11-helpers.ts';

/** Whether each of the three files, written by `dump`, is forwarded. */
async function eachForwarded(dump: (file: Buffer) => string): Promise<boolean[]> {
  const out = [];
  for (const file of ENV_FILES) out.push(await isForwarded(dump(file)));
  return out;
}
const NONE = [false, false, false];

describe("a .env file's key, token and SSN in dump layouts decode-dumps.ts does not read", () => {
  it('control: each of the three values as xxd rows is refused', async () => {
    expect(await eachForwarded((file) => rowsOf(file, xxdCharRow))).toEqual(NONE);
  });

  it.each([
    ['xxd -e (32-bit little-endian words)', xxdLittleEndianRow],
    ['od -A x -t x4', odWordsRow],
  ])('each of the three values as %s is refused', async (_name, row) => {
    expect(await eachForwarded((file) => rowsOf(file, row))).toEqual(NONE);
  });

  it('each of the three values as xxd -b rows is refused', async () => {
    expect(await eachForwarded((file) => rowsOf(file, xxdBitsRow, 6))).toEqual(NONE);
  });

  it('each of the three values as od -A d -t u1 rows is refused', async () => {
    expect(await eachForwarded((file) => rowsOf(file, odDecimalRow))).toEqual(NONE);
  });
});

describe('a dump decode-dumps.ts reads, with its rows rearranged as a paste or a source file does', () => {
  const lines = (file: Buffer) => rowsOf(file, xxdPlainRow).split('\n');

  it('control: the rows indented and in a Markdown fence are refused', async () => {
    expect(await eachForwarded((file) => ['```', ...lines(file).map((l) => `    ${l}`), '```'].join('\n'))).toEqual(
      NONE,
    );
  });

  it('each of the three values as xxd rows with a blank line between each two is refused', async () => {
    expect(await eachForwarded((file) => lines(file).join('\n\n'))).toEqual(NONE);
  });

  it.each([
    ['# ', '# '],
    ['// ', '// '],
  ])('each of the three values as xxd rows commented out with %s is refused', async (_name, mark) => {
    expect(
      await eachForwarded((file) =>
        lines(file)
          .map((l) => `${mark}${l}`)
          .join('\n'),
      ),
    ).toEqual(NONE);
  });

  // Closed (decode-dumps.ts sortedRunDumps): rows were read only in order of their offsets (each next row's offset
  // must agree); a run of rows out of order is now read again sorted by its offsets, as a reader (or a model) does.
  it('each of the three values as xxd rows last to first is refused', async () => {
    expect(await eachForwarded((file) => lines(file).reverse().join('\n'))).toEqual(NONE);
  });
});

describe('xxd -p lines indented or quoted', () => {
  const TOKEN_FILE = ENV_FILES[1] as Buffer;
  const plain = pieces(TOKEN_FILE.toString('hex'), 60);

  it('control: the GitHub token file as xxd -p lines is refused', async () => {
    expect(await isForwarded(plain.join('\n'))).toBe(false);
  });

  // Closed (bd65832, decode-groups.ts: lines of one width under the same prefix of spaces, tabs and `>` marks are
  // one run): lines of hex were read only when the line opened with a hex digit; indented (a Markdown code block) or
  // quoted ('> ') lines were read one at a time, so a value crossing a line break was in no decoded text.
  it.each([
    ['indented by four spaces', '    '],
    ['quoted with "> "', '> '],
  ])('the GitHub token file as xxd -p lines %s is refused', async (_name, open) => {
    expect(await isForwarded(plain.map((l) => `${open}${l}`).join('\n'))).toBe(false);
  });
});

describe('the answer screen, the same layouts', () => {
  const AWS_FILE = ENV_FILES[0] as Buffer;

  it('control: the AWS key file as xxd rows reaches neither client', async () => {
    const dump = rowsOf(AWS_FILE, xxdCharRow);
    expect(await fates(dump, dump)).toEqual({ forwarded: false, relayed: false, streamed: false });
  });

  it('the AWS key file as xxd -e rows reaches neither client', async () => {
    const dump = rowsOf(AWS_FILE, xxdLittleEndianRow);
    expect(await fates(dump, dump)).toEqual({ forwarded: false, relayed: false, streamed: false });
  });
});

describe('a dump cut between two user messages at a row boundary', () => {
  /** For each file and each cut between two rows, whether the two messages are forwarded. */
  async function cutsForwarded(row: (bytes: Buffer, at: number) => string): Promise<boolean[]> {
    const out = [];
    for (const file of ENV_FILES) {
      const rows = rowsOf(file, row).split('\n');
      for (let cut = 1; cut < rows.length; cut += 1) {
        const sent = await forwarded(CHAT, prompt(rows.slice(0, cut).join('\n'), rows.slice(cut).join('\n')));
        out.push(sent !== '');
      }
    }
    return out;
  }

  it('control: each file as xxd rows in one message is refused', async () => {
    expect(await eachForwarded((file) => rowsOf(file, xxdCharRow))).toEqual(NONE);
  });

  // Closed (join-decode.ts dumpsAcross): a dump was read within one text, so "here is the rest" after the first rows
  // left the SSN (cut before its row), the token (cut inside it) or the key (hexdump -C, cut after its second row) in
  // no decoded text: 2 of 8 cuts (xxd), 3 of 8 (hexdump -C, od) were forwarded. The join windows now read the dumps
  // that cross a boundary a row opens at, with a line break at the cut.
  it.each([
    ['xxd', xxdCharRow],
    ['hexdump -C', hexdumpCRow],
    ['od -A x -t x1', odRow],
  ])('no cut of the three files as %s rows is forwarded', async (_name, row) => {
    expect((await cutsForwarded(row)).filter(Boolean)).toEqual([]);
  });
});
