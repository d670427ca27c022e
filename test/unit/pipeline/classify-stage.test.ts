// The classify stage at scale: a dense prompt's record and policy input carry exact counts with the first findings
// only (`truncated`); a redaction the cap cannot honour is refused; a full classifier queue is a recorded 503 with
// retry-after; an input past a classification bound is a recorded 413; a large request classified on a thread gives
// the record the in-process classifier gives.
import { afterAll, describe, expect, it } from 'vitest';
import { ClassificationError, createClassifier, createClassifierPool } from '../../../src/classification/index.ts';
import { createIntake, createRequestHandler, INTAKE_WORKER, type PipelineDeps } from '../../../src/pipeline/index.ts';
import type { Decision } from '../../../src/policy/index.ts';
import type { Ledger } from '../../../src/ledger/index.ts';
import { registryOf, upstreamSettings } from '../../helpers/upstreams.ts';
import { createMemoryLimiter } from '../../helpers/memory-limiter.ts';
import { createLogSink } from '../../helpers/log-sink.ts';

const KEY = new Uint8Array(32).fill(3);
const classifier = createClassifier({ fingerprintKey: KEY });
const pool = createClassifierPool({
  fingerprintKey: KEY,
  recognizers: [],
  local: classifier,
  thresholdChars: 4096,
  size: 1,
});
const intakePool = createClassifierPool({
  fingerprintKey: KEY,
  recognizers: [],
  local: classifier,
  thresholdChars: 4096,
  size: 1,
  entry: INTAKE_WORKER,
});
afterAll(() => Promise.all([pool.close(), intakePool.close()]));

const principal = {
  iss: 'https://idp.test',
  sub: 'alice',
  client_id: null,
  groups: [],
  tenant: null,
  token_fingerprint: 'f'.repeat(64),
};
const obligations = {
  upstreams: ['echo'],
  max_tokens: 64,
  redact: [] as string[],
  response: { redact: [], block: [] },
  limits: null,
};
const allow: Decision = { allow: true, reasons: [], obligations };
const ssn = (i: number) => `${String(100 + (i % 600)).padStart(3, '0')}-${String(10 + (i % 89))}-${String(1000 + i)}`;
const dense = (n: number) => Array.from({ length: n }, (_, i) => `ssn ${ssn(i)}`).join(' ');
const bodyOf = (text: string) =>
  new TextEncoder().encode(JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: text }] }));

function harness(overrides: Partial<Omit<PipelineDeps, 'limits' | 'log'>> & { decision?: Decision } = {}) {
  const records: Record<string, unknown>[] = [];
  const forwarded: unknown[] = [];
  const ledger = {
    chain: 'test',
    async append(type: string, _id: string | null, body: Record<string, unknown>) {
      if (type === 'decision') records.push(structuredClone(body));
      return { chain: 'test', seq: records.length, hash: `h${records.length}`, bytes: new Uint8Array(), record: {} };
    },
  } as unknown as Ledger;
  const deps: PipelineDeps = {
    authenticator: { authenticate: async () => principal },
    classifier,
    policy: {
      decide: () => ({
        decision: overrides.decision ?? allow,
        version: { revision: 't', sha256: '0'.repeat(64) },
        shadow: null,
      }),
    },
    ledger,
    forwarder: {
      forward: async (_t, _p, body) => {
        forwarded.push(body);
        return { status: 200, contentType: 'application/json', body: { choices: [] } };
      },
      openStream: async () => {
        throw new Error('this test does not stream');
      },
      close: async () => {},
    },
    upstreams: registryOf([upstreamSettings({ name: 'echo', zeroDataRetention: true })]),
    clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
    limits: createMemoryLimiter(),
    log: createLogSink().log,
    bodyDigestKey: new Uint8Array(32).fill(9), // one key for every harness: records compare equal across them
    ...overrides,
  };
  const handler = createRequestHandler(deps);
  const send = (body: Uint8Array) =>
    handler.handle({ requestId: 'r1', api: 'openai.chat_completions', headers: { authorization: 'Bearer t' }, body });
  const run = (text: string) => send(bodyOf(text));
  return { records, forwarded, run, send };
}

