// Review s15 (R3), scripts/test.sh's rerun of a file a native crash ended (827b13a, test/helpers/crash-rerun.ts): a
// red run whose only errors are workers ended by SIGSEGV/SIGTRAP/SIGILL/SIGBUS, with no failed test, runs those files
// once more and is green when they pass. The cause it was written for is V8 dying while PGlite's WebAssembly starts
// (nodejs/node#64500), but the rule takes any file's native crash for it: Proctor loads native code of its own
// (src/ledger/ed25519-batch.ts: .tools/native/ed25519-batch.node, the ledger's signatures), and a crash there is the
// process down in production, a real failure a lucky second run hides.
import { describe, expect, it } from 'vitest';
import { crashedFiles } from '../helpers/crash-rerun.ts';

const PGLITE = '/ci/work/main/test/integration/ledger-pglite.test.ts';
const NATIVE = '/ci/work/main/test/unit/ledger/ed25519-batch.test.ts';
const OTHER = '/ci/work/main/test/unit/tar/writer.test.ts';
/** vitest's line for a worker the runtime ended, as the default reporter prints it. */
const crashLine = (signal: string, file: string) =>
  `Caused by: Error: Worker exited unexpectedly with signal ${signal} during started state while running test file ${file}\n`;
const ONE_ERROR = '\n     Errors  1 error\n';

/** A red run: OTHER passed, `file` ended by its worker's crash after `passed` tests passed (the rest never ran). */
const run = (file: string, passed: number) => {
  const testResults = [
    { name: OTHER, status: 'passed', assertionResults: [{ status: 'passed' }] },
    {
      name: file,
      status: 'failed',
      assertionResults: [...Array(passed).fill({ status: 'passed' }), { status: 'pending' }, { status: 'pending' }],
    },
  ];
  return {
    numFailedTests: 0,
    numPassedTests: passed + 1,
    numPendingTests: 2,
    numTodoTests: 0,
    numTotalTests: passed + 3,
    success: false,
    testResults,
  };
};

describe("the crash rerun's rule", () => {
  it('control: the PGlite file a SIGTRAP ended before its first test is run again', () => {
    expect(crashedFiles(crashLine('SIGTRAP', PGLITE) + ONE_ERROR, run(PGLITE, 0))).toEqual([PGLITE]);
  });

  // Closed (crash-rerun.ts startupCrash): a crashed file is run again only when it crashed before any test ended.
  it('the native Ed25519 file a SIGSEGV ended mid-file is not run again (the run stays red)', () => {
    expect(crashedFiles(crashLine('SIGSEGV', NATIVE) + ONE_ERROR, run(NATIVE, 2))).toEqual([]);
  });

  // Closed (crash-rerun.ts startupCrash): only a crash before any of the file's tests ended is run again.
  it('a PGlite ledger file a SIGSEGV ended after three tests is not run again (the run stays red)', () => {
    expect(crashedFiles(crashLine('SIGSEGV', PGLITE) + ONE_ERROR, run(PGLITE, 3))).toEqual([]);
  });
});
