// The code a classification fails with, as the pool suites read it (thread-pool.test.ts, worker-pool.test.ts): any
// error but a ClassificationError fails the test.
import { expect } from 'vitest';
import { ClassificationError } from '../../../src/classification/index.ts';

/** The ClassificationError code `p` fails with; undefined when it does not fail (a value or a promise of one). */
export async function codeOf(p: Promise<unknown> | unknown): Promise<string | undefined> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(ClassificationError);
    return (error as ClassificationError).code;
  }
  return undefined;
}
