// Security review of session 9's changes (R1): each suspected hole is an `it.fails` with a `HOLE (open, <file>)`
// comment naming what, why and the fix; controls that held are plain `it`.
import { execFileSync } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptBody } from './request-bodies.ts';
import { openSocket, portOf, watchServers, type ServerSide } from './round7-ops-sockets.ts';
import { startAdversarialStack, type AdversarialStack } from './stack.ts';
import { classifier } from './recording-pipeline.ts';
import { anthropicAnswer, chatAnswer } from './fixtures.ts';
import { CHAT, forwarded, RULES, screened } from './round7-helpers.ts';

describe('join-decode.ts (2f8a3b8): a run decoded across a boundary and a value of its type beside it', () => {
  // Two e-mail addresses in one base64 run, cut inside the first: segment A holds `mail amy.lee@northwind.c`'s
  // base64, segment B the rest, whose own decoding finds the second address (a finding over B's whole run).
  const text = Buffer.from('mail amy.lee@northwind.com then jane.doe@acmecorp.com ok').toString('base64');
  const [first, second] = [text.slice(0, 32), text.slice(32)];
  const alone = Buffer.from('mail amy.lee@northwind.com ok').toString('base64');
  const answer = (a: string, b: string) => ({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'x',
    content: [
      { type: 'text', text: a },
      { type: 'text', text: b },
    ],
    stop_reason: 'end_turn',
    stop_sequence: null,
  });
  const request = (a: string, b: string) => ({
    model: 'echo-1',
    messages: [
      { role: 'user', content: a },
      { role: 'user', content: b },
    ],
  });

  // HOLE (closed, classification/join-decode.ts decodedAcross): the address decoded across the boundary was dropped
  // whole when any of its pieces overlapped a value of its type found in that piece's segment. B's own run is one
  // EMAIL finding (base64 findings cover the whole run), so the crossing address's draft was dropped for A too: A's
  // base64 (`mail amy.lee@northwind.c`) was relayed and forwarded. Closed: only a piece covered by a finding of its
  // type in its segment is left out (join-pieces.ts coveredByFound), the crossing value's other pieces are reported;
  // a value written on one side only that overlaps a value found there alone (`blob` + a key's run) is still dropped.
  it('a crossing address is redacted in the half a second one does not cover (answer, request)', async () => {
    const found = await classifier.classify([
      { path: 'a', text: first },
      { path: 'b', text: second },
    ]);
    expect(found.findings.filter((f) => f.segment === 0).map((f) => f.type)).toEqual(['EMAIL']);
    expect(await screened('anthropic.messages', answer(first, second), RULES)).not.toContain(first);
    expect(await forwarded(CHAT, request(first, second))).not.toContain(first);
  });
  it('control: without the second address the crossing one is found in both halves and redacted', async () => {
    const [a, b] = [alone.slice(0, 20), alone.slice(20)];
    const found = await classifier.classify([
      { path: 'a', text: a },
      { path: 'b', text: b },
    ]);
    expect(found.findings.map((f) => [f.type, f.segment])).toEqual([
      ['EMAIL', 0],
      ['EMAIL', 1],
    ]);
    expect(await screened('anthropic.messages', answer(a, b), RULES)).not.toContain(a);
  });
});

describe('NL_BSN (7c627e7): the digits view reads no BSN', () => {
  const ask = (content: string) => ({ model: 'echo-1', messages: [{ role: 'user', content }] });
  // HOLE (closed, classification/digit-view.ts DIGIT_VIEW_RECOGNIZERS, recognizers-pii.ts NL_BSN): NL_BSN scanned only
  // the main view (nine digits, dddd.dd.ddd or ddd ddd ddd), so the separators the digits view reads through for a US
  // SSN (`219/09/9999`, spaced digits; SECURITY.md: "any separator between digit groups") kept a valid BSN beside its
  // own word unread, and the request was forwarded. Closed: NL_BSN is a digits-view recognizer and its pattern takes
  // the view's `-` groups (ddd-ddd-ddd, dddd-dd-ddd); the BSN's checksum and word still win over a bare US SSN.
  it.each(['123-456-782', '123/456/782', '123_456_782', '123.456.782', '1 2 3 4 5 6 7 8 2'])(
    'a BSN written %s beside its word is refused',
    async (bsn) => {
      expect(await forwarded(CHAT, ask(`My BSN is ${bsn}.`))).toBe('');
    },
  );
  it('control: a BSN as the recognizer writes it, and a US SSN with those separators, are refused', async () => {
    for (const text of ['My BSN is 123456782.', 'My BSN is 1234.56.782.', 'My BSN is 123 456 782.'])
      expect(await forwarded(CHAT, ask(text))).toBe('');
    for (const text of ['My SSN is 219/09/9999.', 'My SSN is 219_09_9999.', 'My SSN is 2 1 9 0 9 9 9 9 9.'])
      expect(await forwarded(CHAT, ask(text))).toBe('');
  });
});

