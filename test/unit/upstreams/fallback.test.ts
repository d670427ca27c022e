// Retries and fallback: which failures move on, how long it waits, the attempt bound, and that every attempt is listed.
import { describe, expect, it } from 'vitest';
import {
  forwardWithFallback,
  retryAfterMs,
  type FailureVerdict,
  type RetrySettings,
} from '../../../src/upstreams/index.ts';

interface Response {
  status: number;
  retryAfter?: string | null;
  id: string;
}
class Unreachable extends Error {
  readonly started: boolean;
  readonly status: number | null;
  constructor(started: boolean, status: number | null = null) {
    super('unreachable');
    this.started = started;
    this.status = status;
  }
}

const A = { name: 'a' };
const B = { name: 'b' };
const C = { name: 'c' };

function run(
  candidates: { name: string }[],
  script: Record<string, (Response | Unreachable)[]>,
  retry: Partial<RetrySettings> = {},
) {
  let clock = 0;
  const sent: string[] = [];
  const slept: number[] = [];
  const discarded: string[] = [];
  const result = forwardWithFallback(
    candidates,
    async (u) => {
      sent.push(u.name);
      clock += 5;
      const next = script[u.name]?.shift();
      if (next === undefined) throw new Error(`unexpected attempt at ${u.name}`);
      if (next instanceof Unreachable) throw next;
      return next;
    },
    {
      retry: { maxAttempts: 3, backoffMs: 10, maxRetryAfterMs: 1000, ...retry },
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      classify: (error): FailureVerdict =>
        error instanceof Unreachable
          ? { code: 'ERR_UPSTREAM_UNREACHABLE', retryable: !error.started, status: error.status }
          : { code: 'ERR_INTERNAL', retryable: false, status: null },
      retryAfter: (r) => r.retryAfter ?? null,
      discard: (r) => {
        discarded.push(r.id);
      },
    },
  );
  return { result, sent, slept, discarded };
}

describe('forwardWithFallback', () => {
  it('returns the first good answer without further attempts', async () => {
    const r = run([A, B], { a: [{ status: 200, id: 'a1' }] });
    const result = await r.result;
    expect(result).toMatchObject({
      ok: true,
      upstream: A,
      response: { id: 'a1' },
      attempts: [{ upstream: 'a', status: 200, error: null, latency_ms: 5 }],
    });
    expect(r.sent).toEqual(['a']);
  });

  it('moves to the next candidate on a connect error, a 5xx and a 429, discarding the rejected answers', async () => {
    const r = run([A, B, C], {
      a: [new Unreachable(false)],
      b: [{ status: 503, id: 'b1' }],
      c: [{ status: 200, id: 'c1' }],
    });
    const result = await r.result;
    expect(result.ok && result.response.id).toBe('c1');
    expect(result.attempts.map((x) => [x.upstream, x.status, x.error])).toEqual([
      ['a', null, 'ERR_UPSTREAM_UNREACHABLE'],
      ['b', 503, null],
      ['c', 200, null],
    ]);
    expect(r.discarded).toEqual(['b1']);
    expect(r.slept).toEqual([10, 10]);
  });

  it('never retries a failure after the answer started, nor a 4xx other than 429', async () => {
    const started = await run([A, B], { a: [new Unreachable(true, 200)] }).result;
    expect(started).toMatchObject({
      ok: false,
      attempts: [{ upstream: 'a', status: 200, error: 'ERR_UPSTREAM_UNREACHABLE' }],
    });
    const r = run([A, B], { a: [{ status: 400, id: 'a1' }] });
    expect(await r.result).toMatchObject({ ok: true, response: { status: 400 } });
    expect(r.sent).toEqual(['a']);
  });

  it('stops at max_attempts and hands on the last answer, not discarded', async () => {
    const r = run([A, B], {
      a: [
        { status: 500, id: 'a1' },
        { status: 500, id: 'a2' },
      ],
      b: [{ status: 502, id: 'b1' }],
    });
    const result = await r.result;
    expect(r.sent).toEqual(['a', 'b', 'a']);
    expect(result).toMatchObject({ ok: true, upstream: A, response: { id: 'a2' } });
    expect(r.discarded).toEqual(['a1', 'b1']);
    const single = run([A], { a: [{ status: 500, id: 'x' }] }, { maxAttempts: 1 });
    expect((await single.result).attempts).toHaveLength(1);
  });

  it('waits for a retry-after within the cap before trying the same upstream again', async () => {
    const r = run(
      [A],
      {
        a: [
          { status: 429, retryAfter: '1', id: 'a1' },
          { status: 200, id: 'a2' },
        ],
      },
      { maxRetryAfterMs: 2000 },
    );
    expect(await r.result).toMatchObject({ ok: true, response: { id: 'a2' } });
    expect(r.slept).toEqual([1000]);
  });

  it('leaves an upstream alone whose retry-after exceeds the cap: another candidate, or the 429 itself', async () => {
    const r = run([A, B], {
      a: [{ status: 429, retryAfter: '120', id: 'a1' }],
      b: [
        { status: 503, id: 'b1' },
        { status: 200, id: 'b2' },
      ],
    });
    expect(await r.result).toMatchObject({ ok: true, upstream: B, response: { id: 'b2' } });
    expect(r.sent).toEqual(['a', 'b', 'b']);
    expect(r.slept).toEqual([10, 10]); // moving to another upstream does not wait for a's retry-after
    const alone = run([A], { a: [{ status: 429, retryAfter: '120', id: 'a1' }] });
    expect(await alone.result).toMatchObject({ ok: true, response: { status: 429, id: 'a1' } });
    expect(alone.discarded).toEqual([]);
  });

  it('does not retry an error it cannot classify as safe', async () => {
    const r = run([A, B], {});
    const result = await r.result;
    expect(result).toMatchObject({ ok: false, attempts: [{ upstream: 'a', error: 'ERR_INTERNAL' }] });
  });

  it('stops between attempts once the client has gone', async () => {
    const controller = new AbortController();
    const sent: string[] = [];
    const result = await forwardWithFallback(
      [A, B],
      async (u) => {
        sent.push(u.name);
        controller.abort();
        return { status: 503 };
      },
      {
        retry: { maxAttempts: 3, backoffMs: 0, maxRetryAfterMs: 0 },
        now: () => 0,
        classify: () => ({ code: 'x', retryable: true, status: null }),
        retryAfter: () => null,
        signal: controller.signal,
      },
    );
    expect(sent).toEqual(['a']);
    expect(result.attempts).toHaveLength(1);
  });
});

describe('retryAfterMs', () => {
  it('reads delta seconds and HTTP dates; anything else is null', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(new Date(0).toUTCString(), 4_000)).toBe(0);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs('-1', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });
});
