// Which keys a chain's records may be signed by, at each point of the chain: the pinned keys (PEM, keyring or
// fingerprint) and keys a trusted key rotated in (a key_rotated record signed by a key trusted at that point and
// counter-signed by the new key), minus keys rotated out. Key material found anywhere (the source, rotation records)
// only resolves a kid to its key — the kid is the key's fingerprint — and never makes a key trusted.
import type { KeyObject } from 'node:crypto';
import type { FindingLog } from './findings.ts';
import { signatureValid, withinWindow } from '../ledger/format.ts';
import type { KeyWindow } from '../ledger/format.ts';
import type { RecordFacts } from './inspect-record.ts';

/** Pinned kids and key material by kid, shared by every chain of a run. */
export interface PinnedTrust {
  pinned: Set<string>;
  material: Map<string, KeyObject>;
}

interface Count {
  first: number;
  count: number;
}

export class ChainTrust {
  private readonly trusted: Set<string>;
  private readonly retired = new Set<string>();
  private readonly untrusted = new Map<string, Count>();
  private readonly unresolved = new Map<string, Count>();
  /** Record signatures verified under a key trusted where they stand. */
  checked = 0;
  private readonly pins: PinnedTrust;
  private readonly windows: Map<string, KeyWindow> | undefined;
  private readonly chain: string;
  private readonly log: FindingLog;

  constructor(pins: PinnedTrust, windows: Map<string, KeyWindow> | undefined, chain: string, log: FindingLog) {
    this.pins = pins;
    this.trusted = new Set(pins.pinned);
    this.windows = windows;
    this.chain = chain;
    this.log = log;
  }

  get any(): boolean {
    return this.pins.pinned.size > 0;
  }

  /** The public keys trusted at this point of the chain (for checkpoint signatures). */
  keys(): KeyObject[] {
    return [...this.trusted].flatMap((kid) => {
      const key = this.pins.material.get(kid);
      return key === undefined ? [] : [key];
    });
  }

  get unresolvedKids(): number {
    return this.unresolved.size;
  }

  /** true: signed by a key trusted here; false: not (reported); null: not checked (sampled out, or no key material). */
  judge(f: RecordFacts, seq: number): boolean | null {
    if (!this.any) return null; // reported once as VERIFY_NO_TRUSTED_KEY
    const kid = f.kid ?? '(no kid)';
    if (this.retired.has(kid)) {
      this.log.add(
        'RECORD_KEY_RETIRED',
        this.chain,
        seq,
        `signed by ${kid}, which a key_rotated record earlier in this chain retired`,
      );
      return false;
    }
    if (!this.trusted.has(kid)) {
      count(this.untrusted, kid, seq);
      return false;
    }
    let state = f.sig;
    if (state === 'unresolved') {
      // The worker did not know the key yet (rotated in by a record it had not seen): check it here.
      const key = this.pins.material.get(kid);
      if (key === undefined || f.sigText === null) {
        count(this.unresolved, kid, seq);
        return null;
      }
      state = signatureValid(Buffer.from(f.hash, 'hex'), f.sigText, key) ? 'valid' : 'invalid';
    }
    if (state === 'unchecked') return null;
    if (state === 'invalid') {
      this.log.add('RECORD_SIGNATURE_INVALID', this.chain, seq, `the signature does not verify under ${kid}`);
      return false;
    }
    this.checked++;
    if (!withinWindow(this.windows?.get(kid), f.ts)) {
      this.log.add(
        'RECORD_KEY_OUTSIDE_WINDOW',
        this.chain,
        seq,
        `signed by ${kid} outside its keyring validity window`,
      );
    }
    return true;
  }

  /** Checks a signature left unchecked (the newest record in sample mode). */
  checkLate(seq: number, hash: string, kid: string, sig: string): void {
    const key = this.trusted.has(kid) ? this.pins.material.get(kid) : undefined;
    if (key === undefined) return;
    if (signatureValid(Buffer.from(hash, 'hex'), sig, key)) this.checked++;
    else this.log.add('RECORD_SIGNATURE_INVALID', this.chain, seq, `the signature does not verify under ${kid}`);
  }

  /** A key_rotated record whose own signature was judged `signed`. */
  rotate(f: RecordFacts, seq: number, signed: boolean | null): void {
    if (f.type !== 'key_rotated' || signed !== true) return;
    if (f.rotation === null || f.rotation === 'invalid') {
      this.log.add(
        'KEY_ROTATION_INVALID',
        this.chain,
        seq,
        'the key_rotated record is not counter-signed by the key it names; that key is not trusted',
      );
      return;
    }
    this.trusted.add(f.rotation.kid);
    this.retired.add(f.kid ?? '');
  }

  finish(): void {
    for (const [kid, { first, count: n }] of this.untrusted) {
      this.log.add(
        'RECORD_KEY_UNTRUSTED',
        this.chain,
        first,
        `${n} record(s) from seq ${first} are signed by ${kid}, which is not trusted`,
      );
    }
    for (const [kid, { first, count: n }] of this.unresolved) {
      this.log.add(
        'TRUST_KEY_NOT_FOUND',
        this.chain,
        first,
        `${n} record(s) from seq ${first} are signed by the pinned fingerprint ${kid}, but no public key with that ` +
          'fingerprint was found: their signatures were not checked',
      );
    }
  }
}

function count(map: Map<string, Count>, kid: string, seq: number): void {
  const seen = map.get(kid);
  map.set(kid, seen ? { first: seen.first, count: seen.count + 1 } : { first: seq, count: 1 });
}
