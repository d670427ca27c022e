// Connection caps through the real server (src/start/connections.ts), max_connections_per_address 4 and
// max_connections 7: one loopback address holds 4 sockets that each still serve a request, its 5th socket is closed as
// it is accepted (nothing is answered on it) and counted in proctor_connections_refused_total{cap="per_address"} with
// no address in any label, while other addresses (127.0.0.2…) are still served; the 8th open socket, from any address,
// is closed and counted with cap="total".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { openPglite, type Sql } from '../../src/db/index.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { devIssuerEntry, echoUpstream, proctorConfig } from '../helpers/proctor-config.ts';

const sockets: Socket[] = [];
let sql: Sql;
let proctor: RunningProctor;

beforeAll(async () => {
  sql = await openPglite();
  proctor = await startProctor(
    proctorConfig({
      server: { max_connections_per_address: 4, max_connections: 7 },
      database: { pglite_dir: '/unused' },
      ledger: { chain: 'connection-caps' },
      issuers: [devIssuerEntry('http://127.0.0.1:1', 'proctor')],
      upstreams: [echoUpstream('http://127.0.0.1:1/v1')],
      sections: { metrics: { port: 0 } },
    }),
    { sql, log: () => {} },
  );
});

afterAll(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await proctor?.close();
  await sql?.close();
});

/** A connected socket from `from` that has not been sent anything. */
async function open(from = '127.0.0.1'): Promise<Socket> {
  const { port } = new URL(proctor.url);
  const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress: from });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Sends GET /livez on a kept-alive socket: the answer's head, or '' when the server closed the socket unanswered. */
function livez(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) done();
    };
    const done = () => {
      socket.off('data', onData);
      socket.off('close', done);
      resolve(received);
    };
    socket.on('data', onData);
    socket.once('close', done);
    // A socket the server already closed may refuse the write (EPIPE): it is answered '' on close.
    socket.once('error', () => {});
    socket.write('GET /livez HTTP/1.1\r\nhost: proctor\r\n\r\n');
  });
}

async function refused(): Promise<string> {
  const text = await (await fetch(proctor.metricsUrl as string)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('proctor_connections_refused_total'))
    .join('\n');
}

describe('connection caps', () => {
  it('closes the socket past max_connections_per_address at once, counts it, and serves the first ones', async () => {
    const held: Socket[] = [];
    // Each socket answers before the next opens, so the server has taken it before the one past the cap arrives.
    for (let i = 0; i < 4; i += 1) {
      const socket = await open();
      expect(await livez(socket)).toMatch(/^HTTP\/1\.1 200 /);
      held.push(socket);
    }
    const past = await open();
    expect(await livez(past)).toBe('');
    expect(past.destroyed || past.readableEnded).toBe(true);
    // Another address is not this one's cap.
    expect(await livez(await open('127.0.0.2'))).toMatch(/^HTTP\/1\.1 200 /);
    // The first four still serve requests on their kept-alive sockets.
    for (const socket of held) expect(await livez(socket)).toMatch(/^HTTP\/1\.1 200 /);
    const series = await refused();
    expect(series).toContain('proctor_connections_refused_total{cap="per_address"} 1');
    expect(series).not.toContain('127.0.0');
  });

  it('closes the socket past max_connections from any address and counts it as total', async () => {
    // Five sockets are open (four from 127.0.0.1, one from 127.0.0.2): two more fill the listener.
    for (const from of ['127.0.0.3', '127.0.0.4']) expect(await livez(await open(from))).toMatch(/^HTTP\/1\.1 200 /);
    expect(await livez(await open('127.0.0.5'))).toBe('');
    expect(await refused()).toContain('proctor_connections_refused_total{cap="total"} 1');
  });
});
