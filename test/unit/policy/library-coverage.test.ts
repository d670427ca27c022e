// The default policy names finding types in data.json; the classifier defines them. This keeps the two from drifting:
// a PII type the policy does not list is denied as unredactable, and a secret type missing from the answer block
// list would let a leaked key through in a model's answer.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DEFAULT_RECOGNIZERS } from '../../../src/classification/index.ts';

const config = JSON.parse(readFileSync(new URL('../../../policies/data.json', import.meta.url), 'utf8')).proctor
  .config as {
  pii_types: string[];
  national_id_types: string[];
  response: { block_types: string[]; redact_types: string[] };
};

function typesOf(category: string): string[] {
  return [...new Set(DEFAULT_RECOGNIZERS.filter((r) => r.category === category).map((r) => r.type))].sort();
}

describe('the default policy library covers every type the classifier emits', () => {
  it('lists every PII type as redactable or as a national identifier', () => {
    const listed = new Set([...config.pii_types, ...config.national_id_types]);
    expect(typesOf('PII').filter((t) => !listed.has(t))).toEqual([]);
  });

  it('blocks every secret type in answers', () => {
    expect(typesOf('SECRET').filter((t) => !config.response.block_types.includes(t))).toEqual([]);
  });

  it('redacts every PII, PCI and PHI type in answers', () => {
    const personal = [...typesOf('PII'), ...typesOf('PCI'), ...typesOf('PHI')];
    expect(personal.filter((t) => !config.response.redact_types.includes(t))).toEqual([]);
  });
});
