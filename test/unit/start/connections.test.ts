// capConnections on a bare listener: a socket closing gives its address's place back, so the cap counts open sockets,
// not sockets ever accepted; and a listener past its cap still accepts nothing more until one closes.
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { capConnections, type ConnectionCap, peerKey } from '../../../src/start/connections.ts';

const opened: Socket[] = [];
let server: Server | undefined;

afterEach(async () => {
  for (const socket of opened.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A listener whose accepted sockets are handed to `accepted` in order, after the caps have seen them. */
async function listen(perAddress: number, total: number, refused: ConnectionCap[], accepted: Socket[]) {
  const s = createServer();
  server = s;
  capConnections(s, { perAddress, total, refused: (cap) => refused.push(cap) });
  // The caps' listener comes first: a socket it closed is already destroyed here.
  s.on('connection', (socket) => {
    if (!socket.destroyed) accepted.push(socket);
    // Echo one byte back, so the client knows the server has taken its socket.
    socket.on('data', () => socket.write('!'));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const address = s.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** Opens a socket and resolves true once the server answered on it, false once the server closed it unanswered. */
function taken(port: number): Promise<boolean> {
  const socket = connect({ host: '127.0.0.1', port });
  opened.push(socket);
  socket.once('connect', () => socket.write('?'));
  socket.on('error', () => {});
  return new Promise((resolve) => {
    socket.once('data', () => resolve(true));
    socket.once('close', () => resolve(false));
  });
}

describe('capConnections', () => {
  it('gives an address its place back when one of its sockets closes', async () => {
    const refused: ConnectionCap[] = [];
    const accepted: Socket[] = [];
    const port = await listen(2, 0, refused, accepted);
    expect(await taken(port)).toBe(true);
    expect(await taken(port)).toBe(true);
    expect(await taken(port)).toBe(false);
    expect(refused).toEqual(['per_address']);
    const first = accepted[0] as Socket;
    await new Promise<void>((resolve) => {
      first.once('close', () => resolve());
      first.destroy();
    });
    expect(await taken(port)).toBe(true);
    expect(await taken(port)).toBe(false);
    expect(refused).toEqual(['per_address', 'per_address']);
  });

  it('refuses past the total and counts it as total', async () => {
    const refused: ConnectionCap[] = [];
    const port = await listen(0, 1, refused, []);
    expect(await taken(port)).toBe(true);
    expect(await taken(port)).toBe(false);
    expect(refused).toEqual(['total']);
  });

  it('caps nothing at 0', async () => {
    const refused: ConnectionCap[] = [];
    const port = await listen(0, 0, refused, []);
    for (let i = 0; i < 20; i += 1) expect(await taken(port)).toBe(true);
    expect(refused).toEqual([]);
  });
});

describe('the key an address is capped under', () => {
  it('an IPv6 address counts by its /64, whatever its spelling; IPv4 and IPv4-mapped by the address', () => {
    const keys = [
      '2001:db8:0:1::1',
      '2001:db8:0:1:ffff:ffff:ffff:ffff',
      '2001:0DB8:0000:0001:0:0:0:2',
      '2001:db8::1:0:0:3', // 2001:db8:0:0:0:1:0:3, another /64
      'fe80::1%eth0',
      'fe80::2',
      '::1',
      '64:ff9b::192.0.2.1',
      '::ffff:192.0.2.1',
      '192.0.2.1',
      '192.0.2.2',
    ].map(peerKey);
    expect(keys).toEqual([
      '2001:db8:0:1::/64',
      '2001:db8:0:1::/64',
      '2001:db8:0:1::/64',
      '2001:db8:0:0::/64',
      'fe80:0:0:0::/64',
      'fe80:0:0:0::/64',
      '0:0:0:0::/64',
      '64:ff9b:0:0::/64',
      '192.0.2.1',
      '192.0.2.1',
      '192.0.2.2',
    ]);
  });

  it('an address that does not parse as IPv6 is its own key', () => {
    expect(['1:2:3', '1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9::'].map(peerKey)).toEqual([
      '1:2:3',
      '1::2::3',
      'g::1',
      '1:2:3:4:5:6:7:8:9::',
    ]);
  });
});
