// Public surface of the classify stage: find sensitive values (PII, PHI, PCI, secrets) in the text a model will
// see, and report where they are with a keyed fingerprint, never the values themselves.

export { createClassifier, MIN_FINGERPRINT_KEY_BYTES } from './classifier.ts';
export { ClassificationError } from './errors.ts';
export type { ClassificationErrorCode } from './errors.ts';
export { AWS_ACCESS_KEY, AWS_SECRET_KEY, CREDIT_CARD, DEFAULT_RECOGNIZERS, EMAIL, US_SSN } from './recognizers.ts';
export { CATEGORIES } from './types.ts';
export type { Category, Classification, Classifier, Finding, RecognizerDefinition, TextSegment } from './types.ts';
export type { NormalizerName, RefinerName, ValidatorName } from './validators.ts';
