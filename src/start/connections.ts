// Connection caps at the API listener, enforced when a socket is accepted, before it carries a request: one remote
// address holds at most `perAddress` open sockets (server.max_connections_per_address), and the listener at most
// `total` (server.max_connections, Node's server.maxConnections). A socket past either cap is closed at once, never
// read, and counted by which cap it passed (never by address). The address is the socket's peer: behind a proxy that
// is the proxy's, whatever X-Forwarded-For says.
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

/** One client's key: an IPv4 address reaching a dual-stack listener as ::ffff:a.b.c.d counts as a.b.c.d. */
function peerKey(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
