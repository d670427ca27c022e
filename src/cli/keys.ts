// `proctor keys generate|rotate|export`: ledger signing keys and the keyring auditors pin. Private keys are written
// 0600 and never printed; rotate appends a key_rotated record to a chain whose replica is stopped (the chain lease
// is refused otherwise: ERR_CHAIN_LEASED). Exit 0 ok, 1 failure (the error code is printed), 2 usage error.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectPostgres, openPglite } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import {
  defaultOrigin,
  generateSigningKey,
  kidOf,
  LedgerError,
  loadSigner,
  openLedger,
  parseKeyring,
  rotateKeyring,
  verifierKey,
} from '../ledger/index.ts';
import type { Keyring } from '../ledger/index.ts';
import { CliUsageError, parseCommandLine } from './usage-error.ts';

export interface KeysIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

const USAGE = `usage:
  proctor keys generate --out <dir> [--keyring <file>]
      write ledger-key.pem (secret, 0600) and ledger-key.pub.pem; with --keyring, add the key to that keyring
  proctor keys export --key <pem file> [--format pem|vkey] [--chain <id> | --origin <origin>]
      print the public key (PEM), or the C2SP verifier key that checks this key's checkpoints
  proctor keys rotate (--db <url> | --pglite <dir>) --chain <id> --old <pem file> --new <pem file> [--keyring <file>]
      with the chain's replica stopped: append key_rotated (signed by old, counter-signed by new); then restart
      the replica with the new key. With --keyring, close the old key's window and open the new one's.
`;

export async function runKeysCli(args: string[], io: KeysIo): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'generate':
        return generate(rest, io);
      case 'export':
        return exportKey(rest, io);
      case 'rotate':
        return await rotate(rest, io);
      case 'help':
      case '--help':
      case undefined:
        io.stdout(USAGE);
        return sub === undefined ? 2 : 0;
      default:
        throw new CliUsageError(`unknown keys subcommand '${sub}' (expected: generate, export, rotate)`);
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`proctor keys: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof LedgerError) {
      io.stderr(`proctor keys ${sub ?? ''}: ${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function options<T extends Record<string, { type: 'string' }>>(args: string[], spec: T) {
  return parseCommandLine(args, spec).values as Partial<Record<keyof T, string>>;
}

function read(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CliUsageError(`${flag}: cannot read ${file}`, { cause });
  }
}

function generate(args: string[], io: KeysIo): number {
  const v = options(args, { out: { type: 'string' }, keyring: { type: 'string' } });
  if (!v.out) throw new CliUsageError('--out <dir> is required');
  const dir = path.resolve(v.out);
  const privateFile = path.join(dir, 'ledger-key.pem');
  if (existsSync(privateFile)) throw new CliUsageError(`${privateFile} exists; refusing to overwrite a signing key`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = generateSigningKey();
  writeFileSync(privateFile, key.privateKeyPem, { mode: 0o600 });
  writeFileSync(path.join(dir, 'ledger-key.pub.pem'), key.publicKeyPem);
  if (v.keyring) {
    const keyring = existsSync(v.keyring)
      ? parseKeyring(read(v.keyring, '--keyring'))
      : { version: 1 as const, keys: [] };
    keyring.keys.push({
      kid: key.kid,
      public_key_pem: key.publicKeyPem,
      not_before: new Date().toISOString(),
      not_after: null,
    });
    writeKeyring(v.keyring, keyring);
  }
  io.stdout(
    `wrote ${privateFile} (secret) and ledger-key.pub.pem (give it to auditors)` +
      `${v.keyring ? `; added to ${v.keyring}` : ''}\nkid ${key.kid}\n`,
  );
  return 0;
}

function exportKey(args: string[], io: KeysIo): number {
  const v = options(args, {
    key: { type: 'string' },
    format: { type: 'string' },
    chain: { type: 'string' },
    origin: { type: 'string' },
  });
  if (!v.key) throw new CliUsageError('--key <pem file> is required');
  const text = read(v.key, '--key');
  const publicKeyPem = /PRIVATE KEY/.test(text) ? loadSigner(text).publicKeyPem : text;
  const format = v.format ?? 'pem';
  if (format === 'pem') {
    io.stdout(`${publicKeyPem.trimEnd()}\n# kid ${kidOf(publicKeyPem)}\n`);
    return 0;
  }
  if (format !== 'vkey') throw new CliUsageError('--format must be pem or vkey');
  const origin = v.origin ?? (v.chain ? defaultOrigin(v.chain) : undefined);
  if (!origin) throw new CliUsageError('--format vkey needs --chain <id> or --origin <origin>');
  io.stdout(`${verifierKey(origin, publicKeyPem)}\n`);
  return 0;
}

async function rotate(args: string[], io: KeysIo): Promise<number> {
  const v = options(args, {
    db: { type: 'string' },
    pglite: { type: 'string' },
    chain: { type: 'string' },
    old: { type: 'string' },
    new: { type: 'string' },
    keyring: { type: 'string' },
  });
  if (!v.chain || !v.old || !v.new) throw new CliUsageError('--chain, --old and --new are required');
  if ((v.db === undefined) === (v.pglite === undefined))
    throw new CliUsageError('exactly one of --db and --pglite is required');
  const oldSigner = loadSigner(read(v.old, '--old'));
  const newSigner = loadSigner(read(v.new, '--new'));
  const keyring: Keyring | null = v.keyring ? parseKeyring(read(v.keyring, '--keyring')) : null;
  const sql: Sql = v.pglite !== undefined ? await openPglite(v.pglite) : connectPostgres(v.db ?? '', { max: 2 });
  try {
    const clock = { now: () => new Date() };
    const ledger = await openLedger({ sql, signer: oldSigner, chain: v.chain, clock });
    let at: Date;
    try {
      const record = await ledger.rotateKey(newSigner);
      at = new Date(record.record.ts);
      io.stdout(`chain ${v.chain}: key_rotated at seq ${record.seq}: ${oldSigner.kid} -> ${newSigner.kid}\n`);
    } finally {
      await ledger.close();
    }
    if (keyring && v.keyring) {
      writeKeyring(v.keyring, rotateKeyring(keyring, oldSigner.kid, newSigner, at));
      io.stdout(`updated ${v.keyring}\n`);
    }
    io.stdout('restart the replica with the new key as ledger.signing_key\n');
    return 0;
  } finally {
    await sql.close().catch(() => undefined);
  }
}

/** Written to a temporary file and renamed, so a keyring is never half-written. */
function writeKeyring(file: string, keyring: Keyring): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(keyring, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}