describe("prompt-tokens.ts (59f5965): a prompt text's count remembered under its SHA-256", () => {
  // Run in a child process holding only the tokenizer (a heap snapshot of this worker would be far larger): it counts
  // an admitted prompt's text (PII is redacted later, on the way upstream), then says which of two SHA-256 digests,
  // the counted text's and one of a text never counted, are strings of its heap. The digests are kept as bytes until
  // the snapshot is taken (a string of them would be in the heap itself).
  const tokens = fileURLToPath(new URL('../../src/limits/prompt-tokens.ts', import.meta.url));
  const script = `
    import { hash } from 'node:crypto';
    import { getHeapSnapshot } from 'node:v8';
    const { countPromptTokens } = await import(${JSON.stringify(tokens)});
    const counted = 'Please call me back at +1 415 555 0132 about my order, I am home all afternoon.';
    countPromptTokens({ model: 'gpt-4o-mini', texts: [counted], messages: 1, toolCalls: 0, conservativeEstimate: 0 });
    const bytes = [counted, counted.replace('0132', '0133')].map((text) => hash('sha256', text, 'buffer'));
    const snapshot = getHeapSnapshot();
    const digests = bytes.map((b) => b.toString('base64'));
    const found = digests.map(() => false);
    let tail = '';
    for await (const chunk of snapshot) {
      tail = tail.slice(-64) + chunk.toString('latin1');
      digests.forEach((digest, i) => { found[i] ||= tail.includes(digest); });
    }
    process.stdout.write(JSON.stringify({ counted: found[0], never: found[1] }));`;
  let found: { counted: boolean; never: boolean } | undefined;
  const heap = () => {
    found ??= JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
    return found as { counted: boolean; never: boolean };
  };

  // HOLE (closed, limits/prompt-tokens.ts rememberingCounts): every admitted prompt text of 64 characters or more is
  // kept as its unkeyed SHA-256 (4,096 an encoding, the oldest out first: under light traffic for the process's
  // life), before redaction, PII included. Whoever reads the process's memory (a heap snapshot, a core dump) can test
  // guesses offline: a templated prompt with a phone number or a date of birth is recovered by brute force in
  // seconds, the attack issue 15 closed for records' body_sha256 ("nothing derived from content is an unkeyed
  // hash", docs/ledger.md). Fix: key the memo with an HMAC under a random per-process key held as a KeyObject
  // (createSecretKey(randomBytes(32)): its bytes live outside the V8 heap), or under the fingerprint key's derivation.
  // Closed by the lead: the memo's key is the text's HMAC-SHA-256 under a random per-process KeyObject (MEMO_KEY).
  it('an admitted prompt text leaves no unkeyed digest of itself in the heap', () => {
    expect(heap().counted).toBe(false);
  }, 60_000);
  it('control: the search finds no digest of a text never counted', () => {
    expect(heap().never).toBe(false);
  }, 60_000);
});

