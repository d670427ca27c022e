// Server-sent events, both ways: a decoder that turns upstream bytes into events as they arrive (split anywhere,
// UTF-8 across chunk boundaries included) and the encoder for what the client is sent. Invariants: a line longer than
// `maxLineBytes` is an error (an upstream cannot make Proctor buffer without bound); comments and `id:`/`retry:`
// fields are dropped (never relayed unread); an event's data lines are joined by "\n" as the SSE spec says.
import type { SseEvent } from '../providers/index.ts';

export class SseDecodeError extends Error {
  readonly code = 'ERR_UPSTREAM_BAD_RESPONSE';
}

export interface SseDecoder {
  /** The events completed by this chunk, in order. */
  push(chunk: Uint8Array): SseEvent[];
  /** True when bytes of an unfinished event are held (a stream that ends here was cut mid-event). */
  pending(): boolean;
}

export function createSseDecoder(maxLineBytes = 1024 * 1024): SseDecoder {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let buffer = '';
  let event: string | null = null;
  let data: string[] = [];
  let started = false;

  function line(text: string, out: SseEvent[]): void {
    if (text === '') {
      if (data.length > 0) out.push({ event, data: data.join('\n') });
      event = null;
      data = [];
      started = false;
      return;
    }
    started = true;
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }

  return {
    push(chunk) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch (cause) {
        throw new SseDecodeError('the upstream stream is not valid UTF-8', { cause });
      }
      buffer += text;
      const out: SseEvent[] = [];
      let start = 0;
      for (let i = 0; i < buffer.length; i += 1) {
        const c = buffer.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        // A lone CR at the very end may be the first half of CRLF: wait for the next chunk.
        if (c === 13 && i + 1 === buffer.length) break;
        line(buffer.slice(start, i), out);
        if (c === 13 && buffer.charCodeAt(i + 1) === 10) i += 1;
        start = i + 1;
      }
      buffer = buffer.slice(start);
      if (buffer.length > maxLineBytes)
        throw new SseDecodeError(`an upstream stream line exceeds ${maxLineBytes} characters`);
      return out;
    },
    pending: () => buffer.length > 0 || started,
  };
}

export function encodeSse(event: SseEvent): string {
  const head = event.event === null ? '' : `event: ${event.event}\n`;
  return `${head}${event.data
    .split('\n')
    .map((l) => `data: ${l}`)
    .join('\n')}\n\n`;
}
