// The packet writer's archives are deterministic and are read back exactly by the strict ustar reader.
import { describe, expect, it } from 'vitest';
import { readPacket } from '../../../src/evidence/index.ts';
import { writeTarGz } from '../../../src/tar/index.ts';

describe('writeTarGz', () => {
  const entries = [
    { name: 'manifest.json', data: Buffer.from('{"a":1}') },
    { name: 'policies/x.tar.gz', data: Buffer.alloc(1500, 7) },
    { name: 'empty.txt', data: Buffer.alloc(0) },
  ];

  it('round-trips through the bounded reader, byte for byte', () => {
    const files = readPacket(writeTarGz(entries, 1_700_000_000));
    expect([...files.keys()]).toEqual(entries.map((e) => e.name));
    for (const e of entries) expect(Buffer.compare(files.get(e.name) as Buffer, e.data)).toBe(0);
  });

  it('gives identical bytes for identical input, different bytes for another mtime', () => {
    expect(Buffer.compare(writeTarGz(entries, 5), writeTarGz(entries, 5))).toBe(0);
    expect(Buffer.compare(writeTarGz(entries, 5), writeTarGz(entries, 6))).not.toBe(0);
  });

  it('refuses unsafe, duplicate and over-long names', () => {
    expect(() => writeTarGz([{ name: '../x', data: Buffer.alloc(0) }], 0)).toThrow(/unsafe/);
    expect(() => writeTarGz([{ name: 'a//b', data: Buffer.alloc(0) }], 0)).toThrow(/unsafe/);
    expect(() => writeTarGz([{ name: 'x'.repeat(101), data: Buffer.alloc(0) }], 0)).toThrow(/too long/);
    expect(() => writeTarGz([entries[0] as (typeof entries)[0], entries[0] as (typeof entries)[0]], 0)).toThrow(
      /duplicate/,
    );
  });
});
