// Validation shared by the adapters: a client body is strict JSON (UTF-8, one object), each top-level field is named
// in the adapter's table with its check (an unknown field is a 400 naming it, never passed through unseen), and the
// strings inside free-form JSON the model reads (tool schemas, tool inputs) become segments with exact paths.
import { utf8Bytes } from './token-estimate.ts';
import { RequestError, StreamProtocolError, type RequestSegment, type SegmentLocation } from './types.ts';

export type Json = Record<string, unknown>;
export type FieldChecks = Record<string, (v: unknown) => boolean>;

export const MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;

/** What parsing gathers besides the body: the segments, and the sizes the token estimate needs. */
export interface Collected {
  segments: RequestSegment[];
  textBytes: number;
  toolCalls: number;
}

export function newCollected(): Collected {
  return { segments: [], textBytes: 0, toolCalls: 0 };
}

export function addSegment(collected: Collected, path: string, text: string, location: SegmentLocation): void {
  collected.segments.push({ path, text, location });
  collected.textBytes += utf8Bytes(text);
}

export function parseJsonObject(raw: Uint8Array): Json {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new RequestError('ERR_REQUEST_NOT_JSON', 'request body is not valid UTF-8', null);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RequestError('ERR_REQUEST_NOT_JSON', 'request body is not valid JSON', null);
  }
  if (!isPlainObject(value)) throw new RequestError('ERR_REQUEST_INVALID', 'request body must be a JSON object', null);
  return value;
}

/** Every key of `body` must be in `fields` and pass its check; every name in `required` must be present. */
export function checkFields(body: Json, fields: FieldChecks, required: readonly string[], at = ''): void {
  for (const key of Object.keys(body)) {
    const path = `${at}${key}`;
    if (!Object.hasOwn(fields, key)) {
      const hint = key === 'user' || key === 'metadata' ? ' (identity comes from the access token, never from the body)' : '';
      throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${path}'${hint}`, path);
    }
    if (!(fields[key] as (v: unknown) => boolean)(body[key])) throw new RequestError('ERR_REQUEST_INVALID', `invalid value for '${path}'`, path);
  }
  for (const key of required) {
    if (body[key] === undefined) throw new RequestError('ERR_REQUEST_INVALID', `'${at}${key}' is required`, `${at}${key}`);
  }
}

const JSON_MAX_DEPTH = 32;
/** Keys that would make a segment path ambiguous, so a redaction could land on another string than the one found. */
const PATH_UNSAFE_KEY = /[.[\]]/;

/**
 * Free-form JSON the model reads (a tool's parameter schema, a tool call's input object): every string in it is a
 * segment, and its property names are one more segment at the object's own path, which names an object: a finding
 * there cannot be redacted in place, so a redaction obligation on it refuses the request rather than forward it.
 * Sizes are not counted here: callers count the whole JSON once (`utf8Bytes(JSON.stringify(value))`).
 */
export function collectJsonStrings(value: unknown, path: string, collected: Collected, location: SegmentLocation, depth = 0): void {
  if (depth > JSON_MAX_DEPTH) throw new RequestError('ERR_REQUEST_INVALID', `${path}: nested deeper than ${JSON_MAX_DEPTH} levels`, path);
  if (typeof value === 'string') {
    collected.segments.push({ path, text: value, location });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => collectJsonStrings(item, `${path}[${i}]`, collected, location, depth + 1));
  } else if (isPlainObject(value)) {
    const keys = Object.keys(value);
    const unsafe = keys.find((k) => k === '' || PATH_UNSAFE_KEY.test(k));
    if (unsafe !== undefined) {
      throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${path}: property names with '.', '[' or ']' are not supported`, path);
    }
    if (keys.length > 0) collected.segments.push({ path, text: keys.join('\n'), location });
    for (const key of keys) collectJsonStrings(value[key], `${path}.${key}`, collected, location, depth + 1);
  }
}

/** A stream event's data as a JSON object; anything else is a protocol error (never relayed unscanned). */
export function streamEventObject(data: string): Json {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
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

export function isPositiveInt(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 1;
}

export function isNumberIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
}

export function isString(v: unknown): boolean {
  return typeof v === 'string';
}

export function isBoolean(v: unknown): boolean {
  return typeof v === 'boolean';
}

/** `stop` in the OpenAI sense: a string or up to 4 strings. */
export function isStop(v: unknown): boolean {
  return typeof v === 'string' || (Array.isArray(v) && v.length <= 4 && v.every((s) => typeof s === 'string'));
}

/** `stream_options` as the client may send it: only include_usage, a boolean. */
export function isStreamOptions(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).every((k) => k === 'include_usage') && (v.include_usage === undefined || typeof v.include_usage === 'boolean');
}
