// Round 15b (A24), guarantee 3 (fail closed fast) against peers that accept a connection and then never answer: an
// OIDC issuer whose discovery hangs, one whose discovery answers but whose JWKS hangs (a token with a kid never seen
// forces the fetch), PostgreSQL with the chain's head row or the records table locked by another session, a client
// that sends its body a byte at a time, an upstream that sends its answer's headers and then nothing. Each stack
// timeout is set short (identity 1 s, statements 1.5 s, request arrival 1 s, upstream first byte 1 s) through the
// stack's `configure` option. What must hold: every such request ends with an API-shaped refusal, Proctor gives up
// on the peer itself (it closes the hanging connection: counted, not timed), and nothing reaches the upstream.
import { generateKeyPairSync, sign } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_KEY, leaksIn } from './leaks.ts';
import { promptBody } from './request-bodies.ts';
import { startAdversarialStack, type AdversarialStack } from './stack.ts';

const AUDIENCE = 'https://proctor.test';
const CHAIN = 'adv-r15b-hangs';
/** A model the default policy allows the `eng` group that only the stalling upstream serves. */
const STALL_MODEL = 'gpt-4.1-mini';

/** A server that accepts connections; `/hang…` paths never answer, `/jwks-hang` answers its discovery only. */
interface Peer {
  url: string;
  /** Keep-alive writes the last trickling answer made before the exchange ended. */
  trickled: number;
  /** Connections it accepted, and how many of them the other side closed. */
  accepted: number;
  closed: number;
  close(): void;
}

