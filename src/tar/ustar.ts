// gzip-compressed ustar archives, regular files only: OPA bundles and evidence packets are read, packets written.
// The reader MUST reject what it does not understand rather than skip it: links, directories, PAX/GNU extensions, bad
// checksums, absolute or traversing names, duplicates, and anything over the size limits.
// The writer is deterministic: the caller's file order, mode 0644, uid/gid 0, no user or group names, one mtime for
// every entry, a gzip header without a timestamp or file name. The same files and mtime MUST give byte-identical
// output (an export can be reproduced and compared byte for byte), and what it writes is exactly what the reader takes.
import { gunzipSync, gzipSync } from 'node:zlib';

export interface UstarLimits {
  /** Largest decompressed archive, in bytes. */
  maxArchiveBytes: number;
  /** Largest single file, in bytes. */
  maxFileBytes: number;
  maxFiles: number;
}

export const DEFAULT_USTAR_LIMITS: UstarLimits = {
  maxArchiveBytes: 64 * 1024 * 1024,
  maxFileBytes: 32 * 1024 * 1024,
  maxFiles: 1000,
};

/** A malformed or unsupported archive; the message says what is wrong. */
export class UstarError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UstarError';
  }
}

const BLOCK = 512;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Returns the archive's files keyed by normalised name: one leading '/' (OPA writes "/data.json") is dropped, and
 * the name MUST then be a relative path of plain segments.
 */
export function readTarGz(gz: Uint8Array, limits: UstarLimits = DEFAULT_USTAR_LIMITS): Map<string, Buffer> {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: limits.maxArchiveBytes });
  } catch (err) {
    throw new UstarError(`not a readable gzip stream within ${limits.maxArchiveBytes} bytes (${describe(err)})`, {
      cause: err,
    });
  }
  return readTar(tar, limits);
}

export function readTar(tar: Buffer, limits: UstarLimits = DEFAULT_USTAR_LIMITS): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  for (;;) {
    if (offset + BLOCK > tar.length) throw new UstarError('archive ends without an end-of-archive block');
    const header = tar.subarray(offset, offset + BLOCK);
    if (isZero(header)) break;
    const entry = parseHeader(header, offset);
    const start = offset + BLOCK;
    if (entry.size > limits.maxFileBytes) {
      throw new UstarError(`${entry.name}: ${entry.size} bytes exceeds the ${limits.maxFileBytes}-byte file limit`);
    }
    if (start + entry.size > tar.length) throw new UstarError(`${entry.name}: file data runs past the archive end`);
    if (files.has(entry.name)) throw new UstarError(`${entry.name}: duplicate entry`);
    if (files.size >= limits.maxFiles) throw new UstarError(`more than ${limits.maxFiles} files`);
    files.set(entry.name, Buffer.from(tar.subarray(start, start + entry.size)));
    offset = start + Math.ceil(entry.size / BLOCK) * BLOCK;
  }
  // Everything after the first end block must be zero padding: trailing data would be content we silently ignore.
  if (!isZero(tar.subarray(offset))) throw new UstarError('data after the end-of-archive block');
  return files;
}

function parseHeader(header: Buffer, at: number): { name: string; size: number } {
  const magic = header.subarray(257, 263).toString('latin1');
  if (magic !== 'ustar\0' && magic !== 'ustar ') throw new UstarError(`entry at byte ${at}: not a ustar header`);
  const expected = parseOctal(header.subarray(148, 156), `entry at byte ${at}: checksum`);
  if (checksum(header) !== expected) throw new UstarError(`entry at byte ${at}: header checksum mismatch`);

  const rawName = joinName(cString(header.subarray(345, 500)), cString(header.subarray(0, 100)), at);
  const name = normaliseName(rawName, at);
  const type = header[156];
  // '0' and NUL are regular files; links, directories, devices and PAX/GNU extension headers are refused.
  if (type !== 0x30 && type !== 0x00) {
    throw new UstarError(`${name}: unsupported entry type '${String.fromCharCode(type ?? 0)}' (regular files only)`);
  }
  const size = parseOctal(header.subarray(124, 136), `${name}: size`);
  return { name, size };
}

function joinName(prefix: Buffer, name: Buffer, at: number): string {
  try {
    const n = utf8.decode(name);
    return prefix.length > 0 ? `${utf8.decode(prefix)}/${n}` : n;
  } catch (cause) {
    throw new UstarError(`entry at byte ${at}: name is not valid UTF-8`, { cause });
  }
}

function normaliseName(raw: string, at: number): string {
  const name = raw.startsWith('/') ? raw.slice(1) : raw;
  const bad =
    name === '' ||
    name.startsWith('/') ||
    name.includes('\\') ||
    /[\u0000-\u001f\u007f]/.test(name) ||
    name.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) throw new UstarError(`entry at byte ${at}: unsafe name ${JSON.stringify(raw)}`);
  return name;
}

/** The bytes of a NUL-terminated field, up to the first NUL. */
function cString(field: Buffer): Buffer {
  const end = field.indexOf(0);
  return end === -1 ? field : field.subarray(0, end);
}

function parseOctal(field: Buffer, what: string): number {
  // GNU base-256 sizes (high bit set) are refused along with everything else that is not plain octal.
  const text = cString(field).toString('latin1').trim();
  if (!/^[0-7]{1,12}$/.test(text)) throw new UstarError(`${what} is not an octal number`);
  const value = Number.parseInt(text, 8);
  if (!Number.isSafeInteger(value)) throw new UstarError(`${what} is out of range`);
  return value;
}

function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum;
}

function isZero(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

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
  writeOctal(h, 100, 8, 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, mtime);
  h[156] = 0x30; // '0': regular file
  h.write('ustar\u000000', 257, 'latin1');
  h.write(`${checksum(h).toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return h;
}

function writeOctal(h: Buffer, offset: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, '0');
  if (text.length > length - 1) throw new Error('tar: value too large for its header field');
  h.write(`${text}\u0000`, offset, 'latin1');
}
