// scripts/test.sh, after a red vitest run: which files were ended by a crash of the runtime itself, and the report
// after running them once more.
//
// Why: V8 sometimes dies natively while PGlite's PostgreSQL-in-WebAssembly starts in two processes at once
// (nodejs/node#64500, electric-sql/pglite#1053: SIGSEGV/SIGTRAP, no JavaScript error). Session 14's CI went red only
// because one PGlite file's worker died with SIGTRAP before its first test; the same file passed 6 of 6 runs here.
// Such a file is run once more, alone, and the run says so. Only then: every failed file died of a native-crash
// signal (SIGSEGV, SIGTRAP, SIGILL, SIGBUS; never SIGKILL, which is the event-loop watchdog or the OOM killer, nor
// SIGABRT, which is a JavaScript heap overflow), no test failed, every error vitest counted is such a crash, and each
// crashed file crashed before any of its tests ended (start-up, where PGlite's WebAssembly is compiled and started). A
// file that crashes mid-way (Proctor's own native Ed25519 addon signs every ledger record: the process down in
// production) stays red, PGlite in it or not, and so does a file that crashes again.
//
//   node test/helpers/crash-rerun.ts crashed <vitest output> <json report>   prints the files to run again, one a line
//   node test/helpers/crash-rerun.ts merge <json report> <rerun json report>  prints the merged report
import { readFileSync } from 'node:fs';

const NATIVE_CRASH = new Set(['SIGSEGV', 'SIGTRAP', 'SIGILL', 'SIGBUS']);
const CRASH_LINE = /Worker exited unexpectedly with signal (SIG[A-Z]+) during \w+ state while running test file (\S+)/g;
const ERRORS_LINE = /^\s*Errors\s+(\d+) errors?/m;

interface Assertion {
  status: string;
}
interface FileResult {
  name: string;
  status: string;
  assertionResults: Assertion[];
}
interface Report {
  numFailedTests: number;
  numPassedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
  success: boolean;
  testResults: FileResult[];
  [key: string]: unknown;
}

const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

/** Whether a crash of this file can be PGlite's start-up one: none of its tests ended (see the head of this file). */
function startupCrash(file: FileResult | undefined): boolean {
  return file?.assertionResults.every((a) => a.status === 'pending' || a.status === 'skipped') ?? false;
}

/** The files to run once more, or none when anything but native crashes at a file's start made the run red. */
export function crashedFiles(output: string, report: Report): string[] {
  const text = plain(output);
  const crashes = new Map<string, string>();
  for (const match of text.matchAll(CRASH_LINE)) crashes.set(match[2] as string, match[1] as string);
  if (crashes.size === 0 || report.numFailedTests > 0) return [];
  if ([...crashes.values()].some((signal) => !NATIVE_CRASH.has(signal))) return [];
  const errors = Number(ERRORS_LINE.exec(text)?.[1] ?? 0);
  if (errors !== crashes.size) return [];
  const failed = report.testResults.filter((file) => file.status !== 'passed').map((file) => file.name);
  if (failed.length === 0 || failed.some((name) => !crashes.has(name))) return [];
  if (failed.length !== crashes.size) return [];
  const byName = new Map(report.testResults.map((file) => [file.name, file]));
  if (failed.some((name) => !startupCrash(byName.get(name)))) return [];
  return failed;
}

/** The first report with the rerun files' results in place of their crashed ones, its counts recomputed. */
export function mergeReports(first: Report, rerun: Report): Report {
  const again = new Map(rerun.testResults.map((file) => [file.name, file]));
  const testResults = first.testResults.map((file) => again.get(file.name) ?? file);
  const count = (status: string) =>
    testResults.reduce((sum, file) => sum + file.assertionResults.filter((a) => a.status === status).length, 0);
  const numFailedTests = count('failed');
  return {
    ...first,
    testResults,
    numPassedTests: count('passed'),
    numFailedTests,
    numPendingTests: count('pending') + count('skipped'),
    numTodoTests: count('todo'),
    numTotalTests: testResults.reduce((sum, file) => sum + file.assertionResults.length, 0),
    success: numFailedTests === 0 && testResults.every((file) => file.status === 'passed'),
  };
}

function main(argv: string[]): number {
  const [command, a, b] = argv;
  const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Report;
  if (command === 'crashed' && a !== undefined && b !== undefined) {
    for (const file of crashedFiles(readFileSync(a, 'utf8'), json(b))) process.stdout.write(`${file}\n`);
    return 0;
  }
  if (command === 'merge' && a !== undefined && b !== undefined) {
    process.stdout.write(JSON.stringify(mergeReports(json(a), json(b))));
    return 0;
  }
  process.stderr.write('usage: crash-rerun.ts crashed <output> <report> | merge <report> <rerun report>\n');
  return 2;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