async function startHangingPeer(): Promise<Peer> {
  const sockets = new Set<net.Socket>();
  const peer = { url: '', trickled: 0, accepted: 0, closed: 0, close: () => {} };
  const server = http.createServer((req, res) => {
    // `/jwks-hang` and `/jwks-trickle` answer their discovery, pointing at a JWKS that hangs or trickles.
    const named = /^\/(jwks-hang|jwks-trickle)\/\.well-known\/openid-configuration$/.exec(req.url ?? '')?.[1];
    if (named !== undefined) {
      const jwks_uri = `${peer.url}/${named === 'jwks-hang' ? 'hang' : 'trickle'}/jwks`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: `${peer.url}/${named}`, jwks_uri, response_types_supported: [] }));
      return;
    }
    // A discovery document or a JWKS whose body starts and then comes a space every 50 ms.
    if (req.url === '/disc-trickle/.well-known/openid-configuration' || req.url === '/trickle/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      trickle(res, ' ', peer);
      return;
    }
    if (req.url?.startsWith('/stall/')) {
      // An upstream: the answer's headers, then (by the prompt's case-<mode>) nothing, a keep-alive comment every
      // 50 ms, or a stream whose bytes come in writes cut inside UTF-8 characters.
      const stream = req.headers.accept === 'text/event-stream';
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        if (body.includes('case-reason')) return answerWithKeyAround(res);
        res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
        res.flushHeaders();
        const mode = /case-([a-z]+)/.exec(body)?.[1];
        if (mode === 'trickle') trickle(res, stream ? ': ping\n\n' : ' ', peer);
        // The prompt names the key as KEY (the request would be refused if it carried it); the answer carries it.
        const text = (/case-split (.*?) end/.exec(body)?.[1] ?? '').replace('KEY', ANSWER_KEY.value);
        if (mode === 'split') void writeCut(res, text);
      });
      return;
    }
    // Anything else: the connection stays open and nothing is written.
  });
  server.on('connection', (socket: net.Socket) => {
    peer.accepted += 1;
    sockets.add(socket);
    socket.on('close', () => {
      peer.closed += 1;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  peer.close = () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  };
  return peer;
}

/** Writes `beat` every 50 ms, up to 100 times (5 s), until the other side goes; counts the writes in `peer`. */
function trickle(res: http.ServerResponse, beat: string, peer: Peer): void {
  peer.trickled = 0;
  const timer = setInterval(() => {
    if (res.destroyed || peer.trickled >= 100) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(beat);
    peer.trickled += 1;
  }, 50);
  res.on('close', () => clearInterval(timer));
}

/** A clean chat completion whose reason phrase and trailer carry the answer key. */
function answerWithKeyAround(res: http.ServerResponse): void {
  res.writeHead(200, ANSWER_KEY.value, { 'content-type': 'application/json', trailer: 'x-debug' });
  const message = { role: 'assistant', content: 'hello' };
  res.write(
    JSON.stringify({ id: 'x', object: 'chat.completion', model: STALL_MODEL, choices: [{ index: 0, message }] }),
  );
  res.addTrailers({ 'x-debug': ANSWER_KEY.value });
  res.end();
}

/** A chat stream saying `text`, its bytes written in pieces cut inside every multi-byte character, 5 ms apart. */
async function writeCut(res: http.ServerResponse, text: string): Promise<void> {
  const events = [text, ''].map((content, i) =>
    JSON.stringify({
      id: 'chatcmpl-r15b',
      object: 'chat.completion.chunk',
      created: 0,
      model: STALL_MODEL,
      choices: [{ index: 0, delta: { content }, finish_reason: i === 0 ? null : 'stop' }],
    }),
  );
  const bytes = Buffer.from(`${events.map((e) => `data: ${e}\n\n`).join('')}data: [DONE]\n\n`);
  let from = 0;
  for (let at = 1; at <= bytes.length; at += 1) {
    // A continuation byte after this one: the cut falls inside a character (and inside a key, every 7 bytes).
    const inside = at < bytes.length && ((bytes[at] as number) & 0xc0) === 0x80;
    if (at === bytes.length || inside || at % 7 === 0) {
      res.write(bytes.subarray(from, at));
      from = at;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  res.end();
}

let peer: Peer;
let stack: AdversarialStack;

beforeAll(async () => {
  peer = await startHangingPeer();
  stack = await startAdversarialStack('r15b-hangs', {
    configure: (parts) => ({
      ...parts,
      server: { request_timeout_ms: 1000 },
      database: { ...parts.database, statement_timeout_ms: 1500 },
      ledger: { chain: CHAIN },
      issuers: [
        ...parts.issuers,
        ...['hang', 'jwks-hang', 'disc-trickle', 'jwks-trickle'].map((p) => ({
          issuer: `${peer.url}/${p}`,
          audience: [AUDIENCE],
          allow_insecure_http: true,
          jwks: { timeout_ms: 1000, cooldown_seconds: 1 },
        })),
      ],
      upstreams: [
        {
          name: 'stall',
          kind: 'openai-compatible',
          base_url: `${peer.url}/stall/v1`,
          credential: { env: 'UPSTREAM_KEY' },
          models: [STALL_MODEL],
          timeouts: { first_byte_ms: 1000, total_ms: 2000 },
          attributes: { zero_data_retention: true },
        },
        ...parts.upstreams,
      ],
    }),
  });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  peer?.close();
});

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** An RS256 token from `issuer` with a kid no key set holds (verifying it needs the issuer's keys). */
function tokenFrom(issuer: string): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64url({ alg: 'RS256', typ: 'JWT', kid: 'r15b-never-seen' });
  const body = b64url({ iss: issuer, aud: AUDIENCE, sub: 'r15b', iat: now, exp: now + 300 });
  return `${head}.${body}.${sign('sha256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url')}`;
}

async function post(path: string, body: unknown, bearer: string) {
  const response = await fetch(`${stack.origin}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const head = `${response.status} ${response.statusText}\n${[...response.headers].join('\n')}`;
  return { status: response.status, text, head, code: /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? null };
}

const forwarded = () => stack.upstream.requests.length;

describe('an identity provider that accepts the connection and never answers', () => {
  for (const where of ['hang', 'jwks-hang'] as const) {
    it(`${where === 'hang' ? 'discovery' : 'the JWKS'} hangs: a 401/503 error in the API's shape, the fetch given up`, async () => {
      const before = { forwarded: forwarded(), closed: peer.closed };
      const x = await post('/v1/chat/completions', promptBody('chat', 'hello'), tokenFrom(`${peer.url}/${where}`));
      expect({ status: [401, 503].includes(x.status), code: x.code, forwarded: forwarded() }).toEqual({
        status: true,
        code: expect.stringMatching(/^ERR_/),
        forwarded: before.forwarded,
      });
      await expect.poll(() => peer.closed).toBeGreaterThan(before.closed);
    });
  }
  for (const where of ['disc-trickle', 'jwks-trickle'] as const) {
    it(`${where === 'disc-trickle' ? 'discovery' : 'the JWKS'} trickles a space every 50 ms: refused before it ends`, async () => {
      const before = forwarded();
      const x = await post('/v1/chat/completions', promptBody('chat', 'hello'), tokenFrom(`${peer.url}/${where}`));
      const written = peer.trickled;
      expect({ status: [401, 503].includes(x.status), forwarded: forwarded(), cut: written < 100 }).toEqual({
        status: true,
        forwarded: before,
        cut: true,
      });
    });
  }
  it('control: a token of the working issuer is answered meanwhile', async () => {
    const x = await stack.send('chat', promptBody('chat', 'hello'));
    expect(x.status).toBe(200);
  });
});

describe('PostgreSQL that hangs: another session holds the lock the ledger append needs', () => {
  const locks: readonly [string, string][] = [
    ['the chain head row (FOR UPDATE)', `SELECT head_seq FROM audit_chains WHERE chain = '${CHAIN}' FOR UPDATE`],
    ['the records table (ACCESS EXCLUSIVE)', 'LOCK TABLE audit_records IN ACCESS EXCLUSIVE MODE'],
  ];
  for (const [name, lock, stream] of locks.flatMap(([n, l]) => [false, true].map((s) => [n, l, s] as const))) {
    it(`${name}${stream ? ', a stream' : ''}: refused with 503 within the statement timeout, nothing forwarded`, async () => {
      const db = new pg.Client({ connectionString: stack.databaseUrl });
      await db.connect();
      const before = forwarded();
      try {
        await db.query('BEGIN');
        await db.query(lock);
        const body = { ...promptBody('chat', 'hello'), stream };
        const x = await post('/v1/chat/completions', body, await stack.token([]));
        expect({ status: x.status, code: x.code, forwarded: forwarded() }).toEqual({
          status: 503,
          code: expect.stringMatching(/^ERR_/),
          forwarded: before,
        });
      } finally {
        await db.query('ROLLBACK');
        await db.end();
      }
    });
  }
  it('control: with the lock released, a request is answered and recorded', async () => {
    const x = await stack.send('chat', promptBody('chat', 'hello after the lock'));
    expect(x.status).toBe(200);
  });
});

describe('a client that sends its body a byte at a time (slowloris)', () => {
  it('is answered 408 before its body is through (request_timeout_ms 1 s), nothing forwarded', async () => {
    const token = await stack.token([]);
    const body = JSON.stringify(promptBody('chat', 'hello')).padEnd(400, ' ');
    const url = new URL(stack.origin);
    const before = forwarded();
    const socket = net.connect(Number(url.port), url.hostname);
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${token}\r\n` +
        `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    let sent = 0;
    let answer = '';
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (answer !== '' || sent >= body.length || socket.destroyed) {
          clearInterval(timer);
          return;
        }
        socket.write(body[sent] as string);
        sent += 1;
      }, 25);
      socket.on('data', (c: Buffer) => {
        answer += c.toString('latin1');
      });
      socket.on('close', () => {
        clearInterval(timer);
        resolve();
      });
      socket.on('error', () => {});
    });
    expect({ status: answer.slice(0, 12), through: sent >= body.length, forwarded: forwarded() }).toEqual({
      status: 'HTTP/1.1 408',
      through: false,
      forwarded: before,
    });
  });
});

