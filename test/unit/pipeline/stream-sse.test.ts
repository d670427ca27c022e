import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSseDecoder, encodeSse, SseDecodeError } from '../../../src/pipeline/stream-sse.ts';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('SSE decoder', () => {
  it('reads named and unnamed events, joins data lines, and drops comments, ids and retries', () => {
    const d = createSseDecoder();
    const events = d.push(
      bytes(': keep-alive\nid: 7\nretry: 10\nevent: message_start\ndata: {"a":1}\n\ndata: line1\ndata: line2\n\n'),
    );
    expect(events).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { event: null, data: 'line1\nline2' },
    ]);
    expect(d.pending()).toBe(false);
  });

  it('accepts CRLF and CR line ends, including a CRLF split across chunks', () => {
    const d = createSseDecoder();
    expect(d.push(bytes('data: a\r'))).toEqual([]);
    // A CR ends its line at once; an LF that starts the next chunk is the rest of that CRLF, not a blank line.
    expect(d.push(bytes('\n\r\ndata: b\r\r'))).toEqual([
      { event: null, data: 'a' },
      { event: null, data: 'b' },
    ]);
    expect(d.push(bytes('\ndata: c\r'))).toEqual([]);
    expect(d.push(bytes('\n\n'))).toEqual([{ event: null, data: 'c' }]);
    expect(d.pending()).toBe(false);
  });

  it('reports an unfinished event as pending (a stream cut mid-event)', () => {
    const d = createSseDecoder();
    d.push(bytes('data: {"partial": tr'));
    expect(d.pending()).toBe(true);
  });

  it('refuses a line longer than its limit and bytes that are not UTF-8', () => {
    expect(() => createSseDecoder(16).push(bytes(`data: ${'x'.repeat(32)}`))).toThrow(SseDecodeError);
    expect(() => createSseDecoder().push(Uint8Array.from([0x64, 0x61, 0xff, 0x0a]))).toThrow(SseDecodeError);
  });

  it('refuses an event whose data lines together pass the limit, with no blank line between them', () => {
    const d = createSseDecoder(1024);
    const line = bytes(`data: ${'y'.repeat(100)}\n`);
    for (let i = 0; i < 10; i += 1) expect(d.push(line)).toEqual([]); // 1,010 characters held: within the limit
    expect(() => d.push(line)).toThrow(SseDecodeError);
  });

  it('counts the line being read against the event it belongs to, and starts each event afresh', () => {
    const d = createSseDecoder(64);
    expect(d.push(bytes(`event: e\ndata: ${'a'.repeat(40)}\n\n`))).toEqual([{ event: 'e', data: 'a'.repeat(40) }]);
    expect(d.push(bytes(`data: ${'b'.repeat(40)}\n`))).toEqual([]);
    expect(() => d.push(bytes(`data: ${'c'.repeat(30)}`))).toThrow(SseDecodeError);
  });

  it('reads a long line sent a few bytes at a time as one line', () => {
    const d = createSseDecoder();
    const wire = bytes(`data: ${'é'.repeat(50_000)}\n\n`);
    const out = [];
    for (let at = 0; at < wire.length; at += 7) out.push(...d.push(wire.subarray(at, at + 7)));
    expect(out).toEqual([{ event: null, data: 'é'.repeat(50_000) }]);
  });

  it('decodes what it encodes, however the bytes are split (property)', () => {
    const event = fc.record({
      event: fc.option(fc.stringMatching(/^[a-z_.]{1,20}$/), { nil: null }),
      data: fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !/[\r]/.test(s)),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (events, cuts) => {
        const wire = bytes(events.map(encodeSse).join(''));
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const d = createSseDecoder();
        const out = [];
        let at = 0;
        for (const p of [...points, wire.length]) {
          out.push(...d.push(wire.subarray(at, p)));
          at = p;
        }
        expect(out).toEqual(events);
      }),
    );
  });
});
