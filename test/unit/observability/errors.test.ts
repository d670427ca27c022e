// describeError: what a log line may say about an error (names, short codes, the runtime's frames), never its message,
// whatever the message holds.
import { describe, expect, it } from 'vitest';
import { describeError } from '../../../src/observability/errors.ts';

const SECRET = 'AKIAZ3MQWXR5TLPB6Y7N';
const logged = (error: unknown) => JSON.stringify(describeError(error));

class RenamedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenamedError';
  }
}

describe('describeError', () => {
  it('gives the name and the frames of an ordinary error, not its message', () => {
    const fields = describeError(new TypeError(`bad ${SECRET}`));
    expect(fields.name).toBe('TypeError');
    expect(fields.frames?.length).toBeGreaterThan(0);
    expect(fields.frames?.every((f) => f.startsWith('at '))).toBe(true);
    expect(JSON.stringify(fields)).not.toContain(SECRET);
  });
  it('keeps frames of an error renamed after super() and of one with an empty message', () => {
    expect(describeError(new RenamedError('x')).frames?.length).toBeGreaterThan(0);
    expect(describeError(new Error()).frames?.length).toBeGreaterThan(0);
  });
  it.each([
    ['a message line shaped as a frame', `MCP error -32603: failed\n    at ${SECRET}`],
    ['a message of frame lines only', `\n    at ${SECRET}\n\tat ${SECRET}`],
    ['a message with a frame line and text after it', `x\n    at ${SECRET} (y)\nmore`],
  ])('copies no part of %s', (_name, message) => {
    const error = new Error(message);
    expect(logged(error)).not.toContain(SECRET);
    expect(logged(new Error('outer', { cause: error }))).not.toContain(SECRET);
    expect(describeError(error).frames?.length).toBeGreaterThan(0);
  });
  it('reads a message changed before the stack is first read (V8 writes the stack then) as the header', () => {
    const changed = new Error('first');
    changed.message = `second\n    at ${SECRET}`;
    expect(describeError(changed).frames?.length).toBeGreaterThan(0);
    expect(logged(changed)).not.toContain(SECRET);
  });
  it('gives no frames when the stack does not begin with the message as it is now', () => {
    const changed = new Error(`first\n    at ${SECRET}`);
    void changed.stack;
    changed.message = 'second';
    const written = new Error('m');
    written.stack = `Error: other\n    at ${SECRET}`;
    for (const error of [changed, written]) expect(describeError(error).frames).toBeUndefined();
    expect(logged(changed) + logged(written)).not.toContain(SECRET);
  });
  it('logs codes as libraries spell them, not a long number or a remote string', () => {
    const withCode = (code: unknown) => Object.assign(new Error('x'), { code });
    expect(describeError(withCode('ECONNRESET')).code).toBe('ECONNRESET');
    expect(describeError(withCode('08P01')).code).toBe('08P01');
    expect(describeError(withCode(-32603)).code).toBe('-32603');
    for (const code of [378282246310005, 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'AKIA123456789', 1.5])
      expect(describeError(withCode(code)).code).toBeUndefined();
  });
  it('logs a name that is not an identifier as Error', () => {
    const error = new Error('x');
    error.name = `Bad ${SECRET}`;
    expect(describeError(error).name).toBe('Error');
  });
});
