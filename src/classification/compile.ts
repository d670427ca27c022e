// Turns recognizer definitions (data, possibly from configuration) into compiled RE2 recognizers, checking every
// field. Invariant: a definition that is wrong in any way is a ClassificationError naming the recognizer, raised
// when the classifier is built (start-up), never while classifying.
import RE2 from 're2';
import { type Anchor, BUILT_IN_ANCHORS, BUILT_IN_FINDERS, BUILT_IN_TOKEN_MATCHES } from './anchors.ts';
import { ClassificationError } from './errors.ts';
import type { Finder } from './person-name-finder.ts';
import { splitAtGroup } from './group-split.ts';
import { STRONG_VALIDATORS } from './overlap.ts';
import { CATEGORIES } from './types.ts';
import type { Finding, RecognizerDefinition } from './types.ts';
import { ALTERNATIVE_REFINERS, FICTIONAL_VARIANTS, NORMALIZERS, REFINERS, VALIDATORS } from './validators.ts';

const DEFAULT_CONTEXT_BOOST = 20;

export interface CompiledRecognizer {
  type: string;
  category: Finding['category'];
  regex: RE2;
  /**
   * The same pattern, sticky: `test` at a given byte says whether a match starts there and (lastIndex) where it ends.
   */
  sticky: RE2;
  /** With indices ('d', ~3 µs more a call): asked only when a group's position in the match is ambiguous. */
  indexed: RE2;
  /** For `A(G)B` with the group at the top level: sticky A, G and B, which locate the group without exec. */
  parts: { before: RE2 | undefined; group: RE2; after: RE2 | undefined } | undefined;
  group: number;
  refine: ((value: string) => [number, number][]) | undefined;
  /** The refiner's windows are alternatives, longest first: the first valid one is the value (ALTERNATIVE_REFINERS). */
  refineAlternatives: boolean;
  validate: ((value: string) => boolean) | undefined;
  normalize: (value: string) => string;
  contextWords: readonly string[];
  excludeWords: readonly string[];
  excludeAdjacent: readonly string[];
  requireContext: boolean;
  fallback: boolean;
  contextBefore: number;
  contextAfter: number;
  contextInClause: boolean;
  /** The pattern can only start at a word boundary or on a delimiter, so re-searches may skip to the next token. */
  startsAtToken: boolean;
  baseScore: number;
  contextScore: number;
  /** Its pattern gets an RE2.Set of its own (per type) for the which-can-match pass (RecognizerDefinition). */
  separateSet: boolean;
  /**
   * How its findings rank when they overlap another type's (overlap.ts): 2 checksum, 1 validated or labelled, 0 none.
   */
  strength: number;
  /**
   * `(?:partial)$` (types.ts): where a value may still be starting at the end of the text; undefined: none declared.
   */
  partial: RE2 | undefined;
  /**
   * A literal every match holds near its start (anchors.ts; built-in definitions only): texts without it are skipped.
   */
  anchor: Anchor | undefined;
  /**
   * Requires context and matches within one token (anchors.ts BUILT_IN_TOKEN_MATCHES): searched near its words only.
   */
  tokenMatches: boolean;
  /**
   * Its matches found in JavaScript (anchors.ts BUILT_IN_FINDERS; built-in definitions only), RE2 where it declines.
   */
  finder: Finder | undefined;
}

