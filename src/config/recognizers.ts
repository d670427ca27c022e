// classification.recognizers: custom recognizers as the classifier takes them (camelCase, context words lower-cased).
// Checked beyond the JSON Schema: pattern and partial compile in RE2, and require_context comes with context_words,
// so `proctor check-config` names the problem before the classifier is built (which checks them again).
import RE2 from 're2';
import type { ConfigDocument } from './schema.ts';

/** A custom recognizer from classification.recognizers (the classifier checks it again when it is built). */
export interface CustomRecognizerSettings {
  type: string;
  category: 'PII' | 'PHI' | 'PCI' | 'SECRET' | 'CUSTOM';
  pattern: string;
  group?: number;
  validator?: string;
  normalizer?: string;
  contextWords: string[];
  requireContext: boolean;
  baseScore: number;
  contextScore?: number;
  /** RE2 source: every text suffix that may begin a match (streaming releases early with it;
   * docs/classification.md). */
  partial?: string;
}

export function resolveRecognizers(
  doc: ConfigDocument['classification']['recognizers'],
  problems: string[],
): CustomRecognizerSettings[] {
  return (doc ?? []).map((r, i): CustomRecognizerSettings => {
    try {
      new RE2(r.pattern); // the classifier compiles it again; here so check-config names the problem
    } catch (error) {
      problems.push(
        `/classification/recognizers/${i}/pattern: recognizer ${r.type}: does not compile in RE2: ` +
          `${(error as Error).message}`,
      );
    }
    if (r.partial !== undefined) {
      try {
        new RE2(`(?:${r.partial})$`);
      } catch (error) {
        problems.push(
          `/classification/recognizers/${i}/partial: recognizer ${r.type}: does not compile in RE2: ` +
            `${(error as Error).message}`,
        );
      }
    }
    const contextWords = (r.context_words ?? []).map((w) => w.toLowerCase());
    if (r.require_context === true && contextWords.length === 0) {
      problems.push(`/classification/recognizers/${i}/require_context: recognizer ${r.type}: needs context_words`);
    }
    return {
      type: r.type,
      category: r.category,
      pattern: r.pattern,
      contextWords,
      requireContext: r.require_context ?? false,
      baseScore: r.base_score,
      ...(r.group === undefined ? {} : { group: r.group }),
      ...(r.validator === undefined ? {} : { validator: r.validator }),
      ...(r.normalizer === undefined ? {} : { normalizer: r.normalizer }),
      ...(r.context_score === undefined ? {} : { contextScore: r.context_score }),
      ...(r.partial === undefined ? {} : { partial: r.partial }),
    };
  });
}
