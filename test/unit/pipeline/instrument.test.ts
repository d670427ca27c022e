// The observer seam: wrapped dependencies return and throw exactly what they did (a synchronous decide stays
// synchronous), each call is timed as its stage inside a request scope and not outside one, a committed decision record
// fills the summary (and turns later classification into answer screening), and the sinks get one summary per request.
import { describe, expect, it } from 'vitest';
import { createScopes, type RequestSummary } from '../../../src/observability/index.ts';
import { instrumentPipeline, type PipelineDeps } from '../../../src/pipeline/index.ts';
import { createMemoryLimiter } from '../../helpers/memory-limiter.ts';
import { createLogSink } from '../../helpers/log-sink.ts';

function fakeDeps(): PipelineDeps {
  return {
    authenticator: {
      authenticate: async () => {
        throw Object.assign(new Error('no token'), { code: 'ERR_TOKEN_MISSING' });
      },
    },
    classifier: { classify: () => ({ findings: [] }) },
    policy: {
      decide: () => ({ decision: { allow: true, reasons: [], obligations: {} }, version: null, shadow: null }),
    },
    ledger: {
      chain: 'c',
      append: async (type: string) => ({ chain: 'c', seq: type === 'decision' ? 1 : 2, hash: 'h' }),
    },
    forwarder: {
      forward: async () => ({ status: 200 }),
      openStream: async () => ({ status: 200 }),
      close: async () => {},
    },
    upstreams: {},
    clock: { now: () => new Date(0) },
    limits: createMemoryLimiter(),
    log: createLogSink().log,
  } as unknown as PipelineDeps;
}

describe('instrumentPipeline', () => {
  it('times stages in the request scope, keeps sync calls sync and errors as they were', async () => {
    const summaries: RequestSummary[] = [];
    const appended: string[] = [];
    const scopes = createScopes([{ requestEnded: (s) => summaries.push(s) }], () => {});
    const deps = instrumentPipeline(fakeDeps(), scopes, {
      appended: (type, _ms, ok) => appended.push(`${type}:${ok}`),
      reserved: () => {},
    });
    // Outside a request: nothing timed, the call is the call.
    expect(deps.policy.decide({} as never)).toMatchObject({ decision: { allow: true } });
    await scopes.run(
      'r1',
      'openai.chat_completions',
      async () => {
        await expect(deps.authenticator.authenticate({})).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING' });
        const decided = deps.policy.decide({} as never);
        expect(decided).not.toBeInstanceOf(Promise);
        deps.classifier.classify([]);
        await deps.requestClassifier?.classify([]);
        await deps.ledger.append('decision', 'r1', {
          principal: { token_fingerprint: 'fp', sub: 'alice' },
          request: { model: 'm', stream: false },
          classification: { types: { EMAIL_ADDRESS: 2 } },
          decision: { allow: true, stage: 'decide', reasons: [] },
          route: { upstream: 'u' },
          shadow: null,
        });
        await deps.requestClassifier?.classify([]);
        await deps.ledger.append('outcome', 'r1', {
          upstream: 'u',
          attempts: [{}],
          error: null,
          usage: { prompt_tokens: 3, completion_tokens: 4 },
        });
        return { status: 200 };
      },
      (r) => ({ status: r.status, code: null }),
    );
    expect(summaries).toHaveLength(1);
    const s = summaries[0] as RequestSummary;
    expect(s.stages.map((t) => [t.stage, t.error])).toEqual([
      ['identify', 'ERR_TOKEN_MISSING'],
      ['decide', null],
      ['classify', null],
      ['record', null],
      ['screen', null],
      ['outcome', null],
    ]);
    expect(s).toMatchObject({
      requestId: 'r1',
      principal: 'fp',
      model: 'm',
      decision: 'allow',
      stage: 'decide',
      upstream: 'u',
      attempts: 1,
      usage: { input: 3, output: 4 },
      findings: { request: { EMAIL_ADDRESS: 2 }, response: {} },
      shadowDiffers: false,
      status: 200,
      code: null,
    });
    expect(JSON.stringify(s)).not.toContain('alice');
    expect(appended).toEqual(['decision:true', 'outcome:true']);
  });
});
