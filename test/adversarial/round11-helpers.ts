// Shared by the round 11 attack files (round11-*.test.ts, session 13): a small .env file's three secrets, one file
// each, and dump layouts decode-dumps.ts (8270191) does not list: what `od`, `xxd` and editors write besides xxd,
// hexdump -C and od -t x1.
/** One small .env file each holding one value a policy refuses: an AWS key, a GitHub token, an SSN. */
export const ENV_FILES = [
  'AWS_ACCESS_KEY_ID=AKIAZ3MQWXR5TLPB6Y7N',
  'GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae17xbab',
  'USER_SSN=219-09-9999',
].map((line) => Buffer.from(`# config for prod\n${line}\n`));

/** A printable ASCII byte as itself, any other as '.': a dump's character column. */
export const shown = (row: Buffer) =>
  [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');

/** `row`'s bytes as little-endian words of `size` bytes in hex (the last one padded with zero bytes, as od does). */
const littleEndian = (row: Buffer, size: number) =>
  (row.toString('hex').match(new RegExp(`.{1,${size * 2}}`, 'g')) as string[]).map((word) =>
    (word.padEnd(size * 2, '0').match(/../g) as string[]).reverse().join(''),
  );

/** `xxd -e`'s row: 32-bit little-endian words after the offset, then the character column. */
export const xxdLittleEndianRow = (row: Buffer, at: number) =>
  `${`${at.toString(16).padStart(8, '0')}: ${littleEndian(row, 4).join(' ')}`.padEnd(46, ' ')}  ${shown(row)}`;

/** `od -A x -t x4`'s row: a six-digit offset, then 32-bit little-endian words. */
export const odWordsRow = (row: Buffer, at: number) =>
  `${at.toString(16).padStart(6, '0')} ${littleEndian(row, 4).join(' ')}`;

/** `xxd -b`'s row (six bytes a row): the offset, each byte as eight bits, the character column. */
export const xxdBitsRow = (row: Buffer, at: number) => {
  const bits = [...row].map((b) => b.toString(2).padStart(8, '0')).join(' ');
  return `${at.toString(16).padStart(8, '0')}: ${bits}  ${shown(row)}`;
};

/** `od -A d -t u1`'s row: a seven-digit decimal offset, then each byte in decimal, right-aligned in four columns. */
export const odDecimalRow = (row: Buffer, at: number) =>
  `${String(at).padStart(7, '0')}${[...row].map((b) => String(b).padStart(4, ' ')).join('')}`;

/** `xxd`'s plain row (no character column). */
export const xxdPlainRow = (row: Buffer, at: number) =>
  `${at.toString(16).padStart(8, '0')}: ${(row.toString('hex').match(/.{1,4}/g) as string[]).join(' ')}`;

/** `file`'s rows as `row` writes them, `size` bytes a row. */
export const rowsOf = (file: Buffer, row: (bytes: Buffer, at: number) => string, size = 16) =>
  Array.from({ length: Math.ceil(file.length / size) }, (_, i) =>
    row(file.subarray(i * size, i * size + size), i * size),
  ).join('\n');

/** `bytes` as `openssl … -text` prints a number: `label:` then lines of 15 bytes, hex with colons, indented by 4. */
export const opensslField = (label: string, bytes: Buffer) => {
  const padded = (bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  const cells = padded.toString('hex').match(/../g) as string[];
  const rows = Array.from({ length: Math.ceil(cells.length / 15) }, (_, i) => cells.slice(i * 15, i * 15 + 15));
  return [`${label}:`, ...rows.map((row, i) => `    ${row.join(':')}${i < rows.length - 1 ? ':' : ''}`)].join('\n');
};

/** An SSH wire string: its length (4 bytes, big-endian) and its bytes. */
const sshString = (bytes: Buffer | string) => {
  const body = Buffer.from(bytes);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
};

/**
 * An unencrypted OpenSSH (openssh-key-v1) Ed25519 private key file's body, the base64 between its armour lines, in
 * lines of 70: `seed` and `pub` are the key's 32-byte halves.
 */
export function opensshBody(seed: Buffer, pub: Buffer): string {
  const key = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = Buffer.from([0x5e, 0x2a, 0x91, 0x07, 0x5e, 0x2a, 0x91, 0x07]);
  let secret = Buffer.concat([check, key, sshString(Buffer.concat([seed, pub])), sshString('deploy@build')]);
  const pad = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const file = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    count,
    sshString(key),
    sshString(secret),
  ]);
  return (file.toString('base64').match(/.{1,70}/g) as string[]).join('\n');
}
