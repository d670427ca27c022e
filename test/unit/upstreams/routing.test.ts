// Model → upstream routing and the decision's restriction: order kept, never outside the allowed set.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apiFamily, candidatesFor, modelPatternMatches, restrict } from '../../../src/upstreams/index.ts';
import { registryOf, upstreamSettings } from '../../helpers/upstreams.ts';

const a = upstreamSettings({ name: 'a', models: ['gpt-4o-mini', 'gpt-4o'] });
const b = upstreamSettings({ name: 'b' });
const c = upstreamSettings({ name: 'c', kind: 'gateway', apis: ['openai', 'anthropic'] });
const claude = upstreamSettings({ name: 'claude', kind: 'anthropic', apis: ['anthropic'] });

describe('model patterns', () => {
  it.each([
    ['gpt-4o', 'gpt-4o', true],
    ['gpt-4o', 'gpt-4o-mini', false],
    ['gpt-4o*', 'gpt-4o-mini', true],
    ['gpt-4o*', 'gpt-4o', true],
    ['*', 'anything', true],
    ['*-mini', 'gpt-4o-mini', true],
    ['*-mini', 'gpt-4o', false],
    ['gpt-*-mini', 'gpt-4.1-mini', true],
    ['gpt-*-mini', 'gpt-mini', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false],
  ])('%s matches %s: %s', (pattern, model, expected) => {
    expect(modelPatternMatches(pattern, model)).toBe(expected);
  });

  it('agrees with an anchored regular expression for any pattern and model', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '-', '*'), maxLength: 8 });
    fc.assert(
      fc.property(text, fc.string({ unit: fc.constantFrom('a', 'b', '-'), maxLength: 8 }), (pattern, model) => {
        const regex = new RegExp(
          `^${pattern
            .split('*')
            .map((p) => p.replace(/[-]/g, '\\-'))
            .join('.*')}$`,
        );
        expect(modelPatternMatches(pattern, model)).toBe(regex.test(model));
      }),
    );
  });
});

describe('routing', () => {
  const table = {
    routes: [
      { model: 'gpt-4o*', api: null, upstreams: ['c', 'a'] },
      { model: 'claude-*', api: 'anthropic' as const, upstreams: ['claude', 'c'] },
    ],
    default: null,
  };

  it('takes the first matching route, in its order, keeping only upstreams that serve the API and model', () => {
    expect(candidatesFor([a, b, c, claude], table, 'openai', 'gpt-4o').map((u) => u.name)).toEqual(['c', 'a']);
    // a does not serve it
    expect(candidatesFor([a, b, c, claude], table, 'openai', 'gpt-4o-2024').map((u) => u.name)).toEqual(['c']);
    expect(candidatesFor([a, b, c, claude], table, 'anthropic', 'claude-sonnet').map((u) => u.name)).toEqual([
      'claude',
      'c',
    ]);
  });

  it('without a matching route uses the default list, or else every upstream that serves the request in config order', () => {
    expect(candidatesFor([a, b, c, claude], table, 'openai', 'o3').map((u) => u.name)).toEqual(['b', 'c']);
    expect(
      candidatesFor([a, b, c, claude], { ...table, default: ['c', 'b'] }, 'openai', 'o3').map((u) => u.name),
    ).toEqual(['c', 'b']);
    // a route for another API family does not match
    expect(candidatesFor([a, b, c, claude], table, 'openai', 'claude-sonnet').map((u) => u.name)).toEqual(['b', 'c']);
  });

  it("restricts to the decision's allowed set in routing order and never adds a name", () => {
    expect(restrict([c, a, b], ['b', 'c']).map((u) => u.name)).toEqual(['c', 'b']);
    expect(restrict([c, a], ['zzz'])).toEqual([]);
    fc.assert(
      fc.property(fc.subarray(['a', 'b', 'c', 'x', 'y']), (allowed) => {
        const routed = restrict([a, b, c], allowed);
        expect(routed.every((u) => allowed.includes(u.name))).toBe(true);
      }),
    );
  });

  it('goes through the registry by API identifier, and refuses an API of no known family', () => {
    const registry = registryOf([a, b, c, claude], { routes: table.routes });
    expect(registry.route('openai.chat_completions', 'gpt-4o', ['a', 'b']).map((u) => u.name)).toEqual(['a']);
    expect(registry.route('anthropic.messages', 'claude-haiku', ['c', 'claude']).map((u) => u.name)).toEqual([
      'claude',
      'c',
    ]);
    expect(apiFamily('openai.embeddings')).toBe('openai');
    expect(() => apiFamily('bedrock.converse')).toThrow(/no known API family/);
  });
});
