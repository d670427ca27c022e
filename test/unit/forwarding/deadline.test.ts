// The forwarder's whole-exchange time limit is cleared when the exchange ends: AbortSignal.timeout's timer could not
// be, so every request left one alive for total_ms (10 minutes by default) holding its async context.
import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createForwarder, exchangeSignal } from '../../../src/forwarding/index.ts';

const TOTAL_MS = 987_654; // a delay no other timer in this test uses

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('exchangeSignal', () => {
  it('aborts with a TimeoutError once its time is up, and never once cleared', () => {
    vi.useFakeTimers();
    const running = exchangeSignal(1000);
    const cleared = exchangeSignal(1000);
    cleared.clear();
    vi.advanceTimersByTime(999);
    expect(running.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(running.signal.aborted).toBe(true);
    expect((running.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(running.timedOut()).toBe(true);
    expect(cleared.signal.aborted).toBe(false);
  });

  it('follows the outer signal (its reason, not a timeout) until cleared, and stops listening to it then', () => {
    const outer = new AbortController();
    const following = exchangeSignal(TOTAL_MS, outer.signal);
    const ended = exchangeSignal(TOTAL_MS, outer.signal);
    // One listener on the outer signal for every exchange that follows it (adding one walks the ones already there).
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(1);
    ended.clear();
    outer.abort(new Error('draining'));
    expect(following.signal.aborted).toBe(true);
    expect((following.signal.reason as Error).message).toBe('draining');
    expect(following.timedOut()).toBe(false);
    expect(ended.signal.aborted).toBe(false);
    following.clear();
    const late = exchangeSignal(TOTAL_MS, outer.signal);
    expect(late.signal.aborted).toBe(true);
    late.clear();
  });
});

/** Timers started with TOTAL_MS, and whether each was cleared. */
function watchTimers() {
  const started: unknown[] = [];
  const cleared = new Set<unknown>();
  const set = globalThis.setTimeout;
  const clear = globalThis.clearTimeout;
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number, ...args: unknown[]) => {
    const timer: ReturnType<typeof setTimeout> = Reflect.apply(set, globalThis, [fn, ms, ...args]);
    if (ms === TOTAL_MS) started.push(timer);
    return timer;
  }) as typeof setTimeout);
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation(((timer: Parameters<typeof clearTimeout>[0]) => {
    cleared.add(timer);
    clear(timer);
  }) as typeof clearTimeout);
  return { started, pending: () => started.filter((t) => !cleared.has(t)).length };
}

describe('the forwarder clears its total-time limit when the exchange ends', () => {
  it('after a plain answer, after a failure, and when a stream closes', async () => {
    let releaseStream: () => void = () => {};
    const server = http.createServer((req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {}\n\n');
        releaseStream = () => res.end('data: [DONE]\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/bad' ? 'not json' : '{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const forwarder = createForwarder();
    const target = {
      name: 'up',
      baseUrl: `http://127.0.0.1:${port}`,
      headers: {},
      timeouts: { connectMs: 1000, firstByteMs: 5000, totalMs: TOTAL_MS },
    };
    const timers = watchTimers();
    try {
      expect((await forwarder.forward(target, '/ok', {}, { requestId: 'r' })).body).toEqual({ ok: true });
      expect(timers.started).toHaveLength(1);
      expect(timers.pending()).toBe(0);
      await expect(forwarder.forward(target, '/bad', {}, { requestId: 'r' })).rejects.toMatchObject({
        code: 'ERR_UPSTREAM_BAD_RESPONSE',
      });
      expect(timers.started).toHaveLength(2);
      expect(timers.pending()).toBe(0);
      const stream = await forwarder.openStream(
        target,
        '/stream',
        {},
        { requestId: 'r', signal: new AbortController().signal },
      );
      const events = stream.events as AsyncIterable<Uint8Array>;
      expect(timers.pending()).toBe(1); // the stream is still open: its limit holds
      releaseStream();
      let text = '';
      for await (const chunk of events) text += Buffer.from(chunk).toString('utf8');
      expect(text).toContain('[DONE]');
      await new Promise((resolve) => setImmediate(resolve)); // 'close' follows 'end'
      expect(timers.pending()).toBe(0);
    } finally {
      vi.restoreAllMocks();
      await forwarder.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