describe('the classify stage', () => {
  it('records exact counts and only the first findings of a dense prompt, and tells the policy', async () => {
    const h = harness({ maxFindings: 10 });
    const reply = await h.run(dense(300));
    expect(reply.status).toBe(200);
    const record = h.records[0] as {
      classification: { findings: unknown[] };
      policy_input: { classification: unknown };
    };
    expect(record.classification).toMatchObject({
      finding_count: 300,
      types: { US_SSN: 300 },
      categories: { PII: 300 },
      truncated: true,
    });
    expect(record.classification.findings).toHaveLength(10);
    expect(record.policy_input.classification).toMatchObject({
      finding_count: 300,
      types: { US_SSN: 300 },
      where: { user: 300 },
      truncated: true,
    });
  });

  it('keeps 256 findings by default, and lists every finding under the cap without truncated', async () => {
    const h = harness();
    await h.run(dense(300));
    await h.run(dense(3));
    expect(h.records[0]).toMatchObject({ classification: { finding_count: 300, truncated: true } });
    expect((h.records[0] as { classification: { findings: unknown[] } }).classification.findings).toHaveLength(256);
    expect(h.records[1]).toMatchObject({ classification: { finding_count: 3, truncated: false } });
    expect(
      (h.records[1] as { policy_input: { classification: object } }).policy_input.classification,
    ).not.toHaveProperty('truncated');
  });

  it('refuses a redaction of a type with findings past the cap, and forwards nothing', async () => {
    const h = harness({ maxFindings: 10, decision: { ...allow, obligations: { ...obligations, redact: ['US_SSN'] } } });
    const reply = await h.run(dense(30));
    expect(reply.status).toBe(413);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_TOO_MANY_FINDINGS' } });
    expect(h.forwarded).toHaveLength(0);
    expect(h.records[0]).toMatchObject({
      decision: { allow: false, stage: 'redact', reasons: [{ code: 'ERR_TOO_MANY_FINDINGS' }] },
    });
  });

  it('refuses a redaction when pieces of split values fill the cap, though fewer values were counted than kept', async () => {
    // Eight SSNs, each split across two messages: counted as eight values, found as sixteen pieces. With ten kept,
    // three values lose a piece; comparing counts (8) with kept findings (10) would have forwarded them unredacted.
    const h = harness({ maxFindings: 10, decision: { ...allow, obligations: { ...obligations, redact: ['US_SSN'] } } });
    const messages = Array.from({ length: 8 }, (_, i) => [
      { role: 'user', content: `ssn ${String(201 + i)}-4${i}-` },
      { role: 'user', content: `${String(3001 + i)} noted` },
    ]).flat();
    const reply = await h.send(new TextEncoder().encode(JSON.stringify({ model: 'echo-1', messages })));
    expect(h.records[0]).toMatchObject({ classification: { finding_count: 8, truncated: true } });
    expect(reply.status).toBe(413);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_TOO_MANY_FINDINGS' } });
    expect(h.forwarded).toHaveLength(0);
  });

  it('answers 503 with retry-after, recorded at the classify stage, when every classifier is busy', async () => {
    const busy = { classify: () => Promise.reject(new ClassificationError('ERR_CLASSIFIER_BUSY', null, 'busy')) };
    const h = harness({ requestClassifier: busy });
    const reply = await h.run('hello');
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('1');
    expect(reply.body).toMatchObject({ error: { code: 'ERR_CLASSIFIER_BUSY', type: 'service_unavailable' } });
    expect(h.records[0]).toMatchObject({
      decision: { allow: false, stage: 'classify', reasons: [{ code: 'ERR_CLASSIFIER_BUSY' }] },
    });
    expect(h.forwarded).toHaveLength(0);
  });

  it('answers 413 ERR_REQUEST_TOO_COMPLEX naming the bound, recorded, when the input passes a classification bound', async () => {
    // 128 tool names of 64 characters that can each be a value's piece: more pairs than name-pairs.ts reads.
    const tools = Array.from({ length: 128 }, (_, i) => ({
      type: 'function',
      function: { name: `NAME${i}X`.padEnd(64, 'Q'), parameters: { type: 'object' } },
    }));
    const body = () =>
      new TextEncoder().encode(JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'hi' }], tools }));
    for (const h of [harness(), harness({ intake: createIntake(intakePool) })]) {
      const reply = await h.send(body());
      expect(reply.status).toBe(413);
      expect(reply.body).toMatchObject({
        error: { code: 'ERR_REQUEST_TOO_COMPLEX', type: 'invalid_request_error' },
      });
      expect(JSON.stringify(reply.body)).toContain('ERR_NAME_PAIRS_EXCEEDED');
      expect(h.records[0]).toMatchObject({
        decision: { allow: false, stage: 'classify', reasons: [{ code: 'ERR_REQUEST_TOO_COMPLEX' }] },
      });
      expect(h.forwarded).toHaveLength(0);
    }
    const undecodable = new ClassificationError('ERR_DECODE_BUDGET_EXCEEDED', null, 'too many runs');
    const decoding = harness({ requestClassifier: { classify: () => Promise.reject(undecodable) } });
    const reply = await decoding.run('hello');
    expect(reply.status).toBe(413);
    expect(JSON.stringify(reply.body)).toContain('ERR_DECODE_BUDGET_EXCEEDED');
    const failing = harness({ requestClassifier: { classify: () => Promise.reject(new Error('a bug')) } });
    expect(await failing.run('hello')).toMatchObject({ status: 500 });
  });

  it('records the same classification for a large request classified on a thread as in-process', async () => {
    const text = `${dense(400)} mail alice@acme-corp.io key AKIA2E0A8F3B244C9986`;
    const onThread = harness({ requestClassifier: pool });
    const inProcess = harness();
    expect((await onThread.run(text)).status).toBe(200);
    expect((await inProcess.run(text)).status).toBe(200);
    expect(onThread.records[0]).toEqual(inProcess.records[0]);
    expect(onThread.records[0]).toMatchObject({ classification: { finding_count: 402, truncated: true } });
  });

  it('parses and classifies a large body on a thread with the in-process record, forwarded body and parse errors', async () => {
    const text = `${dense(400)} mail alice@acme-corp.io`;
    const onThread = harness({ intake: createIntake(intakePool) });
    const inProcess = harness();
    expect((await onThread.run(text)).status).toBe(200);
    expect((await inProcess.run(text)).status).toBe(200);
    expect(onThread.records[0]).toEqual(inProcess.records[0]);
    expect(onThread.forwarded).toEqual(inProcess.forwarded);
    // A body taken by the intake is consumed (its buffer moves to the thread): each handler gets its own.
    const invalid = () =>
      new TextEncoder().encode(
        JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: text }], surprise: 1 }),
      );
    const a = await onThread.send(invalid());
    const b = await inProcess.send(invalid());
    expect(a.status).toBe(400);
    expect(a.body).toEqual(b.body);
    expect(onThread.records[1]).toEqual(inProcess.records[1]);
  });

  it('answers 503 with retry-after when a large body finds every classification thread busy, and parses nothing here', async () => {
    const intake = {
      takes: () => true,
      run: () => Promise.reject(new ClassificationError('ERR_CLASSIFIER_BUSY', null, 'busy')),
    };
    const h = harness({
      intake,
      classifier: {
        classify: () => {
          throw new Error('must not classify in-process');
        },
      },
    });
    const reply = await h.run(dense(400));
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('1');
    expect(reply.body).toMatchObject({ error: { code: 'ERR_CLASSIFIER_BUSY' } });
    expect(h.records[0]).toMatchObject({
      request: null,
      decision: { allow: false, stage: 'classify', reasons: [{ code: 'ERR_CLASSIFIER_BUSY' }] },
    });
  });

  it('redacts a large body parsed on a thread exactly as in-process (its texts are read back on demand)', async () => {
    const text = `${'Quarterly notes, nothing sensitive here. '.repeat(200)} mail alice@acme-corp.io and bob@acme-corp.io`;
    const decision = { ...allow, obligations: { ...obligations, redact: ['EMAIL'] } };
    const onThread = harness({ intake: createIntake(intakePool), decision });
    const inProcess = harness({ decision });
    expect((await onThread.run(text)).status).toBe(200);
    expect((await inProcess.run(text)).status).toBe(200);
    expect(onThread.forwarded).toEqual(inProcess.forwarded);
    expect(JSON.stringify(onThread.forwarded)).not.toContain('alice@acme-corp.io');
    expect(onThread.records[0]).toEqual(inProcess.records[0]);
  });
});