describe('an upstream that sends its headers and then stalls', () => {
  for (const stream of [false, true]) {
    it(`${stream ? 'an SSE stream' : 'a JSON answer'}: ends with an upstream timeout error, the exchange given up`, async () => {
      const before = peer.closed;
      const x = await post(
        '/v1/chat/completions',
        { ...promptBody('chat', 'hello'), model: STALL_MODEL, stream },
        await stack.token(['eng']),
      );
      expect({ status: x.status, code: x.code }).toEqual({ status: stream ? 200 : 504, code: 'ERR_UPSTREAM_TIMEOUT' });
      await expect.poll(() => peer.closed).toBeGreaterThan(before);
    });
  }
});

describe('an upstream that trickles (a keep-alive write every 50 ms, each within first_byte_ms)', () => {
  for (const stream of [false, true]) {
    it(`${stream ? 'SSE comments' : 'JSON whitespace'}: ended by total_ms (2 s) before its 100 writes, an error`, async () => {
      const x = await post(
        '/v1/chat/completions',
        { ...promptBody('chat', 'case-trickle hello'), model: STALL_MODEL, stream },
        await stack.token(['eng']),
      );
      expect({ status: x.status, code: x.code, cut: peer.trickled < 100 }).toEqual({
        status: stream ? 200 : 504,
        code: 'ERR_UPSTREAM_TIMEOUT',
        cut: true,
      });
    });
  }
});

describe('an SSE answer whose TCP writes cut UTF-8 characters (and a key) apart', () => {
  const TEXT = 'naïve café, Zürich → 東京 🙂';
  it('control: the text reaches the client whole, no replacement character', async () => {
    const prompt = `case-split ${TEXT} end`;
    const x = await post(
      '/v1/chat/completions',
      { ...promptBody('chat', prompt), model: STALL_MODEL, stream: true },
      await stack.token(['eng']),
    );
    const said = [...x.text.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]).join('');
    expect({ status: x.status, said, replaced: x.text.includes('\uFFFD') }).toEqual({
      status: 200,
      said: TEXT,
      replaced: false,
    });
  });
  it('a key between multi-byte characters, cut across writes: withheld', async () => {
    const prompt = `case-split ${TEXT} KEY→東京 end`;
    const x = await post(
      '/v1/chat/completions',
      { ...promptBody('chat', prompt), model: STALL_MODEL, stream: true },
      await stack.token(['eng']),
    );
    expect({ blocked: x.code, leaked: leaksIn(x.text, [ANSWER_KEY]) }).toEqual({
      blocked: 'ERR_RESPONSE_BLOCKED',
      leaked: [],
    });
  });
});

describe('the upstream status line and trailers', () => {
  it('a key as the reason phrase and in a trailer of a clean answer: neither reaches the client', async () => {
    const x = await post(
      '/v1/chat/completions',
      { ...promptBody('chat', 'case-reason hello'), model: STALL_MODEL },
      await stack.token(['eng']),
    );
    expect({ status: x.status, leaked: leaksIn(`${x.head}\n${x.text}`, [ANSWER_KEY]) }).toEqual({
      status: 200,
      leaked: [],
    });
  });
});
