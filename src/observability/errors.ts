// Errors as log fields: what failed and where, never what it was about. Invariants: no error message is copied
// (third-party messages may quote input: a JSON parser's snippet, a URL with a credential, an MCP server's own text);
// names, short codes, SQLSTATEs and stack frames only, a frame only from after the stack's header (the message's lines
// come first and may hold anything, `\n    at <value>` included), the cause chain followed a few levels deep.
const MAX_DEPTH = 4;
const MAX_FRAMES = 8;
/** A name as a class spells it; anything else (a name copied from a remote error) is logged as `Error`. */
const NAME = /^[A-Za-z_$][\w$]{0,63}$/;
/** A code as libraries spell them (ECONNRESET, ERR_…, UND_ERR_…, SQLSTATE 08P01); lower-case codes are a
 * remote's. */
const CODE = /^[A-Z0-9_]{1,64}$/;
/** Digits a code may hold: a JSON-RPC code (-32603), a status, a SQLSTATE; more could be a number a server chose. */
const MAX_CODE_DIGITS = 5;
/** The name V8 wrote at the top of the stack when the error was made (a subclass may rename it after `super()`). */
const HEADER_NAME = /^[A-Za-z_$][\w$]*(?: \[[A-Z0-9_]+\])?/;

export interface ErrorFields {
  name: string;
  code?: string;
  frames?: string[];
  cause?: ErrorFields;
}

/** Name, code and stack frames (never the message) of an error and of its causes. */
export function describeError(error: unknown, depth = 0): ErrorFields {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = codeOf((error as { code?: unknown }).code);
  const frames = framesOf(error);
  const cause = depth < MAX_DEPTH && error.cause !== undefined ? describeError(error.cause, depth + 1) : undefined;
  return {
    name: typeof error.name === 'string' && NAME.test(error.name) ? error.name : 'Error',
    ...(code === null ? {} : { code }),
    ...(frames.length > 0 ? { frames } : {}),
    ...(cause ? { cause } : {}),
  };
}

function codeOf(code: unknown): string | null {
  const text =
    typeof code === 'number' && Number.isSafeInteger(code) ? String(code) : typeof code === 'string' ? code : null;
  if (text === null || !(typeof code === 'number' || CODE.test(text))) return null;
  let digits = 0;
  for (const c of text) if (c >= '0' && c <= '9') digits++;
  return digits <= MAX_CODE_DIGITS ? text : null;
}

/**
 * The frames after the stack's header, `<name>: <message>` (or the name alone for an empty message). A stack that
 * does not begin with the message as it is now (changed after the error was made, or a stack written by hand) gives
 * no frames: no line of it is known to be the runtime's rather than the message's.
 */
function framesOf(error: Error): string[] {
  const stack = error.stack;
  if (typeof stack !== 'string') return [];
  const message = typeof error.message === 'string' ? error.message : '';
  const name = HEADER_NAME.exec(stack);
  if (name === null) return [];
  let at = name[0].length;
  // An empty message: the name alone (V8), or the name and `: ` (a prepareStackTrace that formats it so).
  if (message !== '' || stack.startsWith(': ', at)) {
    if (!stack.startsWith(`: ${message}`, at)) return [];
    at += 2 + message.length;
  }
  if (at < stack.length && stack[at] !== '\n') return [];
  const frames: string[] = [];
  for (const line of stack.slice(at + 1).split('\n', MAX_FRAMES * 2)) {
    if (frames.length === MAX_FRAMES) break;
    if (/^\s+at /.test(line)) frames.push(line.trim());
  }
  return frames;
}
