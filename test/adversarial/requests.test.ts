// The request side, as an attacker tries it, through the real pipeline against a recording upstream: a US SSN (the
// default policy denies national ids) and an AWS key (denied as a secret) planted in every field of all five APIs,
// in unknown keys and in object keys, streamed and not; prototype keys; encodings and separators that evade the
// recognizers; and objects nested deep enough to cost. The rule under test (issue 14, closed world): a request is
// refused, or the value is absent from every byte the upstream received. Never a crash.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { allFragmentsIn, AWS_KEY, EMAIL, leaksIn, SSN, views, type Planted } from './leaks.ts';
import { PLANTS } from './request-plants.ts';
import {
  deeplyNested,
  deepToolParameters,
  promptBody,
  splitAcrossParts,
  splitAcrossTexts,
  splitAcrossTurns,
  withRawMember,
} from './request-bodies.ts';
import { RETAINING, startAdversarialStack, type AdversarialStack, type ApiName, type Exchange } from './stack.ts';

// Each case waits mostly on I/O (the ledger's group commit, the upstream): more of them in flight keeps the file fast.
vi.setConfig({ maxConcurrency: 16 });

let stack: AdversarialStack;

beforeAll(async () => {
  stack = await startAdversarialStack('requests');
});
afterAll(async () => {
  await stack?.close();
});

const APIS: readonly ApiName[] = ['chat', 'completions', 'embeddings', 'responses', 'messages'];
const STREAMS: Record<ApiName, boolean> = {
  chat: true,
  completions: true,
  embeddings: false,
  responses: true,
  messages: true,
};

/** What reached the upstream for this exchange, headers and body, as text. */
function upstreamText(x: Exchange): string {
  return x.upstream.map((r) => `${JSON.stringify(r.headers)}\n${r.body.toString('utf8')}`).join('\n');
}

/** Refused, or forwarded without the value; never a server error (a redaction that cannot be applied is a refusal). */
function expectNoLeak(x: Exchange, leaked: (sent: string) => boolean): void {
  const sent = upstreamText(x);
  const crashed = x.status >= 500 && !x.body.includes('ERR_REDACTION_FAILED');
  expect({ status: x.status, crashed, leakedUpstream: leaked(sent) }).toMatchObject({
    crashed: false,
    leakedUpstream: false,
  });
}

const leakOf = (secret: Planted) => (sent: string) => leaksIn(sent, [secret]).length > 0;

describe('the leak oracle', () => {
  it('finds a value in its raw form and in the encodings a suite looks for', () => {
    const value = SSN.value;
    const found = (text: string) => leaksIn(text, [SSN]).length > 0;
    expect(found(`{"a":"${value}"}`)).toBe(true);
    expect(found(JSON.stringify({ a: '219\u201109\u20119999' }))).toBe(true);
    expect(found(JSON.stringify({ a: '\u0662\u0661\u0669-\u0660\u0669-\u0669\u0669\u0669\u0669' }))).toBe(true);
    expect(found('{"a":"2\\u00001\\u00009-09-9999"}')).toBe(true);
    expect(found(Buffer.from(`ssn ${value}`).toString('base64'))).toBe(true);
    expect(found(`x${Buffer.from(`my ssn: ${value}`).toString('hex')}`)).toBe(true);
    expect(found('219%2D09%2D9999')).toBe(true);
    expect(found('{"a":"219-09-9998"}')).toBe(false);
    expect(leaksIn(`glued${AWS_KEY.value}word`, [AWS_KEY])).toEqual([AWS_KEY.label]);
    expect(views('plain').length).toBeGreaterThan(0);
  });
});

describe.concurrent('controls: a benign request on each API is forwarded and answered (refusals below are not an artefact)', () => {
  for (const api of APIS) {
    for (const stream of STREAMS[api] ? [false, true] : [false]) {
      it(`${api}${stream ? ' (stream)' : ''}`, async () => {
        const x = await stack.send(api, { ...promptBody(api, 'hello there'), ...(stream ? { stream: true } : {}) });
        expect({ status: x.status, forwarded: x.upstream.length }).toEqual({ status: 200, forwarded: 1 });
      });
    }
  }
});

