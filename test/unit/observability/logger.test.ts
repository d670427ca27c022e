// The pino logger: JSON lines with level and message, credentials and bodies censored wherever a caller put them,
// and the current request's id added to lines written while a request is served.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { accessLog, createLogger, createScopes, logTo, withRequestId } from '../../../src/observability/index.ts';

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
});
