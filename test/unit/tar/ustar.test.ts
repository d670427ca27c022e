import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTar, readTarGz, UstarError } from '../../../src/tar/ustar.ts';
import { tarArchive, tarEntry, tarGz } from '../policy/tar-builder.ts';

const DEFAULT_BUNDLE = new URL('../../../bundles/default.tar.gz', import.meta.url);

describe('readTarGz', () => {
  it('reads the files of a real opa bundle, dropping the leading slash', () => {
    const files = readTarGz(readFileSync(DEFAULT_BUNDLE));
    expect([...files.keys()]).toEqual(expect.arrayContaining(['.manifest', 'policy.wasm', 'data.json']));
    expect(files.get('policy.wasm')?.subarray(0, 4)).toEqual(Buffer.from([0x00, 0x61, 0x73, 0x6d]));
  });

  it('returns contents byte for byte, joining the ustar prefix', () => {
    const files = readTarGz(
      tarGz([
        { name: '/a.txt', content: 'hello' },
        { name: 'c.rego', prefix: 'x/y', content: 'x'.repeat(513) },
        { name: 'empty' },
      ]),
    );
    expect(files.get('a.txt')?.toString()).toBe('hello');
    expect(files.get('x/y/c.rego')?.toString()).toBe('x'.repeat(513));
    expect(files.get('empty')?.length).toBe(0);
    expect(files.size).toBe(3);
  });

  it.each([
    ['parent traversal', '../etc/passwd'],
    ['absolute after the OPA slash', '//etc/passwd'],
    ['traversal inside', 'a/../../b'],
    ['dot segment', 'a/./b'],
    ['empty segment', 'a//b'],
    ['backslash', 'a\\..\\b'],
    ['control character', 'a\nb'],
    ['empty name', ''],
    ['bare slash', '/'],
  ])('refuses an unsafe name (%s)', (_label, name) => {
    expect(() => readTarGz(tarGz([{ name, content: 'x' }]))).toThrow(UstarError);
  });

  it('refuses a traversal hidden in the prefix', () => {
    expect(() => readTarGz(tarGz([{ name: 'x', prefix: '..' }]))).toThrow(UstarError);
  });

  it.each([
    ['hard link', '1'],
    ['symlink', '2'],
    ['directory', '5'],
    ['PAX header', 'x'],
    ['PAX global header', 'g'],
    ['GNU long name', 'L'],
  ])('refuses entries that are not regular files (%s)', (_label, type) => {
    expect(() => readTarGz(tarGz([{ name: 'entry', type }]))).toThrow(UstarError);
  });

  it('accepts a NUL typeflag as a regular file', () => {
    expect(
      readTarGz(tarGz([{ name: 'old', type: '\0', content: 'v7' }]))
        .get('old')
        ?.toString(),
    ).toBe('v7');
  });

  it('refuses a header checksum mismatch', () => {
    expect(() => readTarGz(tarGz([{ name: 'a', checksumDelta: 1 }]))).toThrow(UstarError);
  });

  it('refuses duplicate names, also when they differ only by the leading slash', () => {
    expect(() => readTarGz(tarGz([{ name: 'a' }, { name: '/a' }]))).toThrow(UstarError);
  });

  it('refuses a non-ustar header', () => {
    const entry = tarEntry({ name: 'a' });
    entry.write('nostar', 257, 'latin1');
    expect(() => readTar(Buffer.concat([entry, Buffer.alloc(1024)]))).toThrow(UstarError);
  });

  it('refuses data that runs past the end, a missing end block, and trailing data', () => {
    const truncated = tarEntry({ name: 'a', content: 'x'.repeat(600) }).subarray(0, 700);
    expect(() => readTar(truncated)).toThrow(UstarError);
    expect(() => readTar(tarEntry({ name: 'a', content: 'x' }))).toThrow(UstarError);
    const trailing = Buffer.concat([Buffer.alloc(1024), Buffer.from('hidden')]);
    expect(() => readTar(tarArchive([{ name: 'a' }], trailing))).toThrow(UstarError);
  });

  it('accepts zero padding after the end block', () => {
    expect(readTar(tarArchive([{ name: 'a' }], Buffer.alloc(10240))).has('a')).toBe(true);
  });

  it('refuses a size field that is not octal', () => {
    const entry = tarEntry({ name: 'a' });
    entry.write('\x80\0\0\0\0\0\0\0\0\0\0\0', 124, 'latin1');
    fixChecksum(entry);
    expect(() => readTar(Buffer.concat([entry, Buffer.alloc(1024)]))).toThrow(UstarError);
  });

  it('refuses what is not gzip, and a truncated gzip stream', () => {
    expect(() => readTarGz(Buffer.from('not gzip at all'))).toThrow(UstarError);
    const gz = tarGz([{ name: 'a', content: 'x'.repeat(5000) }]);
    expect(() => readTarGz(gz.subarray(0, gz.length - 20))).toThrow(UstarError);
  });

  it('enforces the archive, file and count limits', () => {
    const limits = { maxArchiveBytes: 64 * 1024, maxFileBytes: 1024, maxFiles: 2 };
    expect(() => readTarGz(gzipSync(Buffer.alloc(1024 * 1024)), limits)).toThrow(UstarError);
    expect(() => readTarGz(tarGz([{ name: 'big', content: 'x'.repeat(1025) }]), limits)).toThrow(UstarError);
    expect(() => readTarGz(tarGz([{ name: 'a' }, { name: 'b' }, { name: 'c' }]), limits)).toThrow(UstarError);
    expect(readTarGz(tarGz([{ name: 'a' }, { name: 'b', content: 'x'.repeat(1024) }]), limits).size).toBe(2);
  });
});

function fixChecksum(header: Buffer): void {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header.subarray(0, 512)) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}
