// A record's canonical text built from its members, for the chain writer's fast path: the envelope's members written
// directly, merged with the body's (each list sorted, no key in both), and the seal (hash, kid, sig) spliced in last.
// Invariant: every function here gives exactly what canonicalising the whole record gives (RFC 8785), property-tested
// against sealRecord (test/unit/ledger/seal-batch.test.ts); no I/O, no signing.
import { canonicalString } from './canonical.ts';
import type { Signer } from './keys.ts';
import type { RecordType } from './record.ts';

/** A body member: its key and its canonical `"key":value` text. */
export type Member = [key: string, member: string];

const byKey = (a: Member, b: Member) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Member texts joined by commas (one flat string: the member texts are walked once). */
export function joinMembers(members: readonly Member[]): string {
  const texts = new Array<string>(members.length);
  for (let i = 0; i < members.length; i++) texts[i] = (members[i] as Member)[1];
  return texts.join(',');
}

/**
 * The canonical text of `members` merged with `seal` (each sorted, no key in both), given `text`, the members' texts
 * joined by commas: slices of `text` between the seal's places (no member text is walked again), and the seal.
 */
export function withSeal(members: readonly Member[], text: string, seal: readonly Member[]): string {
  const parts: string[] = [];
  let k = 0; // the next member not yet placed
  let from = 0; // where member k starts in text
  let at = 0;
  for (const [key, member] of seal) {
    while (k < members.length && (members[k] as Member)[0] < key) at += (members[k++] as Member)[1].length + 1;
    if (at > from) parts.push(text.slice(from, at - 1)); // members before this seal member, without the last comma
    parts.push(member);
    from = at;
  }
  if (from < text.length) parts.push(text.slice(from));
  return `{${parts.join(',')}}`;
}

/** Two member lists, each sorted by key, with no key in both, as one sorted list (what sorting their union gives). */
export function mergeMembers(a: readonly Member[], b: readonly Member[]): Member[] {
  const out: Member[] = new Array<Member>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length)
    out[k++] = byKey(a[i] as Member, b[j] as Member) <= 0 ? (a[i++] as Member) : (b[j++] as Member);
  while (i < a.length) out[k++] = a[i++] as Member;
  while (j < b.length) out[k++] = b[j++] as Member;
  return out;
}

/** The envelope's members, sorted (chain, prev, request_id, seq, ts, type, v): what canonicalMembers gives for them.
 * `chain` arrives in canonical form; ts and prev are of fixed ASCII formats (checked by the caller); the type and the
 * request id go through the canonical writer, which refuses what is not well-formed. */
export function envelope(
  chainText: string,
  type: RecordType,
  seq: number,
  ts: string,
  prev: string | null,
  requestId: string | null,
): Member[] {
  return [
    ['chain', `"chain":${chainText}`],
    ['prev', prev === null ? '"prev":null' : `"prev":"${prev}"`],
    ['request_id', `"request_id":${canonicalString(requestId)}`],
    ['seq', `"seq":${canonicalString(seq)}`],
    ['ts', `"ts":"${ts}"`],
    ['type', `"type":${canonicalString(type)}`],
    ['v', '"v":1'],
  ];
}

const kidTexts = new WeakMap<Signer, string>();
function kidText(signer: Signer): string {
  let text = kidTexts.get(signer);
  if (text === undefined) {
    text = canonicalString(signer.kid);
    kidTexts.set(signer, text);
  }
  return text;
}

/** The seal's members, sorted (hash, kid, sig), for withSeal. */
export function sealMembers(hashHex: string, signer: Signer, sig: Uint8Array): Member[] {
  return [
    ['hash', `"hash":"${hashHex}"`],
    ['kid', `"kid":${kidText(signer)}`],
    ['sig', `"sig":"${Buffer.from(sig).toString('base64url')}"`],
  ];
}
