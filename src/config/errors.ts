// Configuration errors: one class with a stable `code` a caller can switch on, and every problem found as
// `<path>: <what is wrong>` (never a secret's value).

export type ConfigErrorCode = 'ERR_CONFIG_UNREADABLE' | 'ERR_CONFIG_INVALID' | 'ERR_CONFIG_SECRET';

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** Each problem as `<path>: <what is wrong>`. */
  readonly problems: readonly string[];
  constructor(code: ConfigErrorCode, problems: string[], options?: ErrorOptions) {
    super(
      `configuration ${code === 'ERR_CONFIG_SECRET' ? 'secret' : 'file'} error:\n  ${problems.join('\n  ')}`,
      options,
    );
    this.name = 'ConfigError';
    this.code = code;
    this.problems = problems;
  }
}
