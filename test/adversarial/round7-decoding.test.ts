// Round 7 of the attacker's review (issue #14), decoding: encoded runs the decoder does not read (decode.ts,
// decode-bytes.ts, decode-escapes.ts), the decoding budget spent by decoys, and a private key without its PEM armor.
// Holes were `it.fails` with a `HOLE (open, <file>)` comment naming the fix, and are `it` once closed (`HOLE (closed,
// <file>): how`); attacks that held are kept as controls.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_DECODED_RUNS } from '../../src/classification/decode.ts';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { upstreamErrorReply } from '../../src/pipeline/upstream-error.ts';
import { adapterFor } from '../../src/providers/index.ts';
import { leaksIn } from './leaks.ts';
import { classifier } from './recording-pipeline.ts';
import { AWS, CHAT, forwarded, RULES, screened } from './round7-helpers.ts';

describe('encoded runs the decoder does not read', () => {
  const encoded = (bytes: Buffer) => bytes.toString('base64');
  const KEY_TEXT = Buffer.from(`aws ${AWS.value}`);
  const ask = (content: string) => ({ model: 'echo-1', messages: [{ role: 'user', content }] });
  const answer = (content: string) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
  });
  const both = async (content: string) => [
    ...leaksIn(await forwarded(CHAT, ask(content)), [AWS]),
    ...leaksIn(await screened(CHAT, answer(content)), [AWS]),
  ];
  // HOLE (closed, classification/decode.ts + decode-bytes.ts base64Stretches): a base64 run that is not text whole is
  // read at each of its four alignments, its stretches of 4+ quads of ASCII (with a quad each side) read lossy.
  // Was (decode.ts + decode-bytes.ts decodeBase64OrHex): a base64 run is decoded only whole, from
  // its first character, and classified only when every byte is valid UTF-8 (docs/classification.md: "only valid
  // UTF-8 is classified"). A word glued before the run (`token` + base64: the run starts off its quads), three bytes
  // that are no UTF-8 encoded first (`//79`), or one stray byte at the end are enough: the key inside is forwarded and
  // relayed, while any base64 decoder a reader uses (and `base64 -d | strings`) shows it. Fix: when a run does not
  // decode whole to text, try it from each of its first four characters, and classify the longest stretches of valid
  // UTF-8 of what it decodes to (lossy, as TextDecoder reads it; within the same budget: at most four decodes a run).
  it.each([
    ['glued after a word', `token${encoded(KEY_TEXT)}`],
    ['after three bytes that are no UTF-8', encoded(Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd]), KEY_TEXT]))],
    ['before a stray byte', encoded(Buffer.concat([KEY_TEXT, Buffer.from([0xff])]))],
  ])('a key in base64 %s is not forwarded or relayed', async (_name, content) => {
    expect(await both(content)).toEqual([]);
  });
  it('an embeddings answer in base64 whose float bytes hold the key is not relayed', async () => {
    // encoding_format: base64 is accepted; its bytes are float32s, never UTF-8 as a whole, so never decoded.
    const floats = encoded(Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd, 0xfc]), KEY_TEXT, Buffer.from('    ')]));
    const body = {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: floats }],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 1, total_tokens: 1 },
    };
    const out = await screenResponse(adapterFor('openai.embeddings'), classifier, body, RULES);
    expect(leaksIn(JSON.stringify(out.body ?? null), [AWS])).toEqual([]);
  });
  it('an upstream error message holding the key in base64 glued after a word is not shown', () => {
    const upstream = { error: { message: `token${encoded(KEY_TEXT)}`, type: 'invalid_request_error' } };
    const reply = upstreamErrorReply(400, upstream, 'r7', classifier);
    expect(leaksIn(JSON.stringify(reply.body), [AWS])).toEqual([]);
  });
  // HOLE (closed, classification/decode-candidates.ts startPatterns codeList): the start pattern takes `[\t-\r ]*`
  // before the mark.
  // Was: decimalCodeRuns reads a list split by one `,` or `;`
  // "with any whitespace" (separatesCodes), but it is only started where the native start pattern matches, and that
  // pattern allows spaces and tabs only before the mark (`[\t ]*[,;]`): a list written comma-first, one code a line
  // (`97\n, 119\n, 115\n, …`, or `\r,`, `\n;`), is never decoded, in short texts and long ones. Fix: the start pattern
  // takes `[\t-\r ]*` before the mark too (what separatesCodes accepts), within MAX_CODE_SEPARATOR.
  it('a key as decimal character codes written comma-first is not forwarded or relayed', async () => {
    // The leak oracle decodes no code lists: what is asserted is that nothing was sent and the answer was withheld.
    const list = [...KEY_TEXT].map(String).join('\n, ');
    expect({ sent: await forwarded(CHAT, ask(list)), relayed: await screened(CHAT, answer(list)) }).toEqual({
      sent: '',
      relayed: 'null',
    });
  });
  // HOLE (closed, classification/decode-escapes.ts escapeAt): `\DDD` (octal, up to `\377`), `\U` + 8 hex digits and
  // `&#…` without its `;` are decoded like the others.
  // Was (docs/classification.md lists the escapes read): character escapes
  // that C, Python, shell printf and HTML parsers all decode are outside the list read (`\uXXXX`, `\u{X}`,
  // `\xXX`, `&#DDD;`, `&#xHH;`): octal `\101\113…`, eight-digit `\U00000041…`, and numeric references without
  // their `;` (`&#65&#75…`, which HTML decodes) carry a key whole. Fix: decode `\` + 3 octal digits, `\U` + 8 hex
  // digits and `&#` + digits without `;` in decodeEscapes, under the same run and budget rules.
  it.each([
    ['octal escapes', (c: number) => `\\${c.toString(8).padStart(3, '0')}`],
    ['eight-digit \\U escapes', (c: number) => `\\U${c.toString(16).padStart(8, '0')}`],
    ['numeric references without their semicolon', (c: number) => `&#${c}`],
  ])('a key as %s is not forwarded or relayed', async (_name, written) => {
    const text = [...KEY_TEXT].map(written).join('');
    expect({ sent: await forwarded(CHAT, ask(text)), relayed: await screened(CHAT, answer(text)) }).toEqual({
      sent: '',
      relayed: 'null',
    });
  });
  it('control: the run whole, glued after a word of four letters (on its quads), codes comma-last are blocked', async () => {
    expect(await both(encoded(KEY_TEXT))).toEqual([]);
    const list = [...KEY_TEXT].map(String).join(',\n ');
    expect({ sent: await forwarded(CHAT, ask(list)), relayed: await screened(CHAT, answer(list)) }).toEqual({
      sent: '',
      relayed: 'null',
    });
    expect(await both(`AAAA${encoded(KEY_TEXT)}`)).toEqual([]);
  });
});

