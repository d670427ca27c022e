// Closed labels in answers: the classifier reads label strings (a `type`, `role`, `object`, `status`, a finish or stop
// reason) apart from the text around them (classification/segment-join.ts LABEL_KEYS), so a label free to hold any
// string could carry half of a value the text completes (`"object":"AKIAZ3MQWX"` before `"content":"R5TLPB6Y7N"`).
// Invariant: every such label string in an answer or stream event is a closed token (lower-case letters, `_` and `.`:
// no digit, no capital, so no part of a number or a key), or the answer is refused as the upstream's fault. Free-form
// JSON the model writes (a tool's input, schemas an answer echoes) is not labels and is not checked.
import { AnswerShapeError } from './answer-json.ts';

/** Label keys whose strings must be closed tokens. Ids, names and the model cannot be closed (they stay classified). */
const CLOSED_LABELS: ReadonlySet<string> = new Set([
  'type',
  'role',
  'object',
  'status',
  'finish_reason',
  'stop_reason',
  'service_tier',
]);
const TOKEN = /^[a-z][a-z_.]{0,63}$/;
/** OpenAI's `fp_<hex>` (ten hex digits today: too short for a hex-encoded value), or a name in lower-case words. */
export const FINGERPRINT = /^(?:fp_[0-9a-f]{1,16}|[a-z][a-z_.-]{0,63})$/;
/** Subtrees of free-form JSON (tool inputs, schemas, metadata): their keys are the model's or the client's words. */
const FREE_FORM: ReadonlySet<string> = new Set(['input', 'parameters', 'schema', 'input_schema', 'metadata']);

/** Throws AnswerShapeError at the first label string that is not a closed token. Iterative; answers are bounded. */
export function checkClosedLabels(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null) stack.push(item);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (typeof child === 'string') {
          if (CLOSED_LABELS.has(key) && !TOKEN.test(child))
            throw new AnswerShapeError(`a '${key}' in the answer is not a closed token`);
          if (key === 'system_fingerprint' && !FINGERPRINT.test(child))
            throw new AnswerShapeError("a 'system_fingerprint' in the answer is not a closed token");
        } else if (typeof child === 'object' && child !== null && !FREE_FORM.has(key)) {
          stack.push(child);
        }
      }
    }
  }
}
