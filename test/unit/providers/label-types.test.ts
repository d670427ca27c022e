// label-types.ts against the SDKs it was read from: every closed-token `type` their definitions name, no more, no less
// (an SDK update that adds a block, item or event type fails here, naming it); and none begins a vendor's key.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SDK_TYPES } from '../../../src/providers/label-types.ts';

const MODULES = fileURLToPath(new URL('../../../node_modules/', import.meta.url));
const ROOTS = ['openai/resources', '@anthropic-ai/sdk/resources'];
const TOKEN = /^[a-z][a-z_.]{0,63}$/;

function definitions(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? definitions(join(dir, e.name)) : e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** `type: 'a'`, `type?: 'a' | 'b'` (unions over lines too) in every definition file. */
function sdkTypes(): string[] {
  const out = new Set<string>();
  for (const root of ROOTS)
    for (const file of definitions(join(MODULES, root))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\btype\??:\s*((?:\|?\s*'[^'\n]*'\s*)+)/g))
        for (const v of (m[1] as string).matchAll(/'([^'\n]*)'/g))
          if (TOKEN.test(v[1] as string)) out.add(v[1] as string);
    }
  return [...out].sort();
}

describe('SDK_TYPES', () => {
  it('is every closed-token type the installed SDKs name (regenerate label-types.ts when this fails)', () => {
    const read = sdkTypes();
    const listed = [...SDK_TYPES].sort();
    expect({ missing: read.filter((t) => !SDK_TYPES.has(t)), extra: listed.filter((t) => !read.includes(t)) }).toEqual({
      missing: [],
      extra: [],
    });
  });
  it('holds no beginning of a vendor key prefix and no word that starts with one', () => {
    const prefixes = ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'sk_live_', 'sk_test_', 'rk_live_'];
    prefixes.push('rk_test_', 'npm_', 'shpat_', 'shpss_', 'hf_', 'dop_v1_');
    const clash = [...SDK_TYPES].filter((t) => prefixes.some((p) => p.startsWith(t) || t.startsWith(p)));
    expect(clash).toEqual([]);
  });
});
