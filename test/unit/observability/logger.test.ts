// The pino logger: JSON lines with level and message, credentials and bodies censored wherever a caller put them,
// and the current request's id added to lines written while a request is served.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  accessLog,
  createLogger,
  createScopes,
  logTo,
  REDACT_PATHS,
  withRequestId,
} from '../../../src/observability/index.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('censors credentials and bodies and honours the level', () => {
    const { lines, destination } = capture();
    const log = logTo(createLogger({ level: 'info', destination }));
    log('info', 'seen', {
      req: {
        headers: { authorization: 'Bearer eyJ.secret', 'x-api-key': 'sk-1', cookie: 'c=1' },
        body: { messages: ['hi'] },
      },
      headers: { authorization: 'Bearer t' },
      body: 'prompt text',
      nested: { token: 'abc', authorization: 'x' },
    });
    const logger = createLogger({ level: 'warn', destination });
    logTo(logger)('info', 'below the level');
    expect(lines).toHaveLength(1);
    const text = JSON.stringify(lines[0]);
    for (const secret of ['eyJ.secret', 'sk-1', 'c=1', 'Bearer t', 'prompt text', '"abc"', '"hi"'])
      expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      level: 'info',
      message: 'seen',
      service: 'proctor',
      headers: { authorization: '[redacted]' },
    });
  });

  it("censors as pino's own redaction of every path would (the `*.name` paths are applied before pino)", () => {
    class Upstream {
      body = 'answer text';
      status = 502;
    }
    const hidden = Object.defineProperty({ kept: 1 }, 'secret', { value: 's3', enumerable: false });
    const cases: Record<string, unknown>[] = [
      { request_id: 'r', status: 200, stages_ms: { identify: 1, forward: 2 }, principal: 'fp' },
      { error: { name: 'Error', code: 'E', token: 't0', cause: { token: 'deeper' } } },
      { upstream: new Upstream(), list: [{ content: 'c1' }], flag: true, n: null },
      { a: { prompt: 'p', messages: ['m'], input: 'i', content: 'c', credential: 'x', api_key: 'k', secret: 's' } },
      { a: { authorization: 'Bearer z', body: { nested: 1 } }, b: { token: undefined }, hidden },
      { req: { headers: { authorization: 'Bearer q', dpop: 'd' }, body: 'b', query: 'q=1' }, content: 'top' },
    ];
    const ours = capture();
    const reference = capture();
    const log = logTo(createLogger({ level: 'info', destination: ours.destination }));
    const pinoOnly = pino(
      {
        messageKey: 'message',
        base: { service: 'proctor' },
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
        serializers: {
          req: (req: { method?: string; url?: string }) => ({
            method: req.method,
            path: (req.url ?? '').split('?')[0],
          }),
        },
      },
      reference.destination,
    );
    for (const fields of cases) {
      log('info', 'line', fields);
      pinoOnly.info(fields, 'line');
    }
    const untimed = (lines: Record<string, unknown>[]) => lines.map(({ time: _time, ...rest }) => rest);
    expect(untimed(ours.lines)).toEqual(untimed(reference.lines));
    // One level below a field only, as pino's paths say (an array's items and deeper objects are not its paths).
    expect(JSON.stringify(ours.lines)).not.toMatch(/answer text|t0|Bearer|s3|"p"/);
    expect(cases[2]?.upstream).toMatchObject({ body: 'answer text' }); // the caller's object is not changed
  });

  it('adds the request id to lines written inside a request scope', async () => {
    const { lines, destination } = capture();
    const scopes = createScopes([], () => {});
    const log = withRequestId(logTo(createLogger({ level: 'info', destination })), scopes);
    await scopes.run(
      'req-1',
      'openai.chat_completions',
      async () => {
        log('error', 'unexpected', { error: { name: 'TypeError' } });
        return { status: 500 };
      },
      (r) => ({ status: r.status, code: 'ERR_INTERNAL' }),
    );
    log('info', 'outside');
    expect(lines.map((l) => l.request_id)).toEqual(['req-1', undefined]);
  });

  it('writes the access line with token counts that survive redaction', () => {
    const { lines, destination } = capture();
    accessLog(logTo(createLogger({ level: 'info', destination }))).requestEnded({
      requestId: 'r',
      api: 'openai.chat_completions',
      startMs: 0,
      durationMs: 5,
      status: 200,
      principal: 'fp',
      model: 'm',
      stream: false,
      decision: 'allow',
      code: null,
      stage: 'decide',
      upstream: 'u',
      attempts: 1,
      usage: { input: 3, output: 4 },
      findings: { request: {}, response: {} },
      shadowDiffers: false,
      firstByteMs: null,
      stages: [],
    });
    expect(lines[0]).toMatchObject({
      message: 'request',
      request_id: 'r',
      principal: 'fp',
      input_tokens: 3,
      output_tokens: 4,
      status: 200,
    });
  });
  it('censors bindings one level down in children of every generation, with options and through setBindings', () => {
    const { lines, destination } = capture();
    const root = createLogger({ level: 'info', destination });
    const child = root.child({ a: 1, nested: { prompt: 's1' } });
    child.child({ b: 2, nested: { content: 's2' } }, { level: 'info' }).info('grandchild');
    const set = root.child({ c: 3 });
    set.setBindings({ nested: { token: 's3' } });
    set.info('set');
    child.info('child');
    expect(JSON.stringify(lines)).not.toMatch(/s[123]/);
    expect(lines.map((l) => [l['message'], l['a'], l['b'], l['c']])).toEqual([
      ['grandchild', 1, 2, undefined],
      ['set', undefined, undefined, 3],
      ['child', 1, undefined, undefined],
    ]);
    expect(lines[0]?.['nested']).toEqual({ content: '[redacted]' });
  });
});
