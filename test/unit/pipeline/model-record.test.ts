// model-record.ts: which refused models the record may hold as sent (configuration names them), and the withheld input.
import { describe, expect, it } from 'vitest';
import { modelNamed, WITHHELD_MODEL, withModelWithheld } from '../../../src/pipeline/model-record.ts';
import type { PolicyInput } from '../../../src/policy/index.ts';

const catalogue = [{ models: ['*'] }, { models: ['gpt-4o-mini', 'claude-3-5-sonnet-20241022'] }];
const routes = [{ model: 'gpt-4o*' }, { model: 'echo-1' }];

describe('modelNamed', () => {
  it.each([
    ['a model an upstream lists exactly', 'claude-3-5-sonnet-20241022', true],
    ['a model a route names literally', 'echo-1', true],
    ['a model only "*" serves', 'echo-219099999', false],
    ['a model only a route pattern matches', 'gpt-4o-219099999', false],
    ['"*" itself, which no catalogue names as a model', '*', false],
    ['a near miss of a listed model', 'gpt-4o-mini-219099999', false],
  ])('%s: %s', (_, model, named) => {
    expect(modelNamed(model, catalogue, routes)).toBe(named);
  });
});

describe('withModelWithheld', () => {
  it('replaces only the model, leaving the input given unchanged', () => {
    const input = {
      request: { model: 'echo-219099999', stream: false },
      time: { unix_ms: 0 },
    } as unknown as PolicyInput;
    const withheld = withModelWithheld(input);
    expect(withheld).toEqual({ request: { model: WITHHELD_MODEL, stream: false }, time: { unix_ms: 0 } });
    expect(input.request.model).toBe('echo-219099999');
  });
});
