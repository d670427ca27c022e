// scripts/test.sh's rule for running a file again: only files a native crash of the runtime ended, nothing else red.
import { describe, expect, it } from 'vitest';
import { crashedFiles, mergeReports } from '../../helpers/crash-rerun.ts';

const FILE = '/ci/work/main/test/integration/ledger-pglite.test.ts';
const OTHER = '/ci/work/main/test/unit/tar/writer.test.ts';
const crashLine = (signal: string, file = FILE) =>
  `\u001b[31m\u001b[1mCaused by: Error\u001b[22m: Worker exited unexpectedly with signal ${signal} during started state while running test file ${file}\u001b[39m\n`;
const summary = (errors: number) =>
  `\n\u001b[2m     Errors \u001b[22m \u001b[1m\u001b[31m${errors} error\u001b[39m\u001b[22m\n`;

function report(files: Array<[string, string, string[]]>) {
  const testResults = files.map(([name, status, tests]) => ({
    name,
    status,
    assertionResults: tests.map((s) => ({ status: s })),
  }));
  const count = (s: string) =>
    testResults.reduce((n, f) => n + f.assertionResults.filter((a) => a.status === s).length, 0);
  return {
    numFailedTests: count('failed'),
    numPassedTests: count('passed'),
    numPendingTests: 0,
    numTodoTests: 0,
    numTotalTests: testResults.reduce((n, f) => n + f.assertionResults.length, 0),
    success: false,
    testResults,
  };
}

describe('crashedFiles', () => {
  const crashed = report([
    [OTHER, 'passed', ['passed', 'passed']],
    [FILE, 'failed', ['pending', 'pending']],
  ]);

  it('names a file that a SIGTRAP or SIGSEGV ended, when nothing else is red', () => {
    expect(crashedFiles(crashLine('SIGTRAP') + summary(1), crashed)).toEqual([FILE]);
    expect(crashedFiles(crashLine('SIGSEGV') + summary(1), crashed)).toEqual([FILE]);
  });

  it('names nothing for a file that crashed after one of its tests ended', () => {
    const midway = report([
      [OTHER, 'passed', ['passed']],
      [FILE, 'failed', ['passed', 'pending']],
    ]);
    expect(crashedFiles(crashLine('SIGSEGV') + summary(1), midway)).toEqual([]);
  });

  it('names nothing for the watchdog or the OOM killer (SIGKILL) nor a heap overflow (SIGABRT)', () => {
    expect(crashedFiles(crashLine('SIGKILL') + summary(1), crashed)).toEqual([]);
    expect(crashedFiles(crashLine('SIGABRT') + summary(1), crashed)).toEqual([]);
  });

  it('names nothing when a test failed, another error was counted, or another file failed', () => {
    const failedTest = report([
      [OTHER, 'failed', ['passed', 'failed']],
      [FILE, 'failed', ['pending']],
    ]);
    expect(crashedFiles(crashLine('SIGTRAP') + summary(1), failedTest)).toEqual([]);
    expect(crashedFiles(crashLine('SIGTRAP') + summary(2), crashed)).toEqual([]);
    const otherFailed = report([
      [OTHER, 'failed', []],
      [FILE, 'failed', ['pending']],
    ]);
    expect(crashedFiles(crashLine('SIGTRAP') + summary(1), otherFailed)).toEqual([]);
    expect(crashedFiles(summary(1), crashed)).toEqual([]);
  });
});

describe('mergeReports', () => {
  it("puts the rerun's results in place of the crashed file's and counts again", () => {
    const first = report([
      [OTHER, 'passed', ['passed', 'passed']],
      [FILE, 'failed', ['pending', 'pending']],
    ]);
    const passed = mergeReports(first, report([[FILE, 'passed', ['passed', 'passed']]]));
    expect(passed).toMatchObject({ numPassedTests: 4, numFailedTests: 0, numTotalTests: 4, success: true });
    const again = mergeReports(first, report([[FILE, 'failed', ['pending', 'pending']]]));
    expect(again).toMatchObject({ numPassedTests: 2, success: false });
    expect(again.testResults.filter((f) => f.status === 'failed').map((f) => f.name)).toEqual([FILE]);
  });
});
