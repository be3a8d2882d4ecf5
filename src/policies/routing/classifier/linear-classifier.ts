/**
 * The serving side of the complexity classifier: logistic regression over extractFeatures().
 * score = sigmoid(bias + w · x); feature standardisation is folded into w and bias at training time, so
 * scoring is one dot product (a few microseconds including feature extraction).
 */
import { DENSE_COUNT, DENSE_FEATURES, FEATURE_COUNT, FEATURE_VERSION, HASH_BUCKETS, createFeatureScratch, extractInto, lexicalValue, type ComplexityInput } from './features.js';

export interface ComplexityScore {
  /**
   * 0..1, higher = the strong model is more likely needed. With a `binary` label it estimates P(strong right and weak
   * wrong); with the `soft` label the shipped weights use, (1 + expected accuracy gain of the strong model) / 2.
   */
  score: number;
  /** Named features for the ledger's explanation: the non-zero structural features and the two logit parts. */
  features: Record<string, number>;
}

export interface ComplexityClassifier {
  readonly id: string;
  score(input: ComplexityInput): ComplexityScore;
}

/** A trained model as the training script writes it (weights.generated.ts). */
export interface LinearWeights {
  id: string;
  featureVersion: number;
  hashBuckets: number;
  /** DENSE_FEATURES at training time, checked against the extractor's. */
  denseNames: readonly string[];
  bias: number;
  /** FEATURE_COUNT weights on raw features (standardisation folded in). */
  weights: readonly number[];
}

/** Rejects weights fit for another feature layout: scoring them would silently mean something else. */
export function checkWeights(weights: LinearWeights): void {
  const problems: string[] = [];
  if (weights.featureVersion !== FEATURE_VERSION) problems.push(`feature version ${weights.featureVersion}, expected ${FEATURE_VERSION}`);
  if (weights.hashBuckets !== HASH_BUCKETS) problems.push(`${weights.hashBuckets} hash buckets, expected ${HASH_BUCKETS}`);
  if (weights.weights.length !== FEATURE_COUNT) problems.push(`${weights.weights.length} weights, expected ${FEATURE_COUNT}`);
  if (weights.denseNames.join(',') !== DENSE_FEATURES.join(',')) problems.push('dense feature names differ');
  if (!weights.weights.every(Number.isFinite) || !Number.isFinite(weights.bias)) problems.push('non-finite weight');
  if (problems.length > 0) throw new Error(`complexity classifier "${weights.id}" does not match the feature extractor: ${problems.join('; ')}`);
}

const round = (value: number): number => Math.round(value * 10_000) / 10_000;

export function createLinearClassifier(weights: LinearWeights): ComplexityClassifier {
  checkWeights(weights);
  const w = Float64Array.from(weights.weights);
  const bias = weights.bias;
  const scratch = createFeatureScratch();
  return {
    id: weights.id,
    score(input: ComplexityInput): ComplexityScore {
      // Same features as extractFeatures(input), read in sparse form: the dot product only visits the hit buckets.
      extractInto(input, scratch);
      let structural = bias;
      const features: Record<string, number> = {};
      for (let slot = 0; slot < DENSE_COUNT; slot += 1) {
        const value = scratch.dense[slot] ?? 0;
        if (value === 0) continue;
        structural += value * (w[slot] ?? 0);
        features[DENSE_FEATURES[slot] ?? `f${slot}`] = round(value);
      }
      let sum = 0;
      for (let hit = 0; hit < scratch.bag.count; hit += 1) sum += w[DENSE_COUNT + (scratch.bag.hits[hit] ?? 0)] ?? 0;
      const lexical = sum * lexicalValue(scratch);
      features['structural_logit'] = round(structural);
      features['lexical_logit'] = round(lexical);
      return { score: 1 / (1 + Math.exp(-(structural + lexical))), features };
    },
  };
}
