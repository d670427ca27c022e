// Review s15 (R3, attacker's review of session 15's changes), the answer screen's memo of key-join pairs found clean
// alone (c331b4d, src/pipeline/answer-clean-pairs.ts): a pair seen in two answers is classified alone and, when clean,
// left out of every later answer's key-joins text. A pair's finding can depend on more than its own text: a bare
// nine-digit SSN is one only with a context word near it, and in the key-joins text that word may sit in a
// neighbouring pair. The answer here is a chat completion whose text is `21909` and an unknown field's key `9999`
// (SSN 219-09-9999 split between a text and a property name); the attack answer adds `"note": "the employee ssn is"`.
// The answer rules redact SSNs (a key cannot be redacted: the answer is withheld).
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/classification/index.ts';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { adapterFor } from '../../src/providers/index.ts';

const RULES = { redact: ['US_SSN', 'EMAIL'], block: ['AWS_ACCESS_KEY'] };
const adapter = adapterFor('openai.chat_completions');
/** One classifier for the file, as the process has one: each test splits an SSN of its own, so no pair is shared. */
const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });

/** A chat completion whose text is the SSN's first five digits and an unknown field's key its last four. */
const answer = ([head, tail]: readonly [string, string], extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-7',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: head }, finish_reason: 'stop' }],
  ...extra,
  x: { [tail]: 1, ...(extra.x as object) },
});
/** The context word in a value before the split, or as a key of another object. */
const ATTACKS = [
  ['a note value before the split', { note: 'the employee ssn is' }],
  ['an ssn key in another object', { y: { ssn: 1 } }],
] as const;

/** Whether both pieces of the SSN reach the client of `attack` after the screen saw `before` (`times` times). */
async function relayedAfter(ssn: readonly [string, string], extra: Record<string, unknown>, times: number) {
  for (let i = 0; i < times; i += 1) await screenResponse(adapter, classifier, answer(ssn), RULES);
  const out = JSON.stringify((await screenResponse(adapter, classifier, answer(ssn, extra), RULES)).body ?? null);
  return out.includes(ssn[0]) && out.includes(ssn[1]);
}

describe('a split SSN whose context word is in a neighbouring key-join pair', () => {
  it('control: the split alone is relayed; with the context word (either place) on a fresh pair it is withheld', async () => {
    expect(await relayedAfter(['40952', '4567'], {}, 0)).toBe(true);
    expect(await relayedAfter(['53622', '1234'], ATTACKS[0][1], 0)).toBe(false);
    expect(await relayedAfter(['29301', '8765'], ATTACKS[1][1], 0)).toBe(false);
  });

  it('control: after two clean answers, an ssn key beside the split key is still withheld', async () => {
    expect(await relayedAfter(['21909', '8888'], { x: { ssn: 2 } }, 2)).toBe(false);
  });

  // Closed: c331b4d's memo of pairs found clean alone (answer-clean-pairs.ts) is reverted; every pair is read in every
  // answer.
  it.each([
    [ATTACKS[0][0], ['21909', '9999'], ATTACKS[0][1]],
    [ATTACKS[1][0], ['53622', '4321'], ATTACKS[1][1]],
  ] as const)('%s is withheld after two clean answers with the same split', async (_name, ssn, extra) => {
    expect(await relayedAfter(ssn, extra, 2)).toBe(false);
  });
});
