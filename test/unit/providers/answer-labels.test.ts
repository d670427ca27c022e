// checkClosedLabels: each enumerated label field takes only the values the SDKs' types name (a key's vendor prefix such
// as `ghp_` is a lower-case token, not a label), `type` one the SDKs name; free-form subtrees unchecked.
import { describe, expect, it } from 'vitest';
import { AnswerShapeError } from '../../../src/providers/answer-json.ts';
import { checkClosedLabels, ENUMERATED } from '../../../src/providers/answer-labels.ts';

const PREFIXES = ['ghp_', 'sk_live_', 'npm_', 'github_pat_', 'gh', 'sk', 'xoxb'];

describe('checkClosedLabels', () => {
  it('passes every value each enumerated field names', () => {
    for (const [key, names] of Object.entries(ENUMERATED))
      for (const value of names instanceof Set ? [...names] : Object.keys(names))
        expect(() => checkClosedLabels({ [key]: value })).not.toThrow();
    expect(() =>
      checkClosedLabels({ type: 'message', system_fingerprint: 'fp_44709d6fcb', content: [{ type: 'text' }] }),
    ).not.toThrow();
  });
  it.each(Object.keys(ENUMERATED))('refuses a key’s vendor prefix or any other word as %s', (key) => {
    for (const value of [...PREFIXES, 'assistant_', 'stop.'])
      expect(() => checkClosedLabels({ nested: [{ [key]: value }] })).toThrow(AnswerShapeError);
  });
  it('refuses a fingerprint that is not fp_<hex>', () => {
    for (const value of [...PREFIXES, 'proctor-echo', 'fp_XYZ'])
      expect(() => checkClosedLabels({ system_fingerprint: value })).toThrow(AnswerShapeError);
  });
  it('leaves free-form subtrees (a tool input) unchecked', () => {
    expect(() => checkClosedLabels({ input: { status: 'ghp_' } })).not.toThrow();
  });
});
