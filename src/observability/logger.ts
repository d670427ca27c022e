// Logs: pino (fastify's logger), JSON lines on stderr, one access line per request. Invariants: redaction paths cover
// every place a credential or content could appear (headers that carry tokens, bodies, prompts); a line written while
// a request is served carries its request_id; errors are logged as names, codes and frames (errors.ts), never messages.
import { type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevelName } from '../config/index.ts';
import type { RequestSink, RequestSummary, Scopes } from './request-scope.ts';

type Level = 'info' | 'warn' | 'error';
export type LogFunction = (level: Level, message: string, fields?: Record<string, unknown>) => void;

/** Where a credential or content could be: censored wherever a caller (or fastify's serializers) put them. */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers.dpop',
  'req.headers["x-proctor-assertion"]',
  'req.body',
  'req.query',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'headers.dpop',
  'authorization',
  'cookie',
  'body',
  'prompt',
  'messages',
  'input',
  'content',
  'token',
  'credential',
  'api_key',
  'secret',
  '*.authorization',
  '*.body',
  '*.prompt',
  '*.messages',
  '*.input',
  '*.content',
  '*.token',
  '*.credential',
  '*.api_key',
  '*.secret',
];

const CENSOR = '[redacted]';
/** The names of the `*.name` paths: censored one level below any top-level field. */
const NESTED: readonly string[] = REDACT_PATHS.filter((p) => p.startsWith('*.')).map((p) => p.slice(2));

/**
 * The `*.name` paths, applied as pino applies them (a field's own property of that name, in an object, is censored),
 * in one pass that copies only an object holding one; the other paths stay pino's. pino 10's redaction re-parses
 * every wildcard path for every top-level field of every line: 16-20 µs of a 24 µs access line. Arrays are left as
 * they are: JSON has no named property of an array to print.
 */
export function censorNested(fields: Record<string, unknown>): Record<string, unknown> {
  let out = fields;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    let descriptors: Record<string, PropertyDescriptor> | undefined;
    for (const name of NESTED) {
      if (!Object.hasOwn(value, name)) continue;
      descriptors ??= Object.getOwnPropertyDescriptors(value);
      const enumerable = descriptors[name]?.enumerable ?? true;
      descriptors[name] = { value: CENSOR, enumerable, writable: true, configurable: true };
    }
    if (descriptors === undefined) continue;
    if (out === fields) out = { ...fields };
    out[key] = Object.create(Object.getPrototypeOf(value), descriptors);
  }
  return out;
}

export function createLogger(options: { level: LogLevelName; destination?: DestinationStream }): Logger {
  const logger = pino(
    {
      level: options.level,
      messageKey: 'message',
      base: { service: 'proctor' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), bindings: censorNested, log: censorNested },
      redact: { paths: REDACT_PATHS.filter((p) => !p.startsWith('*.')), censor: CENSOR },
      serializers: {
        // fastify's own lines: method and path only (a query string is the client's text).
        req: (req: { method?: string; url?: string }) => ({ method: req.method, path: (req.url ?? '').split('?')[0] }),
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
  return censorBindings(logger);
}

/**
 * pino applies `formatters.bindings` to the root's `base` only: child() swaps in an identity formatter before it reads
 * its bindings, and the `*.` paths are not pino's to censor, so a child's `{ nested: { prompt } }` would print. Every
 * generation's bindings pass censorNested here: a child is made with Object.create(parent), so it inherits these.
 */
function censorBindings(logger: Logger): Logger {
  const { child, setBindings } = logger;
  function censoredChild<L extends string = never>(
    this: Logger,
    bindings: Bindings,
    options?: ChildLoggerOptions<L>,
  ): Logger<L> {
    return Reflect.apply(child, this, [censorNested(bindings), options]) as Logger<L>;
  }
  function censoredSetBindings(this: Logger, bindings: Bindings): void {
    Reflect.apply(setBindings, this, [censorNested(bindings)]);
  }
  return Object.assign(logger, { child: censoredChild, setBindings: censoredSetBindings });
}

/** The pipeline's Log over a pino logger. */
export function logTo(logger: Logger): LogFunction {
  return (level, message, fields = {}) => logger[level](fields, message);
}

/** Adds the current request's id to every line that lacks one. */
export function withRequestId(log: LogFunction, scopes: Pick<Scopes, 'current'>): LogFunction {
  return (level, message, fields = {}) => {
    const scope = scopes.current();
    log(
      level,
      message,
      scope && !Object.hasOwn(fields, 'request_id') ? { request_id: scope.requestId, ...fields } : fields,
    );
  };
}

/** One line per request: who (the token's fingerprint), what (API, model), the verdict and how it went. */
export function accessLog(log: LogFunction): RequestSink {
  return {
    requestEnded(s: RequestSummary) {
      const stages: Record<string, number> = {};
      for (const t of s.stages) stages[t.stage] = Math.round((stages[t.stage] ?? 0) + t.durationMs);
      log(s.status >= 500 ? 'warn' : 'info', 'request', {
        request_id: s.requestId,
        principal: s.principal,
        api: s.api,
        model: s.model,
        stream: s.stream,
        decision: s.decision,
        code: s.code,
        stage: s.stage,
        status: s.status,
        latency_ms: Math.round(s.durationMs),
        upstream: s.upstream,
        attempts: s.attempts,
        ...(s.firstByteMs === null ? {} : { first_byte_ms: Math.round(s.firstByteMs) }),
        // Flat token counts: a field named `input` would meet the redaction path meant for request inputs.
        ...(s.usage ? { input_tokens: s.usage.input, output_tokens: s.usage.output } : {}),
        stages_ms: stages,
      });
    },
  };
}

/** `proctor dev`: one short line per event for a terminal (`13:20:01 200 allow chat_completions echo-1 412ms …`). */
export function terminalLog(write: (line: string) => void): LogFunction {
  return (level, message, fields = {}) => {
    const time = new Date().toISOString().slice(11, 19);
    if (message === 'request') {
      const f = fields as Record<string, unknown>;
      const parts = [
        f.status,
        f.decision ?? '-',
        String(f.api ?? '').replace(/^[a-z]+\./, ''),
        f.model ?? '-',
        `${String(f.latency_ms)}ms`,
        f.code ?? '',
        f.upstream ? `via ${String(f.upstream)}` : '',
        `id=${String(f.request_id)}`,
      ];
      write(`${time} ${parts.filter((p) => p !== '').join(' ')}\n`);
      return;
    }
    const rest = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    write(`${time} ${level === 'info' ? '' : `${level.toUpperCase()} `}${message}${rest ? ` ${rest}` : ''}\n`);
  };
}
