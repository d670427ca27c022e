// Closed world, a key split over two places side by side in an answer's JSON text: for every API's recorded answer,
// each pair of adjacent places (every property name and string, in document order) and each pair with one place
// between holds a key's halves, one a place, through the real answer screen with the real classifier: the client never
// receives both halves (answer-document-order.ts; a label refused as not closed is withheld too). The same for a
// request's free-form JSON (a tool call's input): the upstream never receives both (classification/document-pairs.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/classification/index.ts';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { adapterFor, allAdapters } from '../../src/providers/index.ts';
import { recordingPipeline } from './recording-pipeline.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(11) });
const HALVES = ['AKIAZ3MQWX', 'R5TLPB6Y7N'] as const;
const RULES = { redact: ['EMAIL', 'PHONE'], block: ['AWS_ACCESS_KEY'] };
const FIXTURES = new URL('../fixtures/providers/', import.meta.url);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A place: a property name (by its object and key) or a string (by its holder and key). */
type Place = { holder: Record<string | number, Json>; key: string | number; name: boolean };

/** The places of `root` in document order: each name, then what its value holds. */
function places(root: Json): Place[] {
  const out: Place[] = [];
  const visit = (node: Json, holder: Record<string | number, Json> | null, key: string | number | null) => {
    if (typeof node === 'string' && holder !== null && key !== null) out.push({ holder, key, name: false });
    else if (Array.isArray(node)) node.forEach((item, i) => visit(item, node as unknown as Record<number, Json>, i));
    else if (typeof node === 'object' && node !== null) {
      for (const k of Object.keys(node)) {
        out.push({ holder: node, key: k, name: true });
        visit(node[k] as Json, node, k);
      }
    }
  };
  visit(root, null, null);
  return out;
}

/** Writes `text` at place `i` of `root` (a name renamed where it stands: the object's order kept). */
function plant(root: Json, i: number, text: string): void {
  const place = places(root)[i] as Place;
  if (!place.name) {
    place.holder[place.key] = text;
    return;
  }
  const object = place.holder as Record<string, Json>;
  const entries = Object.entries(object).map(([k, v]) => [k === place.key ? text : k, v] as const);
  for (const k of Object.keys(object)) delete object[k];
  for (const [k, v] of entries) {
    Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
}

describe.each(allAdapters().map((a) => [a.api] as const))('a key over two places side by side in %s', (api) => {
  const base = JSON.parse(readFileSync(new URL(`${api}/plain.json`, FIXTURES), 'utf8')) as Json;
  const count = places(base).length;
  it.each([1, 2])('is never relayed whole (places %i apart)', async (distance) => {
    const relayed: number[] = [];
    for (let i = 0; i + distance < count; i += 1) {
      const body = structuredClone(base);
      plant(body, i + distance, HALVES[1]);
      plant(body, i, HALVES[0]);
      const out = JSON.stringify((await screenResponse(adapterFor(api), classifier, body, RULES)).body ?? null);
      if (HALVES.every((half) => out.includes(half))) relayed.push(i);
    }
    expect({ count, relayed }).toEqual({ count, relayed: [] });
  });
});

describe('a key over two places side by side in a request’s tool input', () => {
  const input: Json = {
    city: 'Paris',
    days: 3,
    filters: { kind: 'hotel', max_price: 200, tags: ['quiet', 'central'], near: { station: 'Nord' } },
    note: 'late arrival',
    flags: null,
  };
  const request = (tool: Json) => ({
    model: 'echo-1',
    max_tokens: 5,
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: tool }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
    ],
  });
  const count = places(input).length;
  it.each([1, 2])('is never forwarded whole (places %i apart)', async (distance) => {
    const { handler, sent } = await recordingPipeline();
    const forwarded: number[] = [];
    for (let i = 0; i + distance < count; i += 1) {
      const tool = structuredClone(input);
      plant(tool, i + distance, HALVES[1]);
      plant(tool, i, HALVES[0]);
      sent.length = 0;
      const body = new TextEncoder().encode(JSON.stringify(request(tool)));
      await handler.handle({ requestId: `adjacent-${i}`, api: 'anthropic.messages', headers: {}, body });
      const out = sent.join('\n');
      if (HALVES.every((half) => out.includes(half))) forwarded.push(i);
    }
    expect({ count, forwarded }).toEqual({ count, forwarded: [] });
  });
});
