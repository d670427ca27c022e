// The round 8 ops suites' shared set-up: one adversarial stack per file (started before its tests, one ordinary
// request answered first, closed after them) and the error code of an answer's body.
import { afterAll, beforeAll } from 'vitest';
import { promptBody } from './request-bodies.ts';
import { startAdversarialStack, type AdversarialStack } from './stack.ts';

/** Starts a stack named `name` for this file's tests; the getter gives it once started. */
export function useStack(name: string, started?: () => void): () => AdversarialStack {
  let stack: AdversarialStack | undefined;
  beforeAll(async () => {
    stack = await startAdversarialStack(name);
    await stack.send('chat', promptBody('chat', 'hello'));
    started?.();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });
  return () => {
    if (stack === undefined) throw new Error(`the ${name} stack is not started`);
    return stack;
  };
}

/** The error code an answer's body names, or null. */
export const codeOf = (body: string) => /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? null;
