// Security review of session 9's late changes (R3: after ~00:20): each suspected hole is an `it.fails` with a
// `HOLE (open, <file>)` comment naming what, why and the fix; controls that held are plain `it`. Through the real
// classifier, the recording pipeline (what is forwarded) and the answer screen (what is relayed).
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRecognizers } from '../../src/classification/compile.ts';
import { execFrom, wholeMatchFrom } from '../../src/classification/matching.ts';
import { DEFAULT_RECOGNIZERS } from '../../src/classification/recognizers.ts';
import { emptyTail, type Progress, progressNote } from '../../src/mcp/progress.ts';
import { classifier, recordingPipeline } from './recording-pipeline.ts';
import { AWS, CHAT, forwarded, screened } from './round7-helpers.ts';

/** A GitHub token in two halves, each a valid tool name; whole it is a secret the default policy denies. */
const GH = ['ghp_16C7e42F292c6912E7710c', '838347Ae178B4a'] as const;
const holdsBoth = (out: string) => GH.every((half) => out.includes(half));
const tool = (name: string) => ({
  type: 'function',
  function: { name, description: 'looks up', parameters: { type: 'object', properties: {} } },
});

/** The request `body` through the recording pipeline: its answer's status and code, and what was sent upstream. */
async function handled(body: unknown): Promise<{ status: number; code: unknown; sent: number }> {
  const { handler, sent } = await recordingPipeline();
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const answer = (await handler.handle({ requestId: 'r3', api: CHAT, headers: {}, body: bytes })) as {
    status: number;
    body: { error?: { code?: unknown } };
  };
  return { status: answer.status, code: answer.body.error?.code, sent: sent.length };
}

describe("name-pairs.ts (4880444, 46abfc8): a request's names read two by two", () => {
  /** A chat whose first turn is named `name`, with the token's second half as a tool two tools on. */
  const request = (name: string) => ({
    model: 'echo-1',
    messages: [
      { role: 'user', name, content: 'hello there' },
      { role: 'user', content: 'fine' },
    ],
    tools: [tool('lookup'), tool(GH[1])],
  });

  // HOLE (closed, classification/name-pairs.ts namesOf): only names of at most MAX_NAME (128) characters were read
  // in pairs, on the ground that tool names are at most 64 and the model 128; but a chat message's participant name
  // has no pattern and no length bound. A name of 137 characters ending in `ghp_16C7…` with the tool `838347Ae178B4a`
  // two tools on was read with its neighbours only, and the request forwarded with the whole token. Closed: a longer
  // participant name is read in the pairs by its first and last MAX_NAME characters.
  it('a participant name past 128 characters ending in a half and a tool holding the other', async () => {
    expect(holdsBoth(await forwarded(CHAT, request(`${'x'.repeat(110)}-${GH[0]}`)))).toBe(false);
  });
  it('control: the same participant name within 128 characters is refused', async () => {
    expect(await forwarded(CHAT, request(`${'x'.repeat(90)}-${GH[0]}`))).toBe('');
  });

  // HOLE (closed, classification/name-pairs.ts nameSetWindows; pipeline/denial.ts classifyDenial): participant
  // names were paired with each other, and a name holding a digit is a possible piece, so 300 turns named
  // agent_0…agent_299 (a group chat, a multi-agent transcript; 4,096 messages are allowed) made ~90,000 pairs, past
  // the 1 Mi-character budget: ERR_NAME_PAIRS_EXCEEDED, answered 500 ERR_CLASSIFICATION_FAILED. Closed: participant
  // names are paired with the model and tool names only (each is read beside its own turn's texts by the reading
  // orders), and a classification bound the client's input passes is 413 ERR_REQUEST_TOO_COMPLEX naming it.
  it('300 turns each named agent_<n> are not refused as a server error', async () => {
    const messages = Array.from({ length: 300 }, (_, i) => ({ role: 'user', name: `agent_${i}`, content: 'ok' }));
    // Forwarded: the recording upstream answers 500 (502 to the client), so whether it was sent is what tells.
    expect(await handled({ model: 'echo-1', messages })).toMatchObject({ sent: 1, code: 'ERR_UPSTREAM_ERROR' });
  });
  it('control: 300 turns each named with letters only are classified and forwarded', async () => {
    const letter = (k: number) => String.fromCharCode(97 + (k % 26));
    const messages = Array.from({ length: 300 }, (_, i) => ({
      role: 'user',
      name: `agent_${letter(Math.floor(i / 26))}${letter(i)}`,
      content: 'ok',
    }));
    expect(await handled({ model: 'echo-1', messages })).toMatchObject({ sent: 1 });
  });
});