describe('body.ts (04ee2a1, f53fd3f): one budget for every body being received, whoever sends it', () => {
  const MiB = 2 ** 20;
  /** The default budget (server.max_body_bytes_in_flight: 32 MiB with the 4 MiB body limit). */
  const BUDGET = 32 * MiB;
  let stack: AdversarialStack;
  let servers: ServerSide;
  let port = 0;
  const attack = (r: IncomingMessage) => r.headers['x-attack'] === 'budget';
  beforeAll(async () => {
    servers = watchServers();
    stack = await startAdversarialStack('review-s9');
    await stack.send('chat', promptBody('chat', 'hello'));
    port = portOf(servers, (r) => r.headers['x-proctor-request-id'] === undefined && r.url === '/v1/chat/completions');
  }, 120_000);
  afterAll(async () => {
    servers?.close();
    await stack?.close();
  });

  // HOLE (closed, http/identify-first.ts + body.ts): the budget was one pool for all bodies being received, read before
  // identify, with no share per client: nine token-less connections that send 32 MiB of body but its last byte held
  // the whole budget, and every authenticated request with a body was refused 503 ERR_SERVER_BUSY meanwhile. Closed:
  // a pipeline route's request is identified from its headers before a byte of its body is read; one refused is
  // recorded and answered 401 as before and its body read and dropped, never held (a connection closed after); and one
  // remote address holds at most its share of the budget (server.max_body_bytes_per_client, 16 MiB by default).
  it('bodies held by token-less clients do not refuse an authenticated request', async () => {
    const lengths = [...Array.from({ length: 8 }, () => 4_000_000), BUDGET - 8 * 4_000_000 - 16];
    const sockets: Socket[] = [];
    try {
      for (const length of lengths) {
        const head = Buffer.from(
          'POST /v1/chat/completions HTTP/1.1\r\nhost: proctor\r\ncontent-type: application/json\r\n' +
            `x-attack: budget\r\ncontent-length: ${length}\r\n\r\n`,
        );
        sockets.push(await openSocket(port, head, Buffer.alloc(length - 1, 0x20)));
      }
      const sent = lengths.reduce((n, length) => n + length - 1, 0);
      await servers.read(attack, sent);
      const answer = await stack.send('chat', promptBody('chat', 'hello'));
      expect(answer.status).toBe(200);
    } finally {
      for (const socket of sockets) socket.destroy();
      await servers.closed(attack);
    }
  }, 120_000);
  it('control: once those clients are gone, the budget is whole again and the request is answered', async () => {
    const answer = await stack.send('chat', promptBody('chat', 'hello'));
    expect(answer.status).toBe(200);
  });
});

describe("answer labels (H14, round 6 R1): an enumerated label's letters then a string two fields on", () => {
  // `gh` (the end of `high`, a type the SDKs name) + `p_16C7…` = a GitHub token.
  const REST = 'p_16C7e42F292c6912E7710c838347Ae17xbab';
  const chat = (annotation: Record<string, unknown>) =>
    chatAnswer({}, { content: 'see the page', refusal: null, annotations: [annotation] });
  const anthropic = (citation: Record<string, unknown>) =>
    anthropicAnswer([{ type: 'text', text: 'see the page', citations: [citation] }]);
  const citation = { document_index: 0, document_title: null, start_char_index: 0, end_char_index: 1 };

  // HOLE (closed, pipeline/answer-document-order.ts, answer-key-joins.ts readClosedLabels): a closed label (an
  // enumerated field's value the SDKs name: `"type":"high"`) was read apart by every reading order but the list
  // order, where the field after it sits between (`url`, `file_id`), so `high` then `p_16C7…` two fields on (a chat
  // annotation's title, an Anthropic citation's cited_text) was relayed: `gh` + `p_…` is a GitHub token. Closed: a
  // closed label is a place of the answers' document-order reading, read after the place before it and before the
  // next two (past weak names and other closed labels), and pushes no place apart.
  it('chat annotation: a label then a title past the url is not relayed', async () => {
    const annotation = {
      type: 'high',
      url_citation: { url: 'https://x.io', title: REST, end_index: 1, start_index: 0 },
    };
    expect(await screened(CHAT, chat(annotation))).not.toContain(REST);
  });
  it('anthropic citation: a label then the cited text past a file id is not relayed', async () => {
    const body = anthropic({ type: 'high', file_id: 'file_1', cited_text: REST, ...citation });
    expect(await screened('anthropic.messages', body)).not.toContain(REST);
  });
  it('control: the same answers with an ordinary title or cited text are relayed', async () => {
    const annotation = { type: 'url_citation', url_citation: { url: 'https://x.io', title: 'Paris', end_index: 1 } };
    expect(await screened(CHAT, chat(annotation))).toContain('"title":"Paris"');
    const body = anthropic({ type: 'char_location', file_id: 'file_1', cited_text: 'Paris is big', ...citation });
    expect(await screened('anthropic.messages', body)).toContain('Paris is big');
  });
});
