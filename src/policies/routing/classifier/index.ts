/**
 * Complexity classifier for automatic routing: how likely a request needs the strong model. Self-contained
 * (no I/O, no clock); the shipped weights are trained offline by bench/routing/train-router.mjs
 * (docs/routing-classifier.md).
 */
import { createLinearClassifier, type ComplexityClassifier } from './linear-classifier.js';
import { BUILTIN_WEIGHTS } from './weights.generated.js';

export { DENSE_FEATURES, FEATURE_COUNT, FEATURE_VERSION, HASH_BUCKETS, extractFeatures, type ComplexityInput } from './features.js';
export { checkWeights, createLinearClassifier, type ComplexityClassifier, type ComplexityScore, type LinearWeights } from './linear-classifier.js';

/** The classifier that ships with Jevons (weights from src/policies/routing/classifier/weights.generated.ts). */
export function createBuiltinClassifier(): ComplexityClassifier {
  return createLinearClassifier(BUILTIN_WEIGHTS);
}