describe('person names (6248093): one word said again is no listed name; wholeMatchFrom steps forward', () => {
  const names = async (text: string) =>
    (await classifier.classify([{ path: 'a', text }])).findings
      .filter((f) => f.type === 'PERSON_NAME')
      .map((f) => text.slice(f.start, f.end));
  const rules = { redact: ['PERSON_NAME'], block: [] };
  const answer = (content: string) => ({
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'x',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  });

  // HOLE (closed: matching.ts searches a cut run on from its last word or a name inside it; isListedName rejects a
  // word said again right after itself) (was open, person-names.ts PERSON_NAME_LISTED, person-name-checks.ts):
  // a candidate is a run of up to four capitalised words; when the run before a name is rejected, its words are not
  // tried again as a shorter candidate starting later, so four capitalised words (three when they are one word said
  // again) glued before a name hide it: 'Please Call Back Today Maria Garcia called.' has no PERSON_NAME, and an
  // answer redacting PERSON_NAME relays the name. 6248093 widened it: 'Ann Ann Ann Ann Maria Garcia' was a finding
  // (over the wrong words, yet a request with it refused) and is now none. Eight 'Ab ' give 'Ab Ab Ab Maria' (Garcia
  // relayed), nine give none. Fix: after a rejected candidate, try the candidate starting at its next word (bounded:
  // four words a start), and check a candidate's last two words apart when its first ones are no name.
  it.each([
    'Please Call Back Today Maria Garcia called.',
    'Hi Hi Hi Maria Garcia called.',
    'Ann Ann Ann Ann Maria Garcia called.',
    `${'Ab '.repeat(9)}Maria Garcia called.`,
  ])('a name after capitalised words is redacted: %s', async (text) => {
    expect(await names(text)).toContainEqual(expect.stringContaining('Maria Garcia'));
    expect(await screened(CHAT, answer(text), rules)).not.toContain('Garcia');
  });
  it('control: the same name alone, or after a sentence end, is found and redacted', async () => {
    for (const text of ['Maria Garcia called.', 'Please Call Back Today. Maria Garcia called.']) {
      expect(await names(text)).toContainEqual(expect.stringContaining('Maria Garcia'));
      expect(await screened(CHAT, answer(text), rules)).not.toContain('Garcia');
    }
  });
  // wholeMatchFrom (matching.ts) tests each of up to four positions sticky, with its true left context, before it
  // searches the rest and then falls back to exec: a name past 0-8 repeated words after a full stop is still found.
  it('control: a name past a run of one repeated word and a full stop is found at any run length', async () => {
    for (let n = 0; n <= 8; n += 1) {
      expect(await names(`${'Ab '.repeat(n)}. Maria Garcia called.`)).toEqual(['Maria Garcia']);
    }
  });
});

