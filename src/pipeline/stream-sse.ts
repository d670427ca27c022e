// Server-sent events, both ways: a decoder that turns upstream bytes into events as they arrive (split anywhere,
// UTF-8 across chunk boundaries included) and the encoder for what the client is sent. Invariants: one event (its
// data lines and name, with the line still being read) longer than `maxEventChars` is an error, however its lines are
// framed (an upstream cannot make Proctor buffer without bound); each character is scanned for a line end once (a long
// line sent in small chunks costs linear time); comments and `id:`/`retry:` fields are dropped (never relayed unread);
// an event's data lines are joined by "\n" as the SSE spec says.
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

/** One event's limit, in UTF-16 units, by default: a line's limit too (an event is at least one line). */
export const SSE_MAX_EVENT_CHARS = 1024 * 1024;

/**
 * Most JSON strings (values and property names) one event's data may hold. Each costs the parse, the answer walk and
 * the field screen on the event loop (~4 µs together), so an event of 100k short strings held it for 350 ms and
 * more; an event past this is refused before it is parsed (a real event holds a few, a Responses `response.created`
 * echoing the request's tools a few thousand).
 */
export const SSE_MAX_EVENT_STRINGS = 20_000;

/** The JSON strings in `data` (its unescaped quotes, halved, rounded up): one linear pass, no parse. */
export function jsonStringCount(data: string): number {
  let quotes = 0;
  for (let at = data.indexOf('"'); at >= 0; at = data.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (at - backslashes > 0 && data.charCodeAt(at - backslashes - 1) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) quotes += 1;
  }
  return Math.ceil(quotes / 2);
}

/** Throws SseDecodeError when an event's data holds more than `max` JSON strings. */
export function checkEventStrings(event: SseEvent, max = SSE_MAX_EVENT_STRINGS): void {
  if (event.data.length > 2 * max && jsonStringCount(event.data) > max) {
    throw new SseDecodeError(`an upstream stream event holds more than ${max} strings and property names`);
  }
}

export function createSseDecoder(maxEventChars = SSE_MAX_EVENT_CHARS): SseDecoder {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  /** The line being read, as the pieces it arrived in (joined once, at its end). */
  let pieces: string[] = [];
  let lineChars = 0;
  /** The last chunk ended with CR: an LF that starts the next one is the rest of that CRLF. */
  let afterCr = false;
  let event: string | null = null;
  let data: string[] = [];
  /** Characters the event holds: its data lines (each with its joining "\n") and its name. */
  let eventChars = 0;
  let started = false;

  const tooLong = () =>
    new SseDecodeError(`an upstream stream event exceeds ${maxEventChars} characters (in its lines or as a whole)`);

  function line(text: string, out: SseEvent[]): void {
    if (text === '') {
      if (data.length > 0) out.push({ event, data: data.join('\n') });
      event = null;
      data = [];
      eventChars = 0;
      started = false;
      return;
    }
    started = true;
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') {
      eventChars += value.length - (event?.length ?? 0);
      event = value;
    } else if (field === 'data') {
      eventChars += value.length + 1;
      data.push(value);
    }
    if (eventChars > maxEventChars) throw tooLong();
  }

  /** The line whose last piece is `tail`: the held pieces and the tail, joined once. */
  function take(tail: string): string {
    if (pieces.length === 0) return tail;
    pieces.push(tail);
    const text = pieces.join('');
    pieces = [];
    lineChars = 0;
    return text;
  }

  return {
    push(chunk) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch (cause) {
        throw new SseDecodeError('the upstream stream is not valid UTF-8', { cause });
      }
      const out: SseEvent[] = [];
      let start = 0;
      if (afterCr && text.charCodeAt(0) === 10) start = 1;
      if (text.length > 0) afterCr = false;
      // Only this chunk is scanned: what came before it holds no line end (it was cut at the last one).
      for (let i = start; i < text.length; i += 1) {
        const c = text.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        line(take(text.slice(start, i)), out);
        if (c === 13) {
          if (i + 1 === text.length) afterCr = true;
          else if (text.charCodeAt(i + 1) === 10) i += 1;
        }
        start = i + 1;
      }
      if (start < text.length) {
        pieces.push(text.slice(start));
        lineChars += text.length - start;
      }
      // The line being read counts against the event it belongs to (a line alone, or data lines before it).
      if (lineChars + eventChars > maxEventChars) throw tooLong();
      return out;
    },
    pending: () => lineChars > 0 || started,
  };
}

export function encodeSse(event: SseEvent): string {
  const head = event.event === null ? '' : `event: ${event.event}\n`;
  // JSON.stringify writes no raw line break: one data line, as most events are.
  if (!event.data.includes('\n') && !event.data.includes('\r')) return `${head}data: ${event.data}\n\n`;
  return `${head}${event.data
    .split('\n')
    .map((l) => `data: ${l}`)
    .join('\n')}\n\n`;
}