describe('the decoding budget spent by decoys', () => {
  const decoys = () => '%41aaaaa '.repeat(MAX_DECODED_RUNS + 1);
  const key = Buffer.from(`aws ${AWS.value}`).toString('base64');
  // HOLE (closed, classification/decode.ts createDecodeBudget, spend): the budget grows by a run and four characters
  // per character of the call's texts (no body spends it by decoys), and a run past it fails the call
  // (ERR_DECODE_BUDGET_EXCEEDED: refused, withheld), never left unread.
  // Was (decode.ts MAX_DECODED_RUNS, spend): a classify() call decodes at most 2^18 runs, and
  // a run past the budget is left as it is, unread ("more than a body of the default 4 MiB limit can hold"). A percent
  // run is 8 characters (`%41aaaaa`), so 2^18 of them and a space each are 2.36 MB: a text of decoys, then the key
  // in base64 in the next text, classifies clean. An upstream's answer of two text blocks (decoys, then the key) is
  // relayed under the default configuration (answers may be 32 MiB); a request needs a policy that allows a 2.4 M-token
  // prompt (the default one answers 429 for its token estimate first). Fix: fail closed when the budget runs out with
  // runs left (refuse or withhold as unclassifiable), or size the budget from the body and answer limits.
  it('an answer whose second text block holds a key in base64, after 2^18 decoy runs, is not relayed', async () => {
    const body = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'x',
      content: [
        { type: 'text', text: decoys() },
        { type: 'text', text: `see ${key}` },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
    };
    expect((await screenResponse(adapterFor('anthropic.messages'), classifier, body, RULES)).body).toBeNull();
  }, 60_000);
  it('a request’s second message holding a key in base64, after 2^18 decoy runs, classifies with the key', () => {
    const found = classifier.classify([
      { path: 'messages[0].content', text: decoys() },
      { path: 'messages[1].content', text: key },
    ]);
    expect(found.counts?.types.AWS_ACCESS_KEY ?? 0).toBeGreaterThan(0);
  }, 60_000);
});