describe('matching.ts wholeMatchFrom (6248093): up to four code points stepped before exec', () => {
  // A subarray's search sees no left context at its own start only, and each position stepped past was tested
  // sticky with its true context: wholeMatchFrom answers exactly what exec does, from any code point of any text.
  const whole = compileRecognizers(DEFAULT_RECOGNIZERS, {}).filter((r) => r.group === 0);
  const token = fc.constantFrom(
    'Ab',
    'Ab ',
    ' ',
    'Maria ',
    'Garcia',
    '. ',
    '\n',
    'é',
    '太一',
    '219',
    '-',
    '09',
    '@',
    'x',
  );
  it('control: the same match as exec for every whole-match recognizer', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 24 }), fc.nat(), (tokens, pick) => {
        const bytes = Buffer.from(tokens.join(''));
        const starts = [0, ...tokens.map((_, i) => Buffer.byteLength(tokens.slice(0, i + 1).join('')))];
        const from = starts[pick % starts.length] as number;
        for (const recognizer of whole) {
          const exec = execFrom(recognizer, bytes, from);
          expect(wholeMatchFrom(recognizer, bytes, from)).toEqual(exec && { whole: exec.whole, span: exec.span });
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('decode-bytes.ts (90355cf, e36d06f): base64 stretches and the fast path before them', () => {
  const ask = (content: string) => ({ model: 'echo-1', messages: [{ role: 'user', content }] });
  const b64 = Buffer.from(`aws key ${AWS.value} for the deploy`).toString('base64');
  // mayHoldStretch skips a run with no four quads in a row opening with A-Z or a-f at some alignment: every quad
  // whose first byte is ASCII opens with one, so a key's 20 ASCII bytes always pass it, whatever is glued around.
  it('control: the key in base64 behind a glued word of 0-3 letters, or stray bytes, is refused', async () => {
    const cuts = ['', 'a', 'ab', 'abc'].map((word) => `${word}${b64}`);
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0x80]), Buffer.from(`aws key ${AWS.value} ok`)]);
    for (const text of [...cuts, bytes.toString('base64'), `${bytes.toString('base64')}gQ`]) {
      expect(await forwarded(CHAT, ask(`see ${text} now`))).toBe('');
    }
  });
  /** `text`'s UTF-8 bytes with `post` after them, in base64. */
  const encoded = (text: string, post: number[] = []) =>
    Buffer.concat([Buffer.from(text), Buffer.from(post)]).toString('base64');
  const SSN_JA = '社会保障番号は219-09-9999です。';
  // HOLE (closed, classification/decode-stretches.ts base64Stretches): each alignment's stretches are its quads of
  // valid UTF-8, ASCII or not (a multi-byte character may cross quads), four or more in a row; mayHoldStretch's ASCII
  // fast path is gone (64 KB of identifiers ~1.8x the decoding time). Was: a run that is not text whole was read only
  // in stretches of four quads or more whose bytes are all ASCII (12 bytes). A short value in non-ASCII prose has
  // fewer: an SSN (11 bytes: three whole quads at any alignment) or a short address between Japanese words, in
  // base64 with one stray byte after, was never read, and the request was forwarded as it is.
  it.each([
    ['an SSN', SSN_JA],
    ['an e-mail address', 'メールはjo@ab.ioです。'],
  ])('%s between Japanese words, in base64 with a stray byte after, is not forwarded', async (_, text) => {
    const run = encoded(text, [0xff]);
    expect(await forwarded(CHAT, ask(`see ${run} now`))).not.toContain(run);
  });
  it('control: the Japanese texts in base64 whole, English text with the stray byte, are not forwarded', async () => {
    const runs = [SSN_JA, 'メールはjo@ab.ioです。'].map((text) => encoded(text));
    runs.push(encoded('my SSN is 219-09-9999 ok', [0xff]));
    for (const run of runs) {
      expect(await forwarded(CHAT, ask(`see ${run} now`))).not.toContain(run);
    }
  });
});

describe('join-decode.ts (12771b1): a base64 run of two values cut between two segments', () => {
  // decodedAcross drops a value written on one side only when it overlaps a value of its type found there alone,
  // and keeps a crossing value's pieces no such value covers: each half a value's characters fall in is reported,
  // wherever the cut falls (aligned or not: a half cut inside a quad is read by its stretches).
  it.each([
    'mail amy.lee@northwind.com then jane.doe@acmecorp.com ok',
    'SSN 219-09-9999 and 078-05-1120 ok',
    'key AKIAZ3MQWXR5TLPB6Y7N, mail jo@ab.io',
  ])('control: every cut of %s leaves a finding in both halves', async (plain) => {
    const run = Buffer.from(plain).toString('base64');
    for (let cut = 4; cut < run.length - 4; cut += 1) {
      const found = await classifier.classify([
        { path: 'a', text: run.slice(0, cut) },
        { path: 'b', text: run.slice(cut) },
      ]);
      expect(new Set(found.findings.map((f) => f.segment))).toEqual(new Set([0, 1]));
    }
  });
});

