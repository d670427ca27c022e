// The walk of a closed-world request shape (shape.ts): it validates a client body, rebuilds it from what it validated,
// and yields every text the model will read as a segment. Invariants: the rebuilt value holds only what the walk
// inspected: every string value and every object key in it is a text segment (with its exact path), or a closed token
// (an enum, a known field name of a closed object, or a map key matching a pattern too narrow to carry a value); an
// unknown field is refused (400), never copied; keys are looked up as own properties only and `__proto__`,
// `constructor` and `prototype` are refused anywhere; one depth limit holds for every nesting. The body that goes
// upstream is the output of this walk (providers/index.ts).
import type { JsonType, ObjectShape, Shape } from './shape.ts';
import { utf8Bytes } from './token-estimate.ts';
import { RequestError, type RequestSegment, type SegmentLocation } from './types.ts';

type Json = Record<string, unknown>;

/** One depth limit for every nested value of a request body (the body itself is depth 0). */
export const MAX_DEPTH = 32;
/** Keys that name prototype machinery: refused wherever they appear, so no lookup can ever reach Object.prototype. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** Property names that would make a segment path ambiguous, so a redaction could land on another string. */
const PATH_UNSAFE_KEY = /[.[\]]/;

/** What a walk yields: the rebuilt value and the texts in it, with the sizes the token estimate needs. */
export interface Inspected<T = unknown> {
  value: T;
  segments: RequestSegment[];
  /** UTF-8 bytes of the texts the model reads (sizeAsJson objects as their whole JSON). */
  textBytes: number;
}

interface WalkState extends Inspected {
  /** Inside a sizeAsJson object: texts are not counted one by one. */
  quiet: number;
}

/** Validates `value` against `shape` and rebuilds it; throws RequestError naming the first offending path. */
export function inspect<T = unknown>(shape: Shape, value: unknown, location: SegmentLocation, path = ''): Inspected<T> {
  const state: WalkState = { value: undefined, segments: [], textBytes: 0, quiet: 0 };
  const rebuilt = walk(shape, value, path, location, 0, state) as T;
  return { value: rebuilt, segments: state.segments, textBytes: state.textBytes };
}

function invalid(
  path: string,
  message: string,
  code: 'ERR_REQUEST_INVALID' | 'ERR_REQUEST_UNSUPPORTED' = 'ERR_REQUEST_INVALID',
): RequestError {
  return new RequestError(code, path === '' ? message : `${path}: ${message}`, path === '' ? null : path);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): JsonType | 'other' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'object' ? t : 'other';
}

function accepts(shape: Shape): readonly JsonType[] {
  switch (shape.kind) {
    case 'text':
    case 'enum':
      return ['string'];
    case 'number':
      return ['number'];
    case 'boolean':
      return ['boolean'];
    case 'null':
      return ['null'];
    case 'array':
      return ['array'];
    case 'object':
    case 'variant':
    case 'map':
      return ['object'];
    case 'json':
      return shape.object ? ['object'] : ['string', 'number', 'boolean', 'null', 'array', 'object'];
    case 'either':
      return shape.options.flatMap(accepts);
    case 'refuse':
      return shape.types;
  }
}

function walk(
  shape: Shape,
  value: unknown,
  path: string,
  location: SegmentLocation,
  depth: number,
  out: WalkState,
): unknown {
  if (depth > MAX_DEPTH) throw invalid(path, `nested deeper than ${MAX_DEPTH} levels`);
  switch (shape.kind) {
    case 'text': {
      if (typeof value !== 'string') throw invalid(path, 'must be a string');
      if (shape.pattern !== undefined && !shape.pattern.test(value))
        throw invalid(path, 'has characters or a length that are not allowed');
      addText(out, path, value, shape.location ?? location, shape.counted ?? true);
      return value;
    }
    case 'enum':
      if (typeof value !== 'string' || !shape.values.has(value))
        throw invalid(path, `must be one of ${[...shape.values].join(', ')}`);
      return value;
    case 'number':
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (shape.integer && !Number.isSafeInteger(value)) ||
        value < shape.min ||
        value > shape.max
      ) {
        throw invalid(path, `must be ${shape.integer ? 'an integer' : 'a number'} from ${shape.min} to ${shape.max}`);
      }
      // A number written with nine digits or more can carry a value (an SSN, a card number below 2^53; a fraction too:
      // `"temperature": 0.378282246310005` holds a card's fifteen digits): its text is classified.
      if (Math.abs(value) >= 1e8 || digitCount(JSON.stringify(value)) >= 9) {
        addText(out, path, JSON.stringify(value), location, false);
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(path, 'must be a boolean');
      return value;
    case 'null':
      if (value !== null) throw invalid(path, 'must be null');
      return null;
    case 'array': {
      if (!Array.isArray(value)) throw invalid(path, 'must be an array');
      if (value.length < shape.min || value.length > shape.max)
        throw invalid(path, `must have ${shape.min} to ${shape.max} items`);
      return value.map((item, i) => walk(shape.of, item, `${path}[${i}]`, location, depth + 1, out));
    }
    case 'object':
      return walkObject(shape, value, path, location, depth, out);
    case 'variant': {
      if (!isObject(value)) throw invalid(path, 'must be an object');
      const tag = Object.hasOwn(value, shape.tag) ? value[shape.tag] : shape.fallback;
      if (typeof tag !== 'string' || !Object.hasOwn(shape.variants, tag)) {
        const at = shape.reportAt === 'tag' || shape.invalidTag ? join(path, shape.tag) : path;
        if (shape.invalidTag) throw invalid(at, `must be one of ${Object.keys(shape.variants).join(', ')}`);
        throw invalid(
          at,
          `only ${shape.tag} ${Object.keys(shape.variants).join(', ')} can be classified, so only those are accepted`,
          'ERR_REQUEST_UNSUPPORTED',
        );
      }
      return walkObject(shape.variants[tag] as ObjectShape, value, path, location, depth, out);
    }
    case 'map': {
      if (!isObject(value)) throw invalid(path, 'must be an object');
      const keys = Object.keys(value);
      if (keys.length > shape.max) throw invalid(path, `must have at most ${shape.max} entries`);
      const rebuilt: Json = {};
      for (const key of keys) {
        checkKey(key, path);
        if (!shape.key.test(key)) throw invalid(join(path, key), 'is not an accepted key here');
        rebuilt[key] = walk(shape.of, value[key], join(path, key), location, depth + 1, out);
      }
      return rebuilt;
    }
    case 'refuse':
      throw invalid(path, shape.reason, 'ERR_REQUEST_UNSUPPORTED');
    case 'json':
      if (shape.object && !isObject(value)) throw invalid(path, 'must be an object');
      return walkJson(value, path, path, shape.location ?? location, depth, out);
    case 'either': {
      const type = typeOf(value);
      const option = shape.options.find((o) => type !== 'other' && accepts(o).includes(type));
      if (option === undefined) throw invalid(path, 'has a type that is not accepted here');
      return walk(option, value, path, location, depth, out);
    }
  }
}

