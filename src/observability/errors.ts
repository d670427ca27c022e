// Errors as log fields: what failed and where, never what it was about. Invariants: no error message is copied
// (third-party messages may quote input: a JSON parser's snippet, a URL with a credential); names, codes, SQLSTATEs and
// stack frames only, the cause chain followed a few levels deep.
const MAX_DEPTH = 4;

export interface ErrorFields {
  name: string;
  code?: string;
  frames?: string[];
  cause?: ErrorFields;
}

/** Name, code and stack frames (never the message) of an error and of its causes. */
export function describeError(error: unknown, depth = 0): ErrorFields {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = (error as { code?: unknown }).code;
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 8)
    .map((l) => l.trim());
  const cause = depth < MAX_DEPTH && error.cause !== undefined ? describeError(error.cause, depth + 1) : undefined;
  return {
    name: error.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    ...(frames.length > 0 ? { frames } : {}),
    ...(cause ? { cause } : {}),
  };
}
