// Property: a secret planted anywhere in a tool call's arguments (as a value at any depth, inside a longer string, or
// as a property name) never reaches the upstream and never enters a record; the same arguments without it are
// forwarded exactly as sent. Real classifier and default bundle; fakes only at the ledger and upstream seams.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyEngine } from '../../src/policy/index.ts';
import { defaultEngine, harness } from '../helpers/mcp-harness.ts';

const SECRET = 'AKIAQ7ZR4HLXW2B5NC3D';
let engine: PolicyEngine;

beforeAll(async () => {
  engine = await defaultEngine();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Puts `SECRET` at the k-th object or array (depth first) as a value, inside a string, or as a key; else at the top.
 */
function plant(value: Json, k: number, how: 'value' | 'text' | 'key'): Json {
  let seen = 0;
  let done = false;
  const put = (node: Json): Json => {
    if (node === null || typeof node !== 'object') return node;
    const here = seen++ === k && !done;
    if (Array.isArray(node)) {
      const items = node.map(put);
      if (here) {
        done = true;
        items.push(how === 'key' ? { [SECRET]: 1 } : how === 'text' ? `note: ${SECRET} end` : SECRET);
      }
      return items;
    }
    const out: { [key: string]: Json } = {};
    for (const [key, child] of Object.entries(node))
      Object.defineProperty(out, key, { value: put(child), enumerable: true, writable: true, configurable: true });
    if (here) {
      done = true;
      const slot = how === 'key' ? SECRET : `planted_${k}`;
      out[slot] = how === 'key' ? 'x' : how === 'text' ? `note: ${SECRET} end` : SECRET;
    }
    return out;
  };
  const planted = put(value);
  if (done) return planted;
  return { ...(planted as object), [how === 'key' ? SECRET : 'top']: how === 'key' ? 'x' : SECRET };
}

/** Keys the walk accepts: not empty, no '.', '[' or ']' (a path must name one string), no prototype names. */
function safeKeys(value: Json): Json {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(safeKeys);
  const out: { [key: string]: Json } = {};
  for (const [key, child] of Object.entries(value)) {
    const safe = key.replace(/[.[\]]/g, '_');
    const name = safe === '' || ['__proto__', 'constructor', 'prototype'].includes(safe) ? `k_${safe}` : safe;
    Object.defineProperty(out, name, { value: safeKeys(child), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const argumentsArb = fc
  .dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, {
    maxKeys: 5,
  })
  .map((args) => safeKeys(args) as { [key: string]: Json });

describe('MCP arguments: a planted secret never leaves', () => {
  it('is refused wherever it is, and the record never holds it', async () => {
    await fc.assert(
      fc.asyncProperty(
        argumentsArb,
        fc.nat(20),
        fc.constantFrom('value', 'text', 'key') as fc.Arbitrary<'value' | 'text' | 'key'>,
        async (args, k, how) => {
          const h = harness(engine);
          const planted = plant(args, k, how);
          const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'lookup', arguments: planted } };
          const reply = await h.handle(body, await h.session());
          expect(h.calls).toEqual([]);
          expect(JSON.stringify(h.appended)).not.toContain(SECRET);
          expect(h.appended.map((r) => r.type)).toEqual(['decision']);
          expect((reply.body as { error?: unknown }).error).toBeDefined();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('forwards arguments without it exactly as sent, when the classifier finds nothing', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(argumentsArb, async (args) => {
        const h = harness(engine);
        const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'lookup', arguments: args } };
        const reply = await h.handle(body, await h.session());
        const decision = h.appended[0]?.body as { classification?: { finding_count: number } } | undefined;
        if (decision?.classification?.finding_count === 0) {
          checked++;
          // As the wire carries them: JSON has no -0 (fast-check's jsonValue draws it; JSON.stringify writes 0).
          expect(h.forwarded).toEqual([JSON.parse(JSON.stringify(args))]);
          expect((reply.body as { result?: unknown }).result).toBeDefined();
        }
      }),
      { numRuns: 100 },
    );
    expect(checked).toBeGreaterThan(80); // random arguments rarely hold a finding: most runs forward
  });
});
