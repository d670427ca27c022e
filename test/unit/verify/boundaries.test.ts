// The verifier's boundary (ARCHITECTURE.md): no file of the ledger imports src/verify, and src/verify reaches the
// ledger through src/ledger/format.ts only, so verification (its worker threads included) loads none of the writer.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../../src/', import.meta.url).pathname;

/** Every module a file names in an import or export clause, as a path relative to src/. */
function importsOf(folder: string): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  for (const name of readdirSync(path.join(SRC, folder))) {
    if (!name.endsWith('.ts')) continue;
    const text = readFileSync(path.join(SRC, folder, name), 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom '(\.[^']+)'/gm)) {
      const target = path.relative(SRC, path.resolve(SRC, folder, m[1] as string));
      out.push({ file: `${folder}/${name}`, target });
    }
  }
  return out;
}

describe('the verifier boundary', () => {
  it('finds the imports it checks', () => {
    expect(importsOf('verify').some((i) => i.target === 'ledger/format.ts')).toBe(true);
    expect(importsOf('ledger').some((i) => i.target === 'ledger/record.ts')).toBe(true);
  });

  it('no ledger file imports src/verify', () => {
    expect(importsOf('ledger').filter((i) => i.target.startsWith('verify/'))).toEqual([]);
  });

  it('src/verify imports the ledger through format.ts only', () => {
    const ledger = importsOf('verify').filter((i) => i.target.startsWith('ledger/'));
    expect(ledger.filter((i) => i.target !== 'ledger/format.ts')).toEqual([]);
  });

  it('nothing format.ts loads, directly or not, is the writer', () => {
    const writer = ['ledger', 'chain-writer', 'record-text', 'batch-writer', 'group-commit', 'append-waiters'];
    writer.push('partitions');
    writer.push('checkpointer', 'witness', 'retention');
    const edges = importsOf('ledger');
    const loaded = new Set(['ledger/format.ts']);
    for (const file of loaded) for (const i of edges) if (i.file === file) loaded.add(i.target);
    const names = [...loaded].map((f) => path.basename(f, '.ts'));
    expect(names).toContain('record');
    expect(names.filter((n) => writer.includes(n))).toEqual([]);
  });
});
