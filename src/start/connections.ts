// Connection caps at the API listener, enforced when a socket is accepted, before it carries a request: one remote
// address holds at most `perAddress` open sockets (server.max_connections_per_address), and the listener at most
// `total` (server.max_connections, Node's server.maxConnections). A socket past either cap is closed at once, never
// read, and counted by which cap it passed (never by address). The address is the socket's peer: behind a proxy that
// is the proxy's, whatever X-Forwarded-For says; an IPv6 peer counts by its /64 (peerKey).
import type { Server, Socket } from 'node:net';

export type ConnectionCap = 'per_address' | 'total';

export interface ConnectionCaps {
  /** Open sockets one remote address may hold; 0: no cap. */
  perAddress: number;
  /** Open sockets the listener may hold; 0: no cap. */
  total: number;
  /** Counts a socket closed at acceptance for passing a cap. */
  refused?: (cap: ConnectionCap) => void;
}

/** Applies the caps to a listener; call before it listens. */
export function capConnections(server: Server, caps: ConnectionCaps): void {
  if (caps.total > 0) {
    // Node closes a socket past maxConnections before emitting 'connection' (so before http allocates its parser),
    // and emits 'drop' instead.
    server.maxConnections = caps.total;
    server.on('drop', () => caps.refused?.('total'));
  }
  if (caps.perAddress > 0) {
    const open = new Map<string, number>();
    server.on('connection', (socket: Socket) => {
      // A socket whose peer is already gone has no address; it is closed as one past the cap would be.
      const address = socket.remoteAddress === undefined ? null : peerKey(socket.remoteAddress);
      const held = address === null ? caps.perAddress : (open.get(address) ?? 0);
      if (address === null || held >= caps.perAddress) {
        caps.refused?.('per_address');
        socket.destroy();
        return;
      }
      open.set(address, held + 1);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left === 0) open.delete(address);
        else open.set(address, left);
      });
    });
  }
}

/**
 * One client's key: an IPv4 address as itself (one reaching a dual-stack listener as ::ffff:a.b.c.d counts as
 * a.b.c.d); an IPv6 address by its /64 (`2001:db8:0:1::/64`, zone dropped): a host is routed a /64 at least, so one
 * client can take any of its 2^64 addresses, and a key per /128 would give it a cap per address it cares to use. An
 * address that does not parse is its own key.
 */
export function peerKey(address: string): string {
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  if (!address.includes(':')) return address;
  return prefix64(address) ?? address;
}

/** The /64 an IPv6 address is in, as `a:b:c:d::/64` (lowercase, no leading zeros), or null if it does not parse. */
function prefix64(address: string): string | null {
  const bare = (address.split('%')[0] ?? '').toLowerCase();
  const halves = bare.split('::');
  if (halves.length > 2) return null;
  const groups = (text: string | undefined) => (text === undefined || text === '' ? [] : text.split(':'));
  const left = groups(halves[0]);
  let all = left;
  if (halves.length === 2) {
    const right = groups(halves[1]);
    const width = right.length + (right.at(-1)?.includes('.') ? 1 : 0); // a dotted IPv4 tail is two groups
    const missing = 8 - left.length - width;
    if (missing < 1) return null;
    all = [...left, ...Array.from({ length: missing }, () => '0'), ...right];
  }
  const first = all.slice(0, 4);
  if (first.length < 4 || !first.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return `${first.map((g) => Number.parseInt(g, 16).toString(16)).join(':')}::/64`;
}