describe('GET /v1/models with upstreams configured as models: ["*"]', () => {
  it('lists what the policy allows each caller, named by routing and pricing, never a wildcard', async () => {
    expect(await stack.models([])).toEqual(['echo-1']);
    expect(await stack.models(RETAINING.groups)).toEqual(['echo-1', RETAINING.model]);
  });
});

describe.concurrent('controls: a harmless value in a field the API really has is forwarded, carried upstream', () => {
  for (const plant of PLANTS) {
    const benign = plant.benign;
    if (benign === undefined) continue;
    it(`${plant.api} ${plant.where}: ${benign}`, async () => {
      const x = await stack.send(plant.api, plant.body(benign));
      expect({ status: x.status, forwarded: x.upstream.length, carried: upstreamText(x).includes(benign) }).toEqual({
        status: 200,
        forwarded: 1,
        carried: true,
      });
    });
  }
});

describe.concurrent('a value planted in any field, unknown key or object key never reaches the upstream', () => {
  for (const plant of PLANTS) {
    for (const secret of [SSN, AWS_KEY]) {
      // A stream request is built by the same adapter: streamed once, with the key, is enough to cover it.
      for (const stream of STREAMS[plant.api] && secret === AWS_KEY ? [false, true] : [false]) {
        it(`${plant.api} ${plant.where}: ${secret.label}${stream ? ' (stream)' : ''}`, async () => {
          const body = { ...plant.body(secret.value), ...(stream ? { stream: true } : {}) };
          expectNoLeak(await stack.send(plant.api, body), leakOf(secret));
        });
      }
    }
  }
});

describe.concurrent('redaction: an e-mail address in any field never reaches an upstream without retention raw', () => {
  const retaining = { groups: RETAINING.groups };
  it('control: a prompt with an address is forwarded with a placeholder', async () => {
    const x = await stack.send(
      'chat',
      { ...promptBody('chat', `mail ${EMAIL.value}`), model: RETAINING.model },
      retaining,
    );
    expect({ status: x.status, placeholder: upstreamText(x).includes('[EMAIL_1]') }).toEqual({
      status: 200,
      placeholder: true,
    });
  });
  for (const plant of PLANTS) {
    it(`${plant.api} ${plant.where}`, async () => {
      const body = { ...plant.body(EMAIL.value), model: RETAINING.model };
      expectNoLeak(await stack.send(plant.api, body, retaining), leakOf(EMAIL));
    });
  }
});

describe.concurrent('prototype keys are refused with 400, never forwarded, never a crash', () => {
  const keys = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'prototype'];
  for (const api of APIS) {
    for (const key of keys) {
      for (const place of ['top', 'nested'] as const) {
        it(`${api}: ${key} (${place})`, async () => {
          const value = key === '__proto__' || key === 'prototype' ? '{"polluted":"219-09-9999"}' : '"219-09-9999"';
          const x = await stack.send(api, withRawMember(api, place, key, value));
          expect({ status: x.status, forwarded: x.upstream.length }).toEqual({ status: 400, forwarded: 0 });
          expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
        });
      }
    }
  }
});

const SEPARATED: readonly [string, string][] = [
  ['dots', '219.09.9999'],
  ['slashes', '219/09/9999'],
  ['underscores', '219_09_9999'],
  ['spaces between every digit', '2 1 9 0 9 9 9 9 9'],
  ['newlines', '219\n09\n9999'],
  ['en-dash', '219\u201309\u20139999'],
  ...['\u2010', '\u2011', '\u2012', '\u2014', '\u2015'].map((dash): [string, string] => [
    `U+${dash.codePointAt(0)?.toString(16).toUpperCase()}`,
    `219${dash}09${dash}9999`,
  ]),
  ['fullwidth hyphen', '219\uff0d09\uff0d9999'],
  ['Arabic-Indic digits', '\u0662\u0661\u0669-\u0660\u0669-\u0669\u0669\u0669\u0669'],
  ['Extended Arabic-Indic digits', '\u06f2\u06f1\u06f9-\u06f0\u06f9-\u06f9\u06f9\u06f9\u06f9'],
  ['Devanagari digits', '\u0968\u0967\u096f-\u0966\u096f-\u096f\u096f\u096f\u096f'],
  ['fullwidth digits', '\uff12\uff11\uff19-\uff10\uff19-\uff19\uff19\uff19\uff19'],
  ['a NUL inside', '219-0\u00009-9999'],
  ['a control character inside', '219-09-99\u000799'],
  ['a zero-width space inside', '219-09\u200b-9999'],
  ['a soft hyphen as separator', '219\u00ad09\u00ad9999'],
  ['base64', Buffer.from(`ssn ${SSN.value}`).toString('base64')],
  ['hex', Buffer.from(`ssn ${SSN.value}`).toString('hex')],
  ['percent-encoding', '219%2D09%2D9999'],
];

