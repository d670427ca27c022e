// Custom recognizers from configuration: loose settings (validator and normalizer named by string) become checked
// RecognizerDefinitions appended to the built-in set. Invariant: an unknown name is ERR_RECOGNIZER_INVALID naming
// the recognizer, raised at start-up; the pattern itself is checked when the classifier compiles it.
import { ClassificationError } from './errors.ts';
import { DEFAULT_RECOGNIZERS } from './recognizers.ts';
import type { Category, RecognizerDefinition } from './types.ts';
import { NORMALIZERS, VALIDATORS, type NormalizerName, type ValidatorName } from './validators.ts';

export interface RecognizerSettings {
  type: string;
  category: Category;
  pattern: string;
  group?: number;
  validator?: string;
  normalizer?: string;
  contextWords: readonly string[];
  requireContext: boolean;
  baseScore: number;
  contextScore?: number;
  /** RE2 source of the recognizer's partial (types.ts), so streamed answers need not hold the fixed window for it. */
  partial?: string;
}

const isValidatorName = (name: string): name is ValidatorName => Object.hasOwn(VALIDATORS, name);
const isNormalizerName = (name: string): name is NormalizerName => Object.hasOwn(NORMALIZERS, name);

export function recognizerFromSettings(s: RecognizerSettings): RecognizerDefinition {
  if (s.validator !== undefined && !isValidatorName(s.validator)) {
    throw new ClassificationError('ERR_RECOGNIZER_INVALID', s.type, `unknown validator '${s.validator}'`);
  }
  if (s.normalizer !== undefined && !isNormalizerName(s.normalizer)) {
    throw new ClassificationError('ERR_RECOGNIZER_INVALID', s.type, `unknown normalizer '${s.normalizer}'`);
  }
  return {
    type: s.type,
    category: s.category,
    pattern: s.pattern,
    ...(s.group === undefined ? {} : { group: s.group }),
    ...(s.validator === undefined ? {} : { validator: s.validator }),
    ...(s.normalizer === undefined ? {} : { normalizer: s.normalizer }),
    contextWords: [...s.contextWords],
    requireContext: s.requireContext,
    baseScore: s.baseScore,
    ...(s.contextScore === undefined ? {} : { contextScore: s.contextScore }),
    ...(s.partial === undefined ? {} : { partial: s.partial }),
  };
}

/** The built-in recognizers followed by the configured ones. */
export function recognizersWith(custom: readonly RecognizerSettings[]): RecognizerDefinition[] {
  return [...DEFAULT_RECOGNIZERS, ...custom.map(recognizerFromSettings)];
}
