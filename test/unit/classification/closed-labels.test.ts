// Closed labels (classification/reading-orders.ts CLOSED_LABEL_KEYS), read past by every reading order, are the fields
// whose values the answers' label check enumerates (providers/answer-labels.ts ENUMERATED). Neither stage imports the
// other, so each keeps its list and this test keeps them equal: a key on one side only would either read an enumerated
// field beside its neighbours or read past a field whose values nothing checks.
import { expect, it } from 'vitest';
import { isClosedLabel } from '../../../src/classification/index.ts';
import { ENUMERATED } from '../../../src/providers/answer-labels.ts';

const FIELDS = [
  ...new Set([...Object.keys(ENUMERATED.openai), ...Object.keys(ENUMERATED.anthropic)]),
  ...['id', 'model', 'name', 'call_id', 'tool_call_id', 'system_fingerprint', 'text', 'arguments'],
];

it('a field is a closed label exactly when both dialects enumerate its values', () => {
  const enumerated = FIELDS.filter(
    (k) => Object.hasOwn(ENUMERATED.openai, k) && Object.hasOwn(ENUMERATED.anthropic, k),
  );
  const closed = FIELDS.filter((k) => isClosedLabel({ path: `choices[0].message.${k}`, text: 'assistant' }));
  expect(closed).toEqual(enumerated);
  expect(closed).toHaveLength(7);
});
