// Writes a deterministic gzip-compressed ustar archive: the caller's file order, fixed mode 0644, uid/gid 0, no user
// or group names, one mtime for every entry, and a gzip header without a timestamp or file name. The same files and
// mtime MUST give byte-identical output, so an export can be reproduced and compared byte for byte.
// The reader is src/policy/ustar.ts (strict, bounded); what this writes is exactly what it accepts.
import { gzipSync } from 'node:zlib';

const BLOCK = 512;

export interface TarEntry {
  /** A relative path of plain segments, at most 100 bytes (no prefix field is used). */
  name: string;
  data: Uint8Array;
}

export function writeTarGz(entries: readonly TarEntry[], mtimeSeconds: number): Buffer {
  const parts: Buffer[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.name)) throw new Error(`tar: duplicate entry ${entry.name}`);
    seen.add(entry.name);
    parts.push(header(entry.name, entry.data.length, mtimeSeconds));
    parts.push(Buffer.from(entry.data));
    const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2)); // end of archive
  // zlib writes MTIME 0 and no FNAME: the compressed bytes depend on the tar bytes only.
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

function header(name: string, size: number, mtime: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (
    nameBytes.length === 0 ||
    nameBytes.length > 100 ||
    name.split('/').some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw new Error(`tar: unsafe or too long entry name ${JSON.stringify(name)}`);
  }
  if (!Number.isSafeInteger(mtime) || mtime < 0) throw new Error('tar: mtime must be a non-negative integer');
  const h = Buffer.alloc(BLOCK);
  nameBytes.copy(h, 0);
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  h[156] = 0x30; // '0': regular file
  h.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return h;
}

function octal(h: Buffer, offset: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, '0');
  if (text.length > length - 1) throw new Error('tar: value too large for its header field');
  h.write(`${text}\u0000`, offset, 'latin1');
}