describe.concurrent('evasions: a value written to slip past the recognizers is still refused', () => {
  for (const api of APIS) {
    for (const [name, variant] of SEPARATED) {
      it(`${api}: SSN with ${name}`, async () => {
        expectNoLeak(await stack.send(api, promptBody(api, `my ssn is ${variant} thanks`)), leakOf(SSN));
      });
    }
    it(`${api}: AWS key glued to a word`, async () => {
      expectNoLeak(await stack.send(api, promptBody(api, `use password${AWS_KEY.value}please`)), leakOf(AWS_KEY));
    });
    it(`${api}: AWS key base64-encoded`, async () => {
      expectNoLeak(
        await stack.send(api, promptBody(api, `key ${Buffer.from(`aws ${AWS_KEY.value}`).toString('base64')}`)),
        leakOf(AWS_KEY),
      );
    });
    it(`${api}: SSN split across two texts`, async () => {
      const x = await stack.send(api, splitAcrossTexts(api, 'my ssn is 219-09-', '9999 ok'));
      expectNoLeak(x, (sent) => allFragmentsIn(sent, ['219-09-', '9999']));
    });
    it(`${api}: AWS key split across two texts`, async () => {
      const x = await stack.send(
        api,
        splitAcrossTexts(api, `aws key ${AWS_KEY.value.slice(0, 10)}`, `${AWS_KEY.value.slice(10)} ok`),
      );
      expectNoLeak(x, (sent) => allFragmentsIn(sent, [AWS_KEY.value.slice(0, 10), AWS_KEY.value.slice(10)]));
    });
    const turns = splitAcrossTurns(api, 'my ssn is 219-09-', '9999 ok');
    if (turns) {
      it(`${api}: SSN split across two user turns with an assistant turn between`, async () => {
        expectNoLeak(await stack.send(api, turns), (sent) => allFragmentsIn(sent, ['219-09-', '9999']));
      });
    }
    const parts = splitAcrossParts(api, 'my ssn is 219-09-', '9999 ok');
    if (parts) {
      it(`${api}: SSN split across two content parts`, async () => {
        expectNoLeak(await stack.send(api, parts), (sent) => allFragmentsIn(sent, ['219-09-', '9999']));
      });
    }
  }
});

