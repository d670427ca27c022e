// JSON as clients and upstreams send it: a client body is strict JSON (UTF-8, one object) before its API's closed
// shape (shape.ts) walks it; stream events are JSON objects or a protocol error (never relayed unscanned).
import { RequestError, StreamProtocolError } from './types.ts';

export type Json = Record<string, unknown>;

export const MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;

/** One decoder for every body: a call without `stream` starts afresh, after a failure too. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonObject(raw: Uint8Array): Json {
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch (cause) {
    throw new RequestError('ERR_REQUEST_NOT_JSON', 'request body is not valid UTF-8', null, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Dropped on purpose: JSON.parse's message quotes the client's bytes (raw data must not reach logs); a 400 is all.
    throw new RequestError('ERR_REQUEST_NOT_JSON', 'request body is not valid JSON', null);
  }
  if (!isPlainObject(value)) throw new RequestError('ERR_REQUEST_INVALID', 'request body must be a JSON object', null);
  return value;
}

/** A stream event's data as a JSON object; anything else is a protocol error (never relayed unscanned). */
export function streamEventObject(data: string): Json {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    // Dropped on purpose: JSON.parse's message quotes the upstream's answer text, which must not reach logs.
    throw new StreamProtocolError('a stream event is not JSON');
  }
  if (!isPlainObject(payload)) throw new StreamProtocolError('a stream event is not a JSON object');
  return payload;
}

/** A typed stream event (Anthropic and Responses events carry `type`). */
export function typedStreamEvent(data: string): Json & { type: string } {
  const payload = streamEventObject(data);
  if (typeof payload.type !== 'string') throw new StreamProtocolError('a stream event has no type');
  return payload as Json & { type: string };
}

export function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