/** `\b…`, `(?i:\b…` or a leading-delimiter group `(?:^|[^\w…])`: no match can start inside a run of word characters. */
const TOKEN_START = /^(?:\(\?i:)?\\b|^\(\?:\^\|\[\^\\w/;

function isScore(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100;
}

function invalid(name: string, message: string, cause?: unknown): ClassificationError {
  return new ClassificationError('ERR_RECOGNIZER_INVALID', name, message, { cause });
}

function checkData(def: RecognizerDefinition, name: string): void {
  if (typeof def.type !== 'string' || !/^[A-Z][A-Z0-9_]{0,63}$/.test(def.type)) {
    throw invalid(name, 'type must be upper-case letters, digits and underscores');
  }
  if (!CATEGORIES.includes(def.category)) throw invalid(name, `category must be one of ${CATEGORIES.join(', ')}`);
  if (typeof def.pattern !== 'string' || def.pattern === '') throw invalid(name, 'pattern must be a non-empty string');
  if (!isScore(def.baseScore)) throw invalid(name, 'baseScore must be an integer 0..100');
  if (def.contextScore !== undefined && !isScore(def.contextScore))
    throw invalid(name, 'contextScore must be an integer 0..100');
  if (def.refiner !== undefined && !Object.hasOwn(REFINERS, def.refiner)) throw invalid(name, 'unknown refiner');
  if (def.validator !== undefined && !Object.hasOwn(VALIDATORS, def.validator))
    throw invalid(name, 'unknown validator');
  if (def.normalizer !== undefined && !Object.hasOwn(NORMALIZERS, def.normalizer))
    throw invalid(name, 'unknown normalizer');
  const words = def.contextWords ?? [];
  if (!Array.isArray(words) || !words.every((w) => typeof w === 'string' && w !== '' && w === w.toLowerCase())) {
    throw invalid(name, 'contextWords must be non-empty lower-case strings');
  }
  const excluded = def.excludeWords ?? [];
  if (!Array.isArray(excluded) || !excluded.every((w) => typeof w === 'string' && w !== '' && w === w.toLowerCase())) {
    throw invalid(name, 'excludeWords must be non-empty lower-case strings');
  }
  const adjacent = def.excludeAdjacent ?? [];
  if (!Array.isArray(adjacent) || !adjacent.every((w) => typeof w === 'string' && w !== '' && w === w.toLowerCase())) {
    throw invalid(name, 'excludeAdjacent must be non-empty lower-case strings');
  }
  if (def.requireContext !== undefined && typeof def.requireContext !== 'boolean')
    throw invalid(name, 'requireContext must be a boolean');
  if (def.requireContext === true && words.length === 0) throw invalid(name, 'requireContext needs contextWords');
  if (def.fallback !== undefined && typeof def.fallback !== 'boolean')
    throw invalid(name, 'fallback must be a boolean');
  if (def.separateSet !== undefined && typeof def.separateSet !== 'boolean')
    throw invalid(name, 'separateSet must be a boolean');
  if (def.contextInClause !== undefined && typeof def.contextInClause !== 'boolean')
    throw invalid(name, 'contextInClause must be a boolean');
  if (def.partial !== undefined && (typeof def.partial !== 'string' || def.partial === ''))
    throw invalid(name, 'partial must be a non-empty string');
  const w = def.contextWindow;
  if (
    w !== undefined &&
    !(
      Number.isSafeInteger(w.before) &&
      Number.isSafeInteger(w.after) &&
      w.before >= 0 &&
      w.after >= 0 &&
      w.before <= 256 &&
      w.after <= 256
    )
  ) {
    throw invalid(name, 'contextWindow before/after must be integers 0..256');
  }
}

function stickyParts(pattern: string, group: number): CompiledRecognizer['parts'] {
  const split = splitAtGroup(pattern, group);
  if (split === undefined) return undefined;
  try {
    return {
      before: split.before === '' ? undefined : new RE2(split.before, 'y'),
      group: new RE2(split.group === '' ? '(?:)' : split.group, 'y'),
      after: split.after === '' ? undefined : new RE2(split.after, 'y'),
    };
  } catch {
    return undefined; // exec finds the group instead
  }
}

/** overlap.ts ranks: a checksum (or a vendor's documented prefix) 2, another validator or a required label 1. */
function strengthOf(def: RecognizerDefinition): number {
  if (def.validator !== undefined && STRONG_VALIDATORS.has(def.validator)) return 2;
  if (def.category === 'SECRET' && def.fallback !== true) return 2;
  return def.validator !== undefined || def.requireContext === true ? 1 : 0;
}

export interface CompileOptions {
  /** Accept values reserved for fiction and documentation (FICTIONAL_VARIANTS in validators.ts); default false. */
  fictional?: boolean;
}

export function compileRecognizer(def: RecognizerDefinition, index: number): CompiledRecognizer {
  return compileWith(def, index, {});
}

/** Every definition compiled with the same options (the classifier's). */
export function compileRecognizers(
  definitions: readonly RecognizerDefinition[],
  options: CompileOptions,
): CompiledRecognizer[] {
  return definitions.map((def, index) => compileWith(def, index, options));
}

function compileWith(def: RecognizerDefinition, index: number, options: CompileOptions): CompiledRecognizer {
  const name = typeof def.type === 'string' && def.type !== '' ? def.type : `#${index}`;
  checkData(def, name);
  let regex: RE2;
  let sticky: RE2;
  let indexed: RE2;
  let groups: number;
  try {
    regex = new RE2(def.pattern, 'g');
    sticky = new RE2(def.pattern, 'y');
    indexed = new RE2(def.pattern, 'gd');
    // `(?:p)|` always matches the empty input, and its result has one slot per capture group of p.
    groups = (new RE2(`(?:${def.pattern})|`, 'd').exec(Buffer.alloc(0))?.indices?.length ?? 1) - 1;
  } catch (cause) {
    throw invalid(
      name,
      `pattern does not compile in RE2: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    );
  }
  if (regex.test(Buffer.alloc(0))) throw invalid(name, 'pattern matches the empty string');
  let partial: RE2 | undefined;
  if (def.partial !== undefined) {
    try {
      partial = new RE2(`(?:${def.partial})$`);
    } catch (cause) {
      throw invalid(
        name,
        `partial does not compile in RE2: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
      );
    }
  }
  const group = def.group ?? 0;
  if (!Number.isInteger(group) || group < 0 || group > groups) throw invalid(name, `group must be 0..${groups}`);
  return {
    parts: group === 0 ? undefined : stickyParts(def.pattern, group),
    type: def.type,
    category: def.category,
    regex,
    sticky,
    indexed,
    group,
    refine: def.refiner === undefined ? undefined : REFINERS[def.refiner],
    refineAlternatives: def.refiner !== undefined && ALTERNATIVE_REFINERS.has(def.refiner),
    validate:
      def.validator === undefined
        ? undefined
        : VALIDATORS[(options.fictional === true ? FICTIONAL_VARIANTS[def.validator] : undefined) ?? def.validator],
    normalize: NORMALIZERS[def.normalizer ?? 'none'],
    contextWords: Object.freeze([...(def.contextWords ?? [])]),
    excludeWords: Object.freeze([...(def.excludeWords ?? [])]),
    excludeAdjacent: Object.freeze([...(def.excludeAdjacent ?? [])]),
    requireContext: def.requireContext ?? false,
    fallback: def.fallback ?? false,
    contextBefore: def.contextWindow?.before ?? 48,
    contextAfter: def.contextWindow?.after ?? 24,
    startsAtToken: TOKEN_START.test(def.pattern),
    contextInClause: def.contextInClause === true,
    baseScore: def.baseScore,
    contextScore: def.contextScore ?? Math.min(100, def.baseScore + DEFAULT_CONTEXT_BOOST),
    strength: strengthOf(def),
    separateSet: def.separateSet === true,
    partial,
    anchor: BUILT_IN_ANCHORS.get(def),
    tokenMatches: def.requireContext === true && BUILT_IN_TOKEN_MATCHES.has(def),
    finder: BUILT_IN_FINDERS.get(def),
  };
}
