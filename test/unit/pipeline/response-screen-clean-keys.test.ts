// The answer screen remembers key lists its classifier found clean (src/pipeline/response-screen.ts): a list seen
// clean is not classified again, while a list with a finding, another list, or another classifier always is.
import { describe, expect, it } from 'vitest';
import { createClassifier, type TextSegment } from '../../../src/classification/index.ts';
import { CLEAN_KEYS_MAX_LISTS, screenResponse } from '../../../src/pipeline/response-screen.ts';
import { adapterFor } from '../../../src/providers/index.ts';

const SECRET = 'AKIAQ3EGUJXVB7WJ4K2P';
const RULES = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY'] };
const adapter = adapterFor('openai.chat_completions');

/** The real classifier, with the texts of every call it was asked for. */
function countingClassifier() {
  const real = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });
  const calls: string[][] = [];
  return {
    calls,
    classify(segments: readonly TextSegment[], options?: { maxFindings?: number }) {
      calls.push(segments.map((s) => s.text));
      return real.classify(segments, options);
    },
  };
}

/** The calls that classified exactly this answer's key lists. */
function keyCalls(classifier: { calls: string[][] }, body: Record<string, unknown>): number {
  const keys = JSON.stringify(adapter.responseSegments(body).flatMap((s) => (s.keys ? [s.text] : [])));
  return classifier.calls.filter((texts) => JSON.stringify(texts) === keys).length;
}

const answer = (content: string, extra: Record<string, unknown> = {}) => ({
  id: `chatcmpl-${content.length}`,
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  ...extra,
});

describe('the key lists of answers', () => {
  it('are classified once while clean, whatever the values beside them', async () => {
    const classifier = countingClassifier();
    const first = await screenResponse(adapter, classifier, answer('hello'), RULES);
    const second = await screenResponse(adapter, classifier, answer('mail bob@example.com'), RULES);
    expect(first.action).toBe('none');
    expect(second.action).toBe('redacted');
    expect(keyCalls(classifier, answer('hello'))).toBe(1);
  });

  it('with a finding are classified every time, and block every time', async () => {
    const classifier = countingClassifier();
    for (let i = 0; i < 2; i += 1) {
      const screen = await screenResponse(adapter, classifier, answer('hello', { [SECRET]: 1 }), RULES);
      expect(screen.blocked?.types).toEqual(['AWS_ACCESS_KEY']);
    }
    expect(keyCalls(classifier, answer('hello', { [SECRET]: 1 }))).toBe(2);
  });

  it('are remembered per list and per classifier', async () => {
    const one = countingClassifier();
    const other = countingClassifier();
    await screenResponse(adapter, one, answer('hello'), RULES);
    await screenResponse(adapter, one, answer('hello', { service_tier: 'default' }), RULES);
    await screenResponse(adapter, one, answer('hello'), RULES);
    await screenResponse(adapter, other, answer('hello'), RULES);
    expect(keyCalls(one, answer('hello'))).toBe(1);
    expect(keyCalls(one, answer('hello', { service_tier: 'default' }))).toBe(1);
    expect(keyCalls(other, answer('hello'))).toBe(1);
  });

  it(`are remembered ${CLEAN_KEYS_MAX_LISTS} at most, the oldest forgotten first`, async () => {
    const classifier = countingClassifier();
    const numbered = (i: number) => answer('hello', { [`field_${i}`]: 1 });
    for (let i = 0; i <= CLEAN_KEYS_MAX_LISTS; i += 1) await screenResponse(adapter, classifier, numbered(i), RULES);
    await screenResponse(adapter, classifier, numbered(1), RULES); // still held
    await screenResponse(adapter, classifier, numbered(0), RULES); // the oldest: forgotten
    expect(keyCalls(classifier, numbered(1))).toBe(1);
    expect(keyCalls(classifier, numbered(0))).toBe(2);
  });
});