describe.concurrent('other channels: headers, the query string, the model name, duplicate keys, raw bytes', () => {
  const headerNames = [
    'x-note',
    'openai-organization',
    'openai-project',
    'anthropic-beta',
    'user-agent',
    'x-stainless-lang',
  ];
  for (const api of APIS) {
    for (const secret of [SSN, AWS_KEY]) {
      it(`${api}: ${secret.label} in client headers`, async () => {
        const headers = Object.fromEntries(headerNames.map((h) => [h, `v ${secret.value}`]));
        expectNoLeak(await stack.send(api, promptBody(api, 'hello'), { headers }), leakOf(secret));
      });
      it(`${api}: ${secret.label} in the query string`, async () => {
        const query = `?note=${encodeURIComponent(secret.value)}&${encodeURIComponent(secret.value)}=1`;
        expectNoLeak(await stack.send(api, promptBody(api, 'hello'), { query }), leakOf(secret));
      });
      it(`${api}: ${secret.label} as the model name`, async () => {
        expectNoLeak(await stack.send(api, { ...promptBody(api, 'hello'), model: secret.value }), leakOf(secret));
      });
      it(`${api}: ${secret.label} in a duplicate key (first, then last)`, async () => {
        const clean = JSON.stringify(promptBody(api, 'hello')).slice(1, -1);
        const dirty = JSON.stringify(promptBody(api, `my value ${secret.value}`)).slice(1, -1);
        expectNoLeak(await stack.send(api, `{${dirty},${clean}}`), leakOf(secret));
        expectNoLeak(await stack.send(api, `{${clean},${dirty}}`), leakOf(secret));
      });
    }
    it(`${api}: a body sent as text/plain is refused, not forwarded`, async () => {
      const x = await stack.send(api, promptBody(api, 'hello'), { headers: { 'content-type': 'text/plain' } });
      expect({ status: x.status, forwarded: x.upstream.length }).toEqual({ status: 400, forwarded: 0 });
    });
    it(`${api}: SSN with an invalid UTF-8 byte inside`, async () => {
      const [head, tail] = JSON.stringify(promptBody(api, 'my ssn is 219-09-@9999')).split('@');
      const bytes = Buffer.concat([Buffer.from(head ?? ''), Buffer.from([0xff]), Buffer.from(tail ?? '')]);
      expectNoLeak(await stack.send(api, bytes), leakOf(SSN));
    });
    it(`${api}: SSN written with JSON escapes`, async () => {
      const escaped = [...'219-09-9999'].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
      expectNoLeak(
        await stack.send(api, JSON.stringify(promptBody(api, '@')).replace('@', `my ssn is ${escaped}`)),
        leakOf(SSN),
      );
    });
    it(`${api}: a byte-order mark before the body`, async () => {
      expectNoLeak(await stack.send(api, `\uFEFF${JSON.stringify(promptBody(api, `ssn ${SSN.value}`))}`), leakOf(SSN));
    });
  }
});

// Not recorded as allowed and then blamed on the upstream (a 502): refused at parse, by the depth limit.
describe('cost: a deeply nested object is refused with 400 by the depth limit', () => {
  const cases: [string, ApiName, () => string][] = [
    ...APIS.map((api): [string, ApiName, () => string] => [
      `${api}: 10,000 levels in its schema-like field`,
      api,
      () => deeplyNested(api, 10_000),
    ]),
    ['chat: 100,000 levels in response_format', 'chat', () => deeplyNested('chat', 100_000)],
    ['messages: 100,000 levels in input_schema', 'messages', () => deeplyNested('messages', 100_000)],
    ...(['chat', 'responses', 'messages'] as const).map((api): [string, ApiName, () => string] => [
      `${api}: tool parameters 10,000 levels deep`,
      api,
      () => deepToolParameters(api, 10_000),
    ]),
  ];
  for (const [name, api, body] of cases) {
    it(name, async () => {
      const x = await stack.send(api, body());
      // Refused while the adapter walks the body: by the depth limit, or (completions, embeddings: no object is
      // accepted there) at the first level. Bounded work by construction; time is a bench's job, not a test's.
      const atParse = /nested deeper than|is not an accepted key here|has a type that is not accepted here/.test(
        x.body,
      );
      expect({ status: x.status, forwarded: x.upstream.length, atParse }).toEqual({
        status: 400,
        forwarded: 0,
        atParse: true,
      });
    });
  }
});

describe('zero leaks', () => {
  it('no planted value, in any encoding, is in any byte the upstream received', () => {
    const leaked = leaksIn(stack.upstream.bytes(), [SSN, AWS_KEY, EMAIL]);
    expect(leaked).toEqual([]);
  });
  it('no planted value is in any ledger record or log line, and the ledger verifies with the public key alone', async () => {
    expect({
      records: leaksIn(await stack.records(), [SSN, AWS_KEY, EMAIL]),
      logs: leaksIn(stack.logText(), [SSN, AWS_KEY, EMAIL]),
    }).toEqual({
      records: [],
      logs: [],
    });
    expect(await stack.verify()).toEqual({ code: 0, ok: true });
  });
});
