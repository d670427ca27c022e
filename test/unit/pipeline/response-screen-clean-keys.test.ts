// The answer screen remembers key lists its classifier found clean (src/pipeline/response-screen.ts): a list seen
// clean is not classified again, while a list with a finding, another list, or another classifier always is.
import { describe, expect, it } from 'vitest';
import { createClassifier, type TextSegment } from '../../../src/classification/index.ts';
import { CLEAN_KEYS_MAX_LISTS, screenResponse } from '../../../src/pipeline/response-screen.ts';
import { adapterFor } from '../../../src/providers/index.ts';

const SECRET = 'AKIAQ3EGUJXVB7WJ4K2P';
const RULES = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY'] };
const adapter = adapterFor('openai.chat_completions');

/** The real classifier, with the key-list calls it was asked for (segments whose texts hold a line break). */
function countingClassifier() {
  const real = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });
  const keyCalls: string[][] = [];
  return {
    keyCalls,
    classify(segments: readonly TextSegment[], options?: { maxFindings?: number }) {
      const texts = segments.map((s) => s.text);
      if (texts.length > 0 && texts.every((t) => t.includes('\n'))) keyCalls.push(texts);
      return real.classify(segments, options);
    },
  };
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
    expect(classifier.keyCalls).toHaveLength(1);
  });

  it('with a finding are classified every time, and block every time', async () => {
    const classifier = countingClassifier();
    for (let i = 0; i < 2; i += 1) {
      const screen = await screenResponse(adapter, classifier, answer('hello', { [SECRET]: 1 }), RULES);
      expect(screen.blocked?.types).toEqual(['AWS_ACCESS_KEY']);
    }
    expect(classifier.keyCalls).toHaveLength(2);
  });

  it('are remembered per list and per classifier', async () => {
    const one = countingClassifier();
    const other = countingClassifier();
    await screenResponse(adapter, one, answer('hello'), RULES);
    await screenResponse(adapter, one, answer('hello', { service_tier: 'default' }), RULES);
    await screenResponse(adapter, other, answer('hello'), RULES);
    expect(one.keyCalls).toHaveLength(2);
    expect(other.keyCalls).toHaveLength(1);
  });

  it(`are remembered ${CLEAN_KEYS_MAX_LISTS} at most, the oldest forgotten first`, async () => {
    const classifier = countingClassifier();
    for (let i = 0; i <= CLEAN_KEYS_MAX_LISTS; i += 1) {
      await screenResponse(adapter, classifier, answer('hello', { [`field_${i}`]: 1 }), RULES);
    }
    const calls = classifier.keyCalls.length;
    await screenResponse(adapter, classifier, answer('hello', { field_1: 1 }), RULES); // still held
    expect(classifier.keyCalls).toHaveLength(calls);
    await screenResponse(adapter, classifier, answer('hello', { field_0: 1 }), RULES); // the oldest: forgotten
    expect(classifier.keyCalls).toHaveLength(calls + 1);
  });
});
