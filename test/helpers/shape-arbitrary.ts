// Test helper: fast-check arbitraries derived from an adapter's own request shape (src/providers/shape.ts), so a
// property test generates any body the adapter accepts, and the places in it where an attacker can put a value.
import fc from 'fast-check';
import type { ObjectShape, Shape } from '../../src/providers/index.ts';

const SMALL = 3;

/** Values of `shape`; bodies from it may still be refused by cross-field rules (checks), which tests count. */
export function arbitraryOf(shape: Shape, depth = 0): fc.Arbitrary<unknown> {
  switch (shape.kind) {
    case 'text':
      return shape.pattern ? fc.stringMatching(shape.pattern, { size: 'xsmall' }) : fc.string({ maxLength: 12 });
    case 'enum':
      return fc.constantFrom(...shape.values);
    case 'number':
      return shape.integer
        ? fc.integer({ min: Math.max(shape.min, -1_000_000), max: Math.min(shape.max, 1_000_000) })
        : fc.double({ min: shape.min, max: shape.max, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(arbitraryOf(shape.of, depth + 1), {
        minLength: shape.min,
        maxLength: Math.min(shape.max, shape.min + SMALL),
      });
    case 'map':
      return fc.dictionary(fc.stringMatching(shape.key, { size: 'xsmall' }), arbitraryOf(shape.of, depth + 1), {
        maxKeys: SMALL,
      });
    case 'object':
      return objectOf(shape, shape.required);
    case 'variant':
      return fc.oneof(...Object.values(shape.variants).map((v) => objectOf(v, [...v.required, shape.tag])));
    case 'json': {
      // Property names that shapes refuse (path-ambiguous or prototype names) are tested on their own, not here.
      const key = fc
        .string({ maxLength: 8 })
        .map((k) => k.replace(/[.[\]]/g, '_') || 'k')
        .filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));
      const value = fc.letrec<{ v: unknown }>((tie) => ({
        v: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          fc.string({ maxLength: 8 }),
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
          fc.array(tie('v'), { maxLength: SMALL }),
          fc.dictionary(key, tie('v'), { maxKeys: SMALL }),
        ),
      })).v;
      return shape.object ? fc.dictionary(key, value, { maxKeys: SMALL }) : value;
    }
    case 'either':
      return fc.oneof(...shape.options.filter((o) => o.kind !== 'refuse').map((o) => arbitraryOf(o, depth)));
    case 'refuse':
      return fc.constant(null);
  }
}

/** Objects of `shape` that pass its cross-field rules (checked on a copy: a check may normalise what it is given). */
function objectOf(shape: ObjectShape, required: readonly string[]): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(Object.entries(shape.fields).map(([k, s]) => [k, arbitraryOf(s)]));
  const record = fc.record(fields, { requiredKeys: [...new Set(required)] });
  const check = shape.check;
  if (check === undefined) return record;
  return record.filter((value) => {
    try {
      check(structuredClone(value), '');
      return true;
    } catch {
      return false;
    }
  });
}

/** Where a planted value goes: a string value (replaced or wrapped), a new key, or an existing key renamed. */
export type Plant = { at: number; how: 'replace' | 'wrap' | 'add-key' | 'rename-key' };

/** A copy of `body` with `secret` planted at the `plant.at`-th place of its kind (modulo their count). */
export function plantSecret(body: unknown, secret: string, plant: Plant): unknown {
  const copy = structuredClone(body);
  const strings: { holder: Record<string | number, unknown>; key: string | number }[] = [];
  const objects: Record<string, unknown>[] = [];
  const visit = (node: unknown, holder: Record<string | number, unknown> | null, key: string | number | null) => {
    if (typeof node === 'string' && holder !== null && key !== null) strings.push({ holder, key });
    else if (Array.isArray(node)) node.forEach((item, i) => visit(item, node as unknown as Record<number, unknown>, i));
    else if (typeof node === 'object' && node !== null) {
      objects.push(node as Record<string, unknown>);
      for (const [k, v] of Object.entries(node)) visit(v, node as Record<string, unknown>, k);
    }
  };
  visit(copy, null, null);
  if ((plant.how === 'replace' || plant.how === 'wrap') && strings.length > 0) {
    const target = strings[plant.at % strings.length] as (typeof strings)[number];
    target.holder[target.key] = plant.how === 'replace' ? secret : `see ${secret} here`;
    return copy;
  }
  const object = objects[plant.at % objects.length] as Record<string, unknown>;
  const keys = Object.keys(object);
  if (plant.how === 'rename-key' && keys.length > 0) {
    const old = keys[plant.at % keys.length] as string;
    object[secret] = object[old];
    delete object[old];
  } else {
    // The value holds it too: a finding under a client-chosen key must not put the key into a record's path.
    object[secret] = secret;
  }
  return copy;
}

export const plantArbitrary: fc.Arbitrary<Plant> = fc.record({
  at: fc.nat({ max: 10_000 }),
  how: fc.constantFrom('replace', 'wrap', 'add-key', 'rename-key'),
});
