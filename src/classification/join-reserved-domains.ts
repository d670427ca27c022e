// A joined window glues its parts with nothing between (segment-join.ts: a value split over two segments reads whole),
// so an address for documentation (`jane.doe@mail.example`, which EMAIL's validator rejects alone) glued to the next
// member of a JSON object (`role`) reads as `jane.doe@mail.examplerole`: a top-level domain no one has, reported on
// the address and on the neighbour (`role`). Such a reading is dropped; a split whose own part of the domain is no
// reserved top-level domain (`jane@mail.co` | `m`, `jane@example.com` | `pany`) is read as before (fail closed).
import { firstEndingAfter, type JoinWindow, type WindowPart } from './join-window.ts';

/** Top-level domains reserved for documentation and tests (RFC 2606, RFC 6761; validators.ts isReservedDomain). */
const RESERVED_TLDS: ReadonlySet<string> = new Set(['example', 'test', 'invalid', 'localhost']);

/**
 * Whether an EMAIL at window span [start, end) only glued letters onto a reserved top-level domain that ends where its
 * part ends: the address was whole, and for documentation, in its own part.
 */
export function gluedOntoReservedDomain(window: JoinWindow, type: string, start: number, end: number): boolean {
  if (type !== 'EMAIL') return false;
  const tld = window.text.lastIndexOf('.', end - 1) + 1;
  if (tld <= start) return false;
  const part = window.parts[firstEndingAfter(window.parts, tld)] as WindowPart | undefined;
  if (part === undefined) return false;
  const partEnd = part.at + part.length;
  return partEnd < end && RESERVED_TLDS.has(window.text.slice(tld, partEnd).toLowerCase());
}