describe('a private key without its PEM armor', () => {
  const pkcs8 = (type: 'rsa' | 'ed25519') =>
    (type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      : generateKeyPairSync('ed25519').privateKey
    ).export({ type: 'pkcs8', format: 'pem' }) as string;
  const bodyOf = (pem: string) =>
    pem
      .split('\n')
      .filter((line) => !line.startsWith('-----'))
      .join('\n');
  const outcome = async (text: string) => {
    const ask = { model: 'echo-1', messages: [{ role: 'user', content: text }] };
    const answer = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'x',
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    };
    const relayed = await screened('anthropic.messages', answer, { redact: [], block: ['PRIVATE_KEY'] });
    return { forwarded: (await forwarded(CHAT, ask)).length > 0, relayed: relayed !== 'null' };
  };
  // HOLE (closed, classification/decode-der.ts privateKeyArmor, decode.ts): a base64 run that is not text and opens a
  // DER private key (PKCS#8, PKCS#1, SEC1) reads as its PEM block, so PRIVATE_KEY is found over the run (the
  // recognizer is unchanged).
  // Was (recognizers-secrets.ts PRIVATE_KEY; decode-bytes.ts): a private key is found by its
  // `-----BEGIN … PRIVATE KEY-----` line, and its base64 body decodes to DER (binary, never UTF-8, so never
  // classified). The body alone, the armor lines dropped (a reader adds them back: they are the same for every key),
  // is forwarded and relayed: an RSA PKCS#8 key's 1,600 characters, or an Ed25519 key's 64
  // (`MC4CAQAwBQYDK2VwBCIEI…`). Fix: find base64 DER private keys by their fixed openings (PKCS#8
  // `MII…ADANBgkqhkiG9w0BAQEFAASC`, `MC4CAQAwBQYDK2Vw`; PKCS#1 `MIIE…AgEAAoIBAQ`; SEC1 `MHcCAQEEI`), or decode a
  // base64 run's bytes and read a DER private-key header.
  it.each([
    ['an RSA PKCS#8 key', 'rsa'],
    ['an Ed25519 PKCS#8 key', 'ed25519'],
  ] as const)('%s’s base64 body alone is neither forwarded nor relayed', async (_name, type) => {
    expect(await outcome(bodyOf(pkcs8(type)))).toEqual({ forwarded: false, relayed: false });
  });
  it('control: the same keys with their armor (one with CRLF line ends) are refused and withheld', async () => {
    for (const pem of [pkcs8('rsa'), pkcs8('ed25519').replace(/\n/g, '\r\n')]) {
      expect(await outcome(pem)).toEqual({ forwarded: false, relayed: false });
    }
  });
});

describe('an encoded key cut between two messages (join-decode.ts, 2f8a3b8)', () => {
  const bytes = Buffer.from(`aws ${AWS.value}`);
  const percent = [...bytes].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  const codes = [...bytes].join(',');
  const escapes = [...bytes].map((b) => `\\x${b.toString(16)}`).join('');
  const printable = [...bytes].map((b) => `=${b.toString(16).toUpperCase()}`).join('');
  const base64 = bytes.toString('base64');
  const hex = bytes.toString('hex');
  /** `text` cut `shift` characters after its first `mark` past the 30th character. */
  const cutAfter = (text: string, mark: string, shift: number): [string, string] => {
    const at = text.indexOf(mark, 30) + shift;
    return [text.slice(0, at), text.slice(at)];
  };
  const sent = (first: string, second: string) =>
    forwarded(CHAT, {
      model: 'echo-1',
      messages: [
        { role: 'user', content: first },
        { role: 'user', content: second },
      ],
    });
  // HOLE (closed, classification/join-decode.ts mayCross, tightRun): digits on both sides with a `,`/`;` within 4
  // characters may cross; an alphabet run steps over up to 4 whitespace at the cut (skipped when decoding).
  // Was: a run is decoded across a boundary when a mark
  // (`,` `%` `\` `=` …) is beside it, or the base64/hex alphabet runs on with nothing between. A cut inside a decimal
  // code (`…,7` | `7,81…`) has digits on both sides and no mark, and a base64 or hex run with a line break or a space
  // at the cut (a MIME line per message; `base64 -d` skips both) is no tight run: each half is forwarded (a cut inside
  // a percent, `\x` or quoted-printable escape is found all the same: controls). Fix: in mayCross, read digits on both
  // sides as a possible cut when a mark is within a few characters on either side (the run's own rhythm); in
  // tightRun, step over up to MAX_BOUNDARY_SPACE whitespace when both sides are alphabet runs.
  it.each<[string, [string, string]]>([
    ['decimal codes cut inside a code', cutAfter(codes, ',', 2)],
    ['base64 with a line break at the cut', [`${base64.slice(0, 16)}\n`, base64.slice(16)]],
    ['base64 with a space at the cut', [`${base64.slice(0, 16)} `, base64.slice(16)]],
    ['hex with a line break at the cut', [`${hex.slice(0, 20)}\n`, hex.slice(20)]],
  ])('a key as %s is refused', async (_name, [first, second]) => {
    expect(await sent(first, second)).toBe('');
  });
  it('control: cut at a mark, before one, inside an escape, or inside a tight base64 or hex run, it is refused', async () => {
    const cuts: [string, string][] = [
      cutAfter(percent, '%', 2),
      cutAfter(escapes, '\\', 3),
      cutAfter(printable, '=', 2),
      cutAfter(percent, '%', 1),
      cutAfter(percent, '%', 0),
      cutAfter(codes, ',', 0),
      [base64.slice(0, 16), base64.slice(16)],
      [hex.slice(0, 21), hex.slice(21)],
    ];
    for (const [first, second] of cuts) expect(await sent(first, second)).toBe('');
  });
});
