// Public surface of the classify stage: find sensitive values (PII, PHI, PCI, secrets) in the text a model will
// see, and report where they are with a keyed fingerprint, never the values themselves.

export { createClassifier, MIN_FINGERPRINT_KEY_BYTES } from './classifier.ts';
export { recognizerFromSettings, recognizersWith } from './custom.ts';
export type { RecognizerSettings } from './custom.ts';
export { cleanMemo, isCleanResult } from './clean-memo.ts';
export type { CleanMemo } from './clean-memo.ts';
export { countFindings, countsOf } from './counts.ts';
export { ClassificationError } from './errors.ts';
export type { ClassificationErrorCode } from './errors.ts';
export * from './recognizers.ts';
export { normalizeText } from './normalize.ts';
// What an answer's reading order needs to tell a label from text (src/pipeline/answer-document-order.ts).
export { forEachDocumentPair } from './document-pairs.ts';
export { glued, isBlank, valueLike } from './readable-spans.ts';
export { isClosedLabel, isClosedToken, isLabel } from './reading-orders.ts';
export type { NormalizedText } from './normalize.ts';
export { createClassifierPool, DEFAULT_OFFLOAD_THRESHOLD_CHARS } from './worker-pool.ts';
export { handleClassify, threadClassifier } from './classify-worker.ts';
export type { ClassifierThreadConfig } from './classify-worker.ts';
export type { ClassifierPool, ClassifierPoolOptions } from './worker-pool.ts';
export { createStreamScanner, MAX_HELD_RUNS } from './stream-scanner.ts';
export type { ScannedChunk, StreamScanner, StreamScannerOptions } from './stream-scanner.ts';
export { CATEGORIES } from './types.ts';
export type {
  Category,
  Classification,
  Classifier,
  ClassifyOptions,
  Finding,
  FindingCounts,
  RecognizerDefinition,
  TextSegment,
} from './types.ts';
export type { NormalizerName, RefinerName, ValidatorName } from './validators.ts';
