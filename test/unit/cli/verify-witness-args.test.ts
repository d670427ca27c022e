// `proctor verify` witness flags: keys are parsed at once (a typo is a usage error, never a weaker quorum), URLs pair
// with keys in order, a quorum above the keys given is refused; packets take --witness and --witness-quorum alike.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseVerifyArgs } from '../../../src/cli/verify-args.ts';
import { CliUsageError } from '../../../src/cli/usage-error.ts';
import { packetWitnessFlag, packetWitnessProblem } from '../../../src/cli/verify-witness-args.ts';
import { witnessVerifierKey } from '../../../src/ledger/witness-cosignature.ts';

const vkey = (name: string) =>
  witnessVerifierKey(name, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString());
const A = vkey('witness.test/a');
const B = vkey('witness.test/b');
const db = ['--db', 'postgres://u@h/db', '--trust', 'k.pem'];

describe('verify --witness flags', () => {
  it('collects keys, URLs in order and the quorum', () => {
    const args = parseVerifyArgs(
      [...db, '--witness', A, '--witness', B, '--witness-url', 'http://w1', '--witness-quorum', '1'],
      {},
    );
    expect(args.witnesses).toEqual([A, B]);
    expect(args.witnessUrls).toEqual(['http://w1']);
    expect(args.witnessQuorum).toBe(1);
  });

  it('refuses bad keys, repeated keys, orphan URLs and quorums, and quorums above the keys', () => {
    const bad = [
      ['--witness', 'witness.test/a+00000000+AAAA'],
      ['--witness', A.replace(/\+[0-9a-f]{8}\+/, '+00000000+')],
      ['--witness', A, '--witness', A],
      ['--witness-url', 'http://w1'],
      ['--witness-quorum', '1'],
      ['--witness', A, '--witness-quorum', '2'],
      ['--witness', A, '--witness-url', 'http://w1', '--witness-url', 'http://w2'],
      ['--witness', A, '--witness-url', 'ftp://w1'],
      ['--witness', A, '--witness-quorum', '0'],
    ];
    for (const extra of bad) expect(() => parseVerifyArgs([...db, ...extra], {})).toThrow(CliUsageError);
  });

  it('packets: the same checks', () => {
    const w: { keys: string[]; quorum?: number } = { keys: [] };
    expect(packetWitnessFlag(w, '--witness', A)).toBeNull();
    expect(packetWitnessFlag(w, '--witness', A)).not.toBeNull();
    expect(packetWitnessFlag(w, '--witness', 'nope')).not.toBeNull();
    expect(packetWitnessFlag(w, '--witness-quorum', '2')).toBeNull();
    expect(packetWitnessProblem(w)).not.toBeNull();
    expect(packetWitnessFlag(w, '--witness', B)).toBeNull();
    expect(packetWitnessProblem(w)).toBeNull();
  });
});
