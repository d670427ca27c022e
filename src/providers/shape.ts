// Closed-world request shapes: a small declarative schema per API (the types and the constructors adapters build
// them with). The walk (shape-walk.ts) validates a client body against a shape, rebuilds it from what it validated,
// and yields every text the model will read as a segment; the body that goes upstream is its output.
import type { SegmentLocation } from './types.ts';

type Json = Record<string, unknown>;

/** A string the model reads (or that goes upstream with the request): always classified. */
export interface TextShape {
  readonly kind: 'text';
  /** false: classified, but not counted in the prompt-size estimate (the model name). */
  readonly counted?: false;
  /** Also required of the string (e.g. a tool name's characters); it narrows, it never replaces classification. */
  readonly pattern?: RegExp;
  readonly location?: SegmentLocation;
}
/** A closed token: one of a fixed set of strings, which cannot carry data. */
export interface EnumShape {
  readonly kind: 'enum';
  readonly values: ReadonlySet<string>;
}
export interface NumberShape {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}
export interface BooleanShape {
  readonly kind: 'boolean';
}
export interface NullShape {
  readonly kind: 'null';
}
export interface ArrayShape {
  readonly kind: 'array';
  readonly of: Shape;
  readonly min: number;
  readonly max: number;
}
/** A closed object: only the named fields, each with its shape. */
export interface ObjectShape {
  readonly kind: 'object';
  readonly fields: Readonly<Record<string, Shape>>;
  readonly required: readonly string[];
  /** The location of the texts inside, from the object itself (a message's role); undefined keeps the parent's. */
  readonly locate?: (value: Json) => SegmentLocation | undefined;
  /** Rules across fields, run on the rebuilt object; MUST throw RequestError. */
  readonly check?: (value: Json, path: string) => void;
  /** Why a field is refused, for fields clients commonly send (the message names the reason). */
  readonly refused?: Readonly<Record<string, string>>;
  /** Fields refused as unsupported (ERR_REQUEST_UNSUPPORTED), with the reason. */
  readonly unsupported?: Readonly<Record<string, string>>;
  /** Counted in the prompt-size estimate as its whole JSON (a tool definition is rendered to the model whole). */
  readonly sizeAsJson?: true;
}
/** A value of these JSON types is refused as unsupported (a token array, an image part): the message says why. */
export interface RefuseShape {
  readonly kind: 'refuse';
  readonly types: readonly JsonType[];
  readonly reason: string;
}
/** An object used as a map whose keys are closed tokens (a pattern too narrow to carry a value), e.g. token ids. */
export interface MapShape {
  readonly kind: 'map';
  readonly key: RegExp;
  readonly of: Shape;
  readonly max: number;
}
/** Free-form JSON the model reads (tool schemas, tool inputs): every string and every property name is text. */
export interface JsonShape {
  readonly kind: 'json';
  readonly location?: SegmentLocation;
  /** The value itself must be an object (a schema, a tool input). */
  readonly object?: true;
}
/** One of several shapes, chosen by the value's JSON type (at most one option per type). */
export interface EitherShape {
  readonly kind: 'either';
  readonly options: readonly Shape[];
}
/** An object whose shape depends on a tag field (`type`, `role`); `fallback` when the tag is absent. */
export interface VariantShape {
  readonly kind: 'variant';
  readonly tag: string;
  readonly variants: Readonly<Record<string, ObjectShape>>;
  readonly fallback?: string;
  /** Where an unsupported tag is reported: the tag field itself, or (default) the value that carries it. */
  readonly reportAt?: 'tag';
  /** An unknown tag is invalid (a bad role), not unsupported content (an image part, a web search tool). */
  readonly invalidTag?: true;
}

export type Shape =
  | TextShape
  | EnumShape
  | NumberShape
  | BooleanShape
  | NullShape
  | ArrayShape
  | ObjectShape
  | MapShape
  | JsonShape
  | EitherShape
  | VariantShape
  | RefuseShape;

export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

export const text = (options: Omit<TextShape, 'kind'> = {}): TextShape => ({ kind: 'text', ...options });
export const refuse = (reason: string, ...types: JsonType[]): RefuseShape => ({ kind: 'refuse', types, reason });
export const oneOf = (...values: string[]): EnumShape => ({ kind: 'enum', values: new Set(values) });
export const int = (min: number, max = Number.MAX_SAFE_INTEGER): NumberShape => ({
  kind: 'number',
  min,
  max,
  integer: true,
});
export const num = (min: number, max: number): NumberShape => ({ kind: 'number', min, max, integer: false });
export const bool: BooleanShape = { kind: 'boolean' };
export const nul: NullShape = { kind: 'null' };
export const json = (options: Omit<JsonShape, 'kind'> = {}): JsonShape => ({ kind: 'json', ...options });
export const arrayOf = (of: Shape, max: number, min = 0): ArrayShape => ({ kind: 'array', of, min, max });
export const mapOf = (key: RegExp, of: Shape, max: number): MapShape => ({ kind: 'map', key, of, max });
export const either = (...options: Shape[]): EitherShape => ({ kind: 'either', options });
export const nullable = (shape: Shape): EitherShape => either(shape, nul);
export const variant = (
  tag: string,
  variants: Record<string, ObjectShape>,
  options: Omit<VariantShape, 'kind' | 'tag' | 'variants'> = {},
): VariantShape => ({ kind: 'variant', tag, variants, ...options });
export function object(
  fields: Record<string, Shape>,
  options: Omit<ObjectShape, 'kind' | 'fields'> | { required?: readonly string[] } = {},
): ObjectShape {
  return { kind: 'object', fields, required: [], ...options };
}
