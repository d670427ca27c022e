// checkClosedLabels: each enumerated label field takes only the values the SDKs' types name for the adapter's dialect
// (a key's vendor prefix such as `ghp_` is a lower-case token, not a label), `type` one the SDKs name; free-form
// subtrees unchecked. dropUnreadLabels: a choice's vLLM `stop_reason` is removed on the OpenAI dialect.
import { describe, expect, it } from 'vitest';
import { AnswerShapeError } from '../../../src/providers/answer-json.ts';
import {
  checkClosedLabels,
  dropUnreadLabels,
  ENUMERATED,
  type LabelDialect,
} from '../../../src/providers/answer-labels.ts';

const PREFIXES = ['ghp_', 'sk_live_', 'npm_', 'github_pat_', 'gh', 'sk', 'xoxb'];
const DIALECTS: LabelDialect[] = ['openai', 'anthropic'];
const cases = DIALECTS.flatMap((dialect) => Object.keys(ENUMERATED[dialect]).map((key) => [dialect, key] as const));

describe('checkClosedLabels', () => {
  it.each(DIALECTS)('passes every value each enumerated field names (%s)', (dialect) => {
    for (const [key, names] of Object.entries(ENUMERATED[dialect]))
      for (const value of names instanceof Set ? [...names] : Object.keys(names))
        expect(() => checkClosedLabels({ [key]: value }, dialect)).not.toThrow();
    const answer = { type: 'message', system_fingerprint: 'fp_44709d6fcb', content: [{ type: 'text' }] };
    expect(() => checkClosedLabels(answer, dialect)).not.toThrow();
  });
  it.each(cases)('refuses a key’s vendor prefix or any other word (%s %s)', (dialect, key) => {
    for (const value of [...PREFIXES, 'assistant_', 'stop.'])
      expect(() => checkClosedLabels({ nested: [{ [key]: value }] }, dialect)).toThrow(AnswerShapeError);
  });
  it('reads service_tier and stop_reason per dialect (Anthropic usage.service_tier, no OpenAI stop_reason)', () => {
    expect(() => checkClosedLabels({ usage: { service_tier: 'standard' } }, 'anthropic')).not.toThrow();
    expect(() => checkClosedLabels({ usage: { service_tier: 'standard' } }, 'openai')).toThrow(AnswerShapeError);
    expect(() => checkClosedLabels({ service_tier: 'flex' }, 'anthropic')).toThrow(AnswerShapeError);
    expect(() => checkClosedLabels({ stop_reason: 'end_turn' }, 'openai')).toThrow(AnswerShapeError);
  });
  it('passes a fingerprint fp_ and up to 12 hex digits (OpenAI sends ten), or Ollama’s fp_ollama', () => {
    for (const value of ['fp_44709d6fcb', 'fp_ollama', `fp_${'a1'.repeat(6)}`, 'fp_abcdef'])
      expect(() => checkClosedLabels({ system_fingerprint: value }, 'openai')).not.toThrow();
  });
  it('refuses any other fingerprint: a key prefix after fp_ (lower-case akia is one), too long, another word', () => {
    const others = ['fp_akia', 'fp_akiaz3mqwxr5tlpb6y7n', 'fp_ghp', 'fp_npm', 'fp_ollamb', 'fp_', 'fp_a-b', 'fp_XYZ'];
    // 13+ hex digits: 24 were 12 bytes a client could decode (hex of half a key: `fp_414b49415a334d515758`).
    const long = [`fp_${'a'.repeat(13)}`, `fp_${'a1'.repeat(12)}`, 'fp_414b49415a334d515758'];
    for (const value of [...PREFIXES, ...others, ...long, 'proctor-echo', 'fp_ghp_x', `fp_${'a'.repeat(25)}`])
      expect(() => checkClosedLabels({ system_fingerprint: value }, 'openai')).toThrow(AnswerShapeError);
  });
  it('leaves free-form subtrees (a tool input) unchecked', () => {
    expect(() => checkClosedLabels({ input: { status: 'ghp_' } }, 'anthropic')).not.toThrow();
  });
});

describe('dropUnreadLabels', () => {
  it('removes a choice’s stop_reason of every kind on the OpenAI dialect only, nothing else', () => {
    const answer = {
      stop_reason: 'ghp_',
      choices: [
        { index: 0, stop_reason: 'ghp_' },
        { index: 1, stop_reason: 32000 },
        { index: 2, stop_reason: null },
      ],
    };
    dropUnreadLabels(answer, 'openai');
    expect(answer).toEqual({ stop_reason: 'ghp_', choices: [{ index: 0 }, { index: 1 }, { index: 2 }] });
    expect(() => checkClosedLabels(answer, 'openai')).toThrow(AnswerShapeError);
    const anthropic = { choices: [{ stop_reason: 'ghp_' }] };
    dropUnreadLabels(anthropic, 'anthropic');
    expect(anthropic.choices[0]).toEqual({ stop_reason: 'ghp_' });
  });
});
