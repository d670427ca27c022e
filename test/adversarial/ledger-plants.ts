// What the ledger attack suites share, whatever their round: rows a database writer without the signing key plants in
// audit_checkpoints (one INSERT each), a Sql that counts what the checkpoint writer reads (the real answers,
// unchanged), a C2SP tlog-witness over real HTTP whose answers the test decides, and a writer restarted against it.
import { createPublicKey, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sql } from '../../src/db/index.ts';
import { loadSigner, openLedger } from '../../src/ledger/index.ts';
import { cosign, splitNote, witnessVerifierKey } from '../../src/ledger/witness-cosignature.ts';

export const NOT_A_NOTE = 'not a checkpoint\n';
const deny = { decision: { allow: false, reasons: [], obligations: null } };

export interface CountingSql {
  sql: Sql;
  /** Record hashes handed back (rows of SELECT seq, hash FROM audit_records). */
  hashes(): number;
  /** audit_checkpoints rows handed back with their notes (the rows a writer opens to resume its tree). */
  checkpointRows(): number;
  reset(): void;
}

export function countingReads(base: Sql): CountingSql {
  let hashes = 0;
  let rows = 0;
  const sql: Sql = Object.create(base) as Sql;
  sql.query = async (text, params, options) => {
    const result = await base.query(text, params, options);
    if (text.startsWith('SELECT seq, hash FROM audit_records')) hashes += result.rows.length;
    if (/^SELECT tree_size, root_hash\b[\s\S]* note\b[\s\S]*FROM audit_checkpoints/.test(text))
      rows += result.rows.length;
    return result as never;
  };
  return {
    sql,
    hashes: () => hashes,
    checkpointRows: () => rows,
    reset: () => {
      hashes = 0;
      rows = 0;
    },
  };
}

/** One INSERT: rows at the `count` sizes past the chain's newest checkpoint row, a random root and a frontier of that
 * one hash (the table's checks: size > 0, a 32-byte root, whole hashes), a note that is no note. */
export async function plantPastHead(sql: Sql, chain: string, count: number): Promise<void> {
  await sql.query(
    'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) ' +
      'SELECT $1, s, $2, $2, $4 FROM generate_series(' +
      '(SELECT max(tree_size) + 1 FROM audit_checkpoints WHERE chain = $1), ' +
      '(SELECT max(tree_size) + $3 FROM audit_checkpoints WHERE chain = $1)) AS s',
    [chain, randomBytes(32), count, NOT_A_NOTE],
  );
}

/** One row at `size`: a random root, `hashes` random frontier hashes, `note`. */
export async function plantRow(sql: Sql, chain: string, size: number, hashes = 1, note = NOT_A_NOTE): Promise<void> {
  await sql.query(
    'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, $2, $3, $4, $5)',
    [chain, size, randomBytes(32), randomBytes(32 * hashes), note],
  );
}

export interface TestWitness {
  url: string;
  /** Its verifier key (C2SP signed-note vkey) under its name. */
  key: string;
  /** add-checkpoint requests answered so far. */
  requests(): number;
  close(): Promise<void>;
}

/** A witness on 127.0.0.1: `answer` gets each add-checkpoint's `old`, note and consistency proof and returns the size
 * for a 409 text/x.tlog.size, 'bad proof' for a 422 (C2SP tlog-witness: the proof does not verify), or null to cosign
 * the note as `name` under `privateKeyPem`. */
export async function startWitness(
  name: string,
  privateKeyPem: string,
  answer: (old: number, note: string, proof: Buffer[]) => number | 'bad proof' | null,
): Promise<TestWitness> {
  let requests = 0;
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      requests += 1;
      const old = Number(/^old (\d+)\n/.exec(text)?.[1]);
      const note = text.slice(text.indexOf('\n\n') + 2);
      const proof = text
        .slice(0, text.indexOf('\n\n'))
        .split('\n')
        .slice(1)
        .map((line) => Buffer.from(line, 'base64'));
      const size = answer(old, note, proof);
      if (size === 'bad proof') {
        response.writeHead(422, { 'content-type': 'text/plain' }).end('invalid consistency proof\n');
        return;
      }
      if (size !== null) {
        response.writeHead(409, { 'content-type': 'text/x.tlog.size' }).end(`${size}\n`);
        return;
      }
      const line = cosign(splitNote(note).body, name, privateKeyPem, Math.floor(Date.now() / 1000));
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`${line}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key: witnessVerifierKey(name, publicKeyPem),
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface WitnessedRestart {
  /** Record hashes the second session read. */
  hashes: number;
  /** The codes of the errors it reported. */
  codes: string[];
}

/** `first` records cosigned by `witness`, then `turn()`, a restart and `later` records one at a time, each session
 * closed (its last checkpoint submitted and settled). */
export async function witnessedRestart(
  sql: Sql,
  chain: string,
  o: { privateKeyPem: string; witness: TestWitness; first: number; later: number },
  turn: () => void,
): Promise<WitnessedRestart> {
  const reading = countingReads(sql);
  const codes: string[] = [];
  const open = () =>
    openLedger({
      sql: reading.sql,
      signer: loadSigner(o.privateKeyPem),
      chain,
      clock: { now: () => new Date() },
      checkpoints: {
        everyRecords: 1_000_000,
        everySeconds: 0,
        onError: (error) => codes.push(String((error as { code?: unknown }).code)),
        witnesses: { witnesses: [{ url: o.witness.url, key: o.witness.key, timeoutMs: 5000 }] },
      },
    });
  let ledger = await open();
  await Promise.all(Array.from({ length: o.first }, (_, i) => ledger.append('decision', `first-${i}`, deny)));
  await ledger.close(); // a last checkpoint, cosigned
  turn();
  reading.reset();
  codes.length = 0;
  ledger = await open();
  for (let i = 0; i < o.later; i++) await ledger.append('decision', `later-${i}`, deny);
  await ledger.close(); // a last checkpoint, submitted to the witness and settled
  return { hashes: reading.hashes(), codes };
}
