// The first-run experience (`npm start`): the development stack on embedded defaults answers the official OpenAI SDK
// with a development token, refuses an SSN, and leaves a ledger that `proctor verify` accepts once it has stopped.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { devToken, startDevStack } from '../../src/dev/dev-stack.ts';
import { main } from '../../src/cli/main.ts';

describe('the development stack', () => {
  it('serves the OpenAI SDK end to end on embedded defaults and leaves a verifiable ledger', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'proctor-dev-'));
    const stack = await startDevStack({ dataDir, port: 0, log: () => {} });
    try {
      expect(stack.state.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      let out = '';
      const code = await main(['dev', 'token', '--sub', 'alice', '--groups', 'eng', '--data-dir', dataDir], {
        stdout: (s) => (out += s),
        stderr: () => {},
        env: {},
      });
      expect(code).toBe(0);
      const token = out.trim();
      expect(token.split('.')).toHaveLength(3);
      const openai = new OpenAI({ baseURL: stack.state.url, apiKey: token, maxRetries: 0 });
      const answer = await openai.chat.completions.create({
        model: 'echo-1',
        messages: [{ role: 'user', content: 'hi there' }],
      });
      expect(answer.choices[0]?.message.content).toBe('echo: hi there');
      const denied = await openai.chat.completions
        .create({ model: 'echo-1', messages: [{ role: 'user', content: 'ssn 219-09-9999' }] })
        .catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
      // The same token serves the Anthropic SDK (which sends it as x-api-key) against the stack's base URL.
      const anthropic = new Anthropic({ baseURL: stack.state.url.replace(/\/v1$/, ''), apiKey: token, maxRetries: 0 });
      const message = await anthropic.messages.create({
        model: 'echo-1',
        max_tokens: 32,
        messages: [{ role: 'user', content: 'hello claude' }],
      });
      expect(message.content[0]).toMatchObject({ type: 'text', text: 'echo: hello claude' });
      const other = await devToken({ dataDir, sub: 'bob', groups: [], tenant: null, ttlSeconds: 60 });
      expect(other).not.toBe(token);
    } finally {
      await stack.close();
    }
    let report = '';
    const verified = await main(
      ['verify', '--pglite', path.join(dataDir, 'pglite'), '--trust', stack.state.public_key_file, '--json'],
      {
        stdout: (s) => (report += s),
        stderr: () => {},
        env: {},
      },
    );
    expect(JSON.parse(report)).toMatchObject({ ok: true });
    expect(verified).toBe(0);
  }, 120_000); // the whole embedded stack (PGlite, issuer, two SDKs, verify) on a busy 2-core machine

  it('explains that a token needs a started stack', async () => {
    let err = '';
    const code = await main(
      ['dev', 'token', '--sub', 'alice', '--data-dir', mkdtempSync(path.join(tmpdir(), 'proctor-none-'))],
      { stdout: () => {}, stderr: (s) => (err += s), env: {} },
    );
    expect(code).toBe(1);
    expect(err).toContain('npm start');
  });

  it('names a missing flag as a usage error', async () => {
    let err = '';
    expect(await main(['dev', 'token'], { stdout: () => {}, stderr: (s) => (err += s), env: {} })).toBe(2);
    expect(err).toContain('--sub');
  });
});
