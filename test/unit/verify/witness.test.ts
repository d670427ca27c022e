// The quorum rule of `verify --witness` over notes alone (no database, no witness): quorum-cosigned checkpoints become
// anchors; the newest checkpoint of a chain must carry the quorum; a pinned witness's line that does not verify is
// WITNESS_COSIGNATURE_INVALID; two bodies for one size stay apart (the cosigned one anchors, the other cannot borrow
// its cosignatures); malformed notes are left to the record check.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import { signCheckpoint } from '../../../src/ledger/note.ts';
import { witnessAnchors } from '../../../src/verify/witness.ts';
import { cosign, splitNote, withSignatures, witnessVerifierKey } from '../../../src/ledger/witness-cosignature.ts';

const signer = loadSigner(generateSigningKey().privateKeyPem);
const witnesses = ['witness.test/a', 'witness.test/b'].map((name) => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { name, pem, vkey: witnessVerifierKey(name, publicKey.export({ type: 'spki', format: 'pem' }).toString()) };
});
const keys = witnesses.map((w) => w.vkey);

async function checkpoint(size: number, fill = size, by = witnesses): Promise<string> {
  const note = await signCheckpoint({ origin: 'proctor/ledger/c', size, root: new Uint8Array(32).fill(fill) }, signer);
  return withSignatures(
    note,
    by.map((w) => cosign(splitNote(note).body, w.name, w.pem, 1_700_000_000)),
  );
}

const codes = (r: { findings: { code: string }[] }) => r.findings.map((f) => f.code);

describe('witnessAnchors', () => {
  it('anchors quorum-cosigned checkpoints and accepts a chain whose newest one has the quorum', async () => {
    const notes = [await checkpoint(3), await checkpoint(7)].map((note) => ({ chain: 'c', note }));
    const r = await witnessAnchors(null, notes, { keys });
    expect(codes(r)).toEqual([]);
    expect(r.anchors.length).toBe(2);
    expect(r.cosigned.get('c')).toBe(7);
  });

  it('the newest checkpoint without the quorum is WITNESS_QUORUM_MISSING; a lower quorum accepts it', async () => {
    const witnessA = witnesses.slice(0, 1);
    const notes = [await checkpoint(3), await checkpoint(7, 7, witnessA)].map((note) => ({ chain: 'c', note }));
    expect(codes(await witnessAnchors(null, notes, { keys }))).toEqual(['WITNESS_QUORUM_MISSING']);
    expect(codes(await witnessAnchors(null, notes, { keys, quorum: 1 }))).toEqual([]);
  });

  it('an altered cosignature is WITNESS_COSIGNATURE_INVALID even when the quorum holds without it', async () => {
    const note = await checkpoint(5);
    const altered = note.replace(
      /(\u2014 witness\.test\/a \S{20})(\S)/,
      (_m, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'),
    );
    expect(altered).not.toBe(note);
    const r = await witnessAnchors(null, [{ chain: 'c', note: altered }], { keys, quorum: 1 });
    expect(codes(r)).toEqual(['WITNESS_COSIGNATURE_INVALID']);
  });

  it('keeps two bodies of one size apart: cosignatures of one do not count for the other', async () => {
    const cosigned = await checkpoint(5, 1);
    const other = await checkpoint(5, 2, []);
    const otherWithBorrowed = withSignatures(other, splitNote(cosigned).lines.slice(1));
    const r = await witnessAnchors(
      null,
      [
        { chain: 'c', note: cosigned },
        { chain: 'c', note: otherWithBorrowed },
      ],
      { keys },
    );
    expect(r.anchors.map((a) => a.note)).toEqual([cosigned]);
    expect(codes(r)).toEqual(['WITNESS_COSIGNATURE_INVALID', 'WITNESS_COSIGNATURE_INVALID']);
  });

  it('leaves malformed notes to the record check', async () => {
    const r = await witnessAnchors(
      null,
      [
        { chain: 'c', note: 'not a note' },
        { chain: 'c', note: (await checkpoint(2)).slice(0, -1) },
      ],
      { keys },
    );
    expect(codes(r)).toEqual([]);
    expect(r.views.size).toBe(0);
  });
});
