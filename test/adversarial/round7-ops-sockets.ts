// The server side of the transport attacks in round7-ops.test.ts, seen from inside the test process (the adversarial
// stack runs Proctor in it): requests as Proctor's HTTP server received them, through node:diagnostics_channel
// (http.server.request.start), so a test waits until Proctor has read what its clients sent (their sockets' bytesRead)
// instead of sleeping; raw client sockets that send a request's head and part of its body and stay open; and the
// memory the process holds after a full garbage collection.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll } from 'vitest';

const CHANNEL = 'http.server.request.start';

/** A request some in-process HTTP server received: Proctor's, the OIDC provider's or the recording upstream's. */
export interface Received {
  request: IncomingMessage;
  server: Server;
}

export interface ServerSide {
  /** Requests received since `watchServers`, those matching `which`. */
  received(which: (r: IncomingMessage) => boolean): Received[];
  /** Resolves once the sockets of the requests matching `which` have read at least `bytes` in all. */
  read(which: (r: IncomingMessage) => boolean, bytes: number): Promise<void>;
  /** Resolves once every request matching `which` has its socket closed. */
  closed(which: (r: IncomingMessage) => boolean): Promise<void>;
  close(): void;
}

/** One turn of the event loop: the servers in this process read their sockets in it. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

export function watchServers(): ServerSide {
  const seen: Received[] = [];
  const onStart = (message: unknown) => seen.push(message as Received);
  subscribe(CHANNEL, onStart);
  const received = (which: (r: IncomingMessage) => boolean) => seen.filter((r) => which(r.request));
  return {
    received,
    async read(which, bytes) {
      while (received(which).reduce((n, r) => n + r.request.socket.bytesRead, 0) < bytes) await turn();
    },
    async closed(which) {
      while (!received(which).every((r) => r.request.socket.closed)) await turn();
    },
    close: () => unsubscribe(CHANNEL, onStart),
  };
}

/** What listenWatched listens with: Proctor's HTTP app (fastify). */
interface Listener {
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<unknown>;
}

/**
 * A test file's server over real sockets: before its tests the in-process servers are watched and `app` listens on
 * 127.0.0.1 (any port); after them both stop. `port` and `servers` are read once it listens (inside a test).
 */
export function listenWatched(app: Listener): { readonly port: number; readonly servers: ServerSide } {
  let port = 0;
  let servers: ServerSide | undefined;
  beforeAll(async () => {
    servers = watchServers();
    port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
  });
  afterAll(async () => {
    servers?.close();
    await app.close();
  });
  return {
    get port() {
      return port;
    },
    get servers() {
      if (servers === undefined) throw new Error('listenWatched: read before the file listens');
      return servers;
    },
  };
}

/** The port of the server that received a request matching `which`. */
export function portOf(side: ServerSide, which: (r: IncomingMessage) => boolean): number {
  const server = side.received(which)[0]?.server;
  const address = server?.address() as AddressInfo | null | undefined;
  if (!address) throw new Error('no server received such a request');
  return address.port;
}

/** A connection that sends `head` then `body` and stays open (a request whose body is not finished). The buffers are
 * written as they are, never copied, so many connections sending one body hold it once on the client's side. */
export function openSocket(port: number, head: Buffer, body: Buffer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      socket.write(body, () => resolve(socket));
    });
    socket.once('error', reject);
    socket.resume();
  });
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Bytes this process holds after full collections: the JavaScript heap and every live array buffer (Buffers, those
 * moved into a MessagePort's queue included). Not `external`, which counts some array buffers again and others not. A
 * closed MessagePort's queue is freed by a native callback its collection schedules: one event loop turn between two
 * collections lets it run.
 */
export async function heldBytes(): Promise<number> {
  gc();
  await turn();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