describe('decode-der.ts (90355cf): a DER private key written as a bare run', () => {
  const ask = (content: string) => ({ model: 'echo-1', messages: [{ role: 'user', content }] });
  const der = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' });
  const base64 = der.toString('base64');
  // HOLE (closed, classification/decode-der.ts privateKeyArmor): the run is read as DER at each of its first four
  // offsets and after a leading word ending in `_` or `-`, and a hex run's first 96 bytes too (at most six reads of
  // DER_PREFIX characters a run). Was: only a run's first bytes at offset 0 are
  // read as DER, and only as base64. A letter (or `key_`: `_` is base64url's) glued before the run shifts its quads,
  // and the same key in hex (`xxd -p`, `openssl … | od`) is no base64 structure: the key is forwarded. 90355cf closed
  // the same glued-word shape for text (base64Stretches reads every alignment). Fix: read DER_PREFIX characters at
  // each of the first four offsets of a run (and after a leading word ending in `_` or `-`), and a hex run's first
  // 96 bytes, with opensPrivateKey: bounded, DER_PREFIX characters an offset.
  it.each([`x${base64}`, `xy${base64}`, `key_${base64}`, der.toString('hex')])(
    'an Ed25519 PKCS#8 key written %s is refused',
    async (run) => {
      expect(await forwarded(CHAT, ask(`here: ${run} thanks`))).toBe('');
    },
  );
  it('control: the key as base64 or base64url, alone in its run, is refused', async () => {
    for (const run of [base64, der.toString('base64url')]) {
      expect(await forwarded(CHAT, ask(`here: ${run} thanks`))).toBe('');
    }
  });
});

describe('mcp/progress.ts (778b6d2, cd07fae): progress messages read after the messages relayed before', () => {
  const deps = { classifier, log: () => {} };
  /** The messages the client is shown, one a notification (null: withheld). */
  const shown = (messages: readonly string[]) => {
    const tail = emptyTail();
    return messages.map((message, i) => {
      const note = progressNote(deps, 't', { progress: i + 1, message } satisfies Progress, tail);
      return (note?.['params'] as { message?: string } | undefined)?.message ?? null;
    });
  };
  // HOLE (closed, mcp/progress.ts lastPieces BLANK): since cd07fae a message with no letter or digit took no place
  // in the messages' tail, to stop blank messages pushing one out; but punctuation is part of values: `@` or `_` as a
  // message of its own was relayed, yet the next message was read after the one before it, glued, so
  // `jane.doe` | `@` | `acmecorp.com` and `sk` | `_` | `live` | `_` | `4eC39…` reached the client whole. Closed: only
  // a message of white space and format characters (/^[\s\p{Cf}]*$/u) takes no place; one of punctuation is kept.
  it.each([
    ['an address', ['jane.doe', '@', 'acmecorp.com']],
    ['a Stripe key', ['sk', '_', 'live', '_', '4eC39HqLyjWDarjtT1zdp7dc']],
  ])('%s over messages with a punctuation-only message between is withheld', (_, messages) => {
    expect(shown(messages).at(-1)).toBeNull();
  });
  it('control: the same values with the punctuation glued to a message, and blank messages between', () => {
    expect(shown(['jane.doe@', 'acmecorp.com']).at(-1)).toBeNull();
    expect(shown(['sk_live_', ' ', '\u200b', '4eC39HqLyjWDarjtT1zdp7dc']).at(-1)).toBeNull();
  });
});
