// OpenAI chat completions answers (non-streaming): every text the client will read becomes a segment, so the answer
// can be classified and redacted like the request. Invariant: a text field this adapter does not know is not
// silently passed: the answer's shape was validated by the forwarder as JSON; here only known text fields are read.
import type { TextSegment } from './types.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** choices[i].message.content / .refusal and each tool call's function.arguments. */
export function chatResponseSegments(response: unknown): TextSegment[] {
  const segments: TextSegment[] = [];
  if (!isObject(response) || !Array.isArray(response.choices)) return segments;
  response.choices.forEach((choice, i) => {
    const message = isObject(choice) ? choice.message : undefined;
    if (!isObject(message)) return;
    const at = `choices[${i}].message`;
    if (typeof message.content === 'string') segments.push({ path: `${at}.content`, text: message.content });
    if (typeof message.refusal === 'string') segments.push({ path: `${at}.refusal`, text: message.refusal });
    if (Array.isArray(message.tool_calls)) {
      message.tool_calls.forEach((call, k) => {
        const fn = isObject(call) ? call.function : undefined;
        if (isObject(fn) && typeof fn.arguments === 'string') {
          segments.push({ path: `${at}.tool_calls[${k}].function.arguments`, text: fn.arguments });
        }
      });
    }
  });
  return segments;
}
