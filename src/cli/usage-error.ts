// The one error for a command line Proctor cannot act on: an unknown or repeated flag, a missing or malformed value,
// a file a flag names that cannot be read. Invariant: every command answers it on stderr with its message (and its
// usage text) and exit 2; any other error is a runtime failure (exit 1) or a bug.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class CliUsageError extends Error {
  readonly code = 'ERR_CLI_USAGE';
  override readonly name = 'CliUsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `node:util` parseArgs in strict mode; its errors (unknown option, missing value, …) become CliUsageError. */
export function parseCommandLine<T extends Options>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (cause) {
    throw new CliUsageError((cause as Error).message, { cause });
  }
}
