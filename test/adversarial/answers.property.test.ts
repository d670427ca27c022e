// Closed world, answers: for every API, a recorded answer (and every recorded stream) with arbitrary extra JSON grafted
// anywhere and a secret the default policy blocks planted at a random string position or object key, run through the
// real answer screen (screenResponse) or stream relay (relayStream) with the real classifier: the secret never appears
// in what the client receives. (A planted value is always screened, so the answer is blocked or the field dropped.)
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/classification/index.ts';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { relayStream, type StreamSink } from '../../src/pipeline/stream-relay.ts';
import { createSseDecoder } from '../../src/pipeline/stream-sse.ts';
import { adapterFor, allAdapters, type Api } from '../../src/providers/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(11) });
/** An AWS access key id: in the default policy's response block_types. */
const SECRET = 'AKIAQ3EGUJXVB7WJ4K2P';
const RULES = { redact: ['EMAIL', 'PHONE'], block: ['AWS_ACCESS_KEY'] };
const FIXTURES = new URL('../fixtures/providers/', import.meta.url);
const RUNS = 150;

const fixture = (api: Api, name: string) => readFileSync(new URL(`${api}/${name}`, FIXTURES), 'utf8');
const hasFile = (api: Api, name: string) => existsSync(new URL(`${api}/${name}`, FIXTURES));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Sets an own property, so a key such as `__proto__` is data here exactly as JSON.parse makes it. */
function define(target: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Every place a value can be planted: each string (by its holder and key) and each object (a key is added or renamed).
 */
function slots(
  root: Json,
): { holder: Record<string | number, Json>; key: string | number; kind: 'string' | 'object' }[] {
  const out: ReturnType<typeof slots> = [];
  const visit = (node: Json, holder: Record<string | number, Json> | null, key: string | number | null) => {
    if (typeof node === 'string' && holder !== null && key !== null) out.push({ holder, key, kind: 'string' });
    else if (Array.isArray(node)) node.forEach((item, i) => visit(item, node as unknown as Record<number, Json>, i));
    else if (typeof node === 'object' && node !== null) {
      out.push({ holder: node, key: '', kind: 'object' });
      for (const k of Object.keys(node)) visit(node[k] as Json, node, k);
    }
  };
  visit(root, null, null);
  return out;
}

/** A plan: where extra JSON is grafted, where the secret goes, and how. */
const plan = fc.record({
  graft: fc.option(
    fc.record({
      at: fc.nat(),
      key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'a.b', 'x[0]')),
      value: fc.jsonValue({ maxDepth: 3 }),
    }),
    { nil: undefined },
  ),
  at: fc.nat(),
  offset: fc.nat(),
  how: fc.constantFrom('insert', 'replace', 'new-key', 'rename-key'),
});

type Plan = {
  graft?: { at: number; key: string; value: unknown } | undefined;
  at: number;
  offset: number;
  how: string;
};

/** The body with the plan applied: always carries the secret somewhere (in a string or a key). */
function planted(body: Json, p: Plan): Json {
  const root = structuredClone(body);
  if (p.graft !== undefined) {
    const objects = slots(root).filter((s) => s.kind === 'object');
    const target = objects[p.graft.at % objects.length];
    if (target !== undefined) define(target.holder as Record<string, Json>, p.graft.key, p.graft.value as Json);
  }
  const all = slots(root);
  const slot = all[p.at % all.length] as (typeof all)[number];
  if (slot.kind === 'string') {
    const text = slot.holder[slot.key] as string;
    const cut = p.offset % (text.length + 1);
    slot.holder[slot.key] = p.how === 'replace' ? SECRET : `${text.slice(0, cut)} ${SECRET} ${text.slice(cut)}`;
  } else {
    const object = slot.holder as Record<string, Json>;
    const keys = Object.keys(object);
    const old = keys[p.offset % Math.max(1, keys.length)];
    if (p.how === 'rename-key' && old !== undefined) {
      const value = object[old] as Json;
      delete object[old];
      define(object, `${old} ${SECRET}`, value);
    } else {
      define(object, SECRET, p.offset % 2 === 0 ? 'v' : { nested: [1, 'x'] });
    }
  }
  return root;
}

describe.each(allAdapters().map((a) => [a.api] as const))('answers of %s', (api) => {
  const adapter = adapterFor(api);
  const base = JSON.parse(fixture(api, 'plain.json')) as Json;

  it('never hands the client a planted secret (non-streaming)', async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (p) => {
        const body = planted(base, p);
        expect(JSON.stringify(body)).toContain(SECRET);
        const screened = await screenResponse(adapter, classifier, body, RULES);
        expect(JSON.stringify(screened.body ?? null)).not.toContain(SECRET);
        expect(screened.blocked).not.toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('relays the recorded answer itself unblocked (no false positive on ids and models)', async () => {
    expect((await screenResponse(adapter, classifier, base, RULES)).blocked).toBeNull();
  });

  for (const name of ['streaming.sse', 'tool-calls.sse']) {
    if (adapter.openStream === null || !hasFile(api, name)) continue;
    const manifest = JSON.parse(fixture(api, 'manifest.json')) as { request: Record<string, unknown> };
    const request = adapter.parse(Buffer.from(JSON.stringify({ ...manifest.request, stream: true })));
    const events = createSseDecoder().push(Buffer.from(fixture(api, name), 'utf8'));

    const relay = async (list: readonly { event: string | null; data: string }[]) => {
      const sse = list.map((e) => `${e.event === null ? '' : `event: ${e.event}\n`}data: ${e.data}\n\n`).join('');
      async function* upstream() {
        yield Buffer.from(sse, 'utf8');
      }
      let out = '';
      const sink: StreamSink = {
        open: () => {},
        write: async (t) => void (out += t),
        end: () => {},
        signal: new AbortController().signal,
      };
      const session = (adapter.openStream as NonNullable<typeof adapter.openStream>)(request);
      const result = await relayStream({
        events: upstream(),
        session,
        sink,
        classifier,
        rules: RULES,
        estimatedPromptTokens: 1,
      });
      return { result, out: out + (result.finalEvent === null ? '' : JSON.stringify(result.finalEvent)) };
    };

    it(`relays ${name} itself whole`, async () => {
      expect((await relay(events)).result.error).toBeNull();
    });

    it(`never hands the client a secret planted in any event of ${name}`, async () => {
      const jsonEvents = events.map((e, i) => [e, i] as const).filter(([e]) => e.data !== '[DONE]');
      await fc.assert(
        fc.asyncProperty(fc.nat(), plan, async (which, p) => {
          const [event, index] = jsonEvents[which % jsonEvents.length] as (typeof jsonEvents)[number];
          const data = JSON.stringify(planted(JSON.parse(event.data) as Json, p));
          const list = events.map((e, i) => (i === index ? { event: e.event, data } : e));
          const { result, out } = await relay(list);
          expect(out).not.toContain(SECRET);
          // Screened and blocked, refused as a shape the session cannot read, or dropped as an unknown field.
          expect([null, 'ERR_RESPONSE_BLOCKED', 'ERR_UPSTREAM_BAD_RESPONSE']).toContain(result.error);
        }),
        { numRuns: RUNS },
      );
    });
  }
});