function checkKey(key: string, path: string): void {
  if (FORBIDDEN_KEYS.has(key)) throw invalid(join(path, key), 'this property name is not accepted');
}

function walkObject(
  shape: ObjectShape,
  value: unknown,
  path: string,
  location: SegmentLocation,
  depth: number,
  out: WalkState,
): Json {
  if (!isObject(value)) throw invalid(path, 'must be an object');
  const here = shape.locate?.(value) ?? location;
  const rebuilt: Json = {};
  if (shape.sizeAsJson) out.quiet += 1;
  for (const key of Object.keys(value)) {
    checkKey(key, path);
    const at = join(path, key);
    if (shape.unsupported !== undefined && Object.hasOwn(shape.unsupported, key)) {
      throw new RequestError('ERR_REQUEST_UNSUPPORTED', `'${at}' ${shape.unsupported[key]}`, at);
    }
    if (!Object.hasOwn(shape.fields, key)) {
      const why = shape.refused !== undefined && Object.hasOwn(shape.refused, key) ? ` (${shape.refused[key]})` : '';
      throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${at}'${why}`, at);
    }
    rebuilt[key] = walk(shape.fields[key] as Shape, value[key], at, here, depth + 1, out);
  }
  for (const key of shape.required) {
    if (!Object.hasOwn(rebuilt, key)) throw invalid(join(path, key), 'is required');
  }
  shape.check?.(rebuilt, path);
  if (shape.sizeAsJson) {
    out.quiet -= 1;
    if (out.quiet === 0) out.textBytes += utf8Bytes(JSON.stringify(rebuilt));
  }
  return rebuilt;
}

/**
 * Free-form JSON: every string is a segment, and an object's property names are one more segment at the object's
 * own path, which names an object: a finding there cannot be redacted in place, so a redaction obligation on it
 * refuses the request rather than forward it. Property names here are the client's, so each segment also gets a
 * `label` for records, in which they stand as their position (`{0}`, `{1}`): a path never carries a value into a
 * record.
 */
function walkJson(
  value: unknown,
  path: string,
  label: string,
  location: SegmentLocation,
  depth: number,
  out: WalkState,
): unknown {
  if (depth > MAX_DEPTH) throw invalid(path, `nested deeper than ${MAX_DEPTH} levels`);
  switch (typeOf(value)) {
    case 'string':
      addText(out, path, value as string, location, true, label);
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(path, 'must be a finite number');
      // The model reads numbers too, and one can carry a value (a card number fits below 2^53): its text is classified
      // (a redaction there refuses the request: a segment path must name a string to be rewritten).
      addText(out, path, JSON.stringify(value), location, true, label);
      return value;
    case 'boolean':
    case 'null':
      return value;
    case 'array':
      return (value as unknown[]).map((item, i) =>
        walkJson(item, `${path}[${i}]`, `${label}[${i}]`, location, depth + 1, out),
      );
    case 'object': {
      const source = value as Json;
      const keys = Object.keys(source);
      for (const key of keys) {
        checkKey(key, path);
        if (key === '' || PATH_UNSAFE_KEY.test(key)) {
          throw invalid(
            path,
            "property names that are empty or hold '.', '[' or ']' are not supported",
            'ERR_REQUEST_UNSUPPORTED',
          );
        }
      }
      if (keys.length > 0) addText(out, path, keys.join('\n'), location, true, label);
      const rebuilt: Json = {};
      keys.forEach((key, i) => {
        rebuilt[key] = walkJson(source[key], join(path, key), join(label, `{${i}}`), location, depth + 1, out);
      });
      return rebuilt;
    }
    default:
      throw invalid(path, 'is not JSON');
  }
}

function addText(
  out: WalkState,
  path: string,
  value: string,
  location: SegmentLocation,
  counted = true,
  label = path,
): void {
  out.segments.push(label === path ? { path, text: value, location } : { path, text: value, location, label });
  if (counted && out.quiet === 0) out.textBytes += utf8Bytes(value);
}

/** How many decimal digits a number's JSON text spells. */
function digitCount(text: string): number {
  let n = 0;
  for (const c of text) if (c >= '0' && c <= '9') n += 1;
  return n;
}
