// Test helper: builds small ustar archives byte by byte, including malformed ones the reader must refuse.
// Real bundles come from `opa build`; this exists so the tests can make the archives opa would never write.
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  name: string;
  content?: Uint8Array | string;
  /** ustar typeflag character; '0' (regular file) unless set. */
  type?: string;
  prefix?: string;
  /** Added to the correct checksum, to corrupt it. */
  checksumDelta?: number;
}

export function tarEntry(entry: TarEntry): Buffer {
  const content = typeof entry.content === 'string' ? Buffer.from(entry.content) : Buffer.from(entry.content ?? []);
  const header = Buffer.alloc(512);
  header.write(entry.name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 'latin1');
  header.write('0000000\0', 108, 'latin1');
  header.write('0000000\0', 116, 'latin1');
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write('00000000000\0', 136, 'latin1');
  header.write(entry.type ?? '0', 156, 'latin1');
  header.write('ustar\0', 257, 'latin1');
  header.write('00', 263, 'latin1');
  if (entry.prefix !== undefined) header.write(entry.prefix, 345, 155, 'utf8');
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  sum += entry.checksumDelta ?? 0;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const padded = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  content.copy(padded);
  return Buffer.concat([header, padded]);
}

export function tarArchive(entries: TarEntry[], trailer: Buffer = Buffer.alloc(1024)): Buffer {
  return Buffer.concat([...entries.map(tarEntry), trailer]);
}

export function tarGz(entries: TarEntry[], trailer?: Buffer): Buffer {
  return gzipSync(tarArchive(entries, trailer));
}
