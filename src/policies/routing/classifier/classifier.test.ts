import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../spec/canonical.js';
import {
  DENSE_FEATURES,
  FEATURE_COUNT,
  FEATURE_VERSION,
  HASH_BUCKETS,
  checkWeights,
  createBuiltinClassifier,
  createLinearClassifier,
  extractFeatures,
  type ComplexityClassifier,
  type ComplexityInput,
  type LinearWeights,
} from './index.js';
import { BUILTIN_WEIGHTS } from './weights.generated.js';

const user = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const ask = (text: string): ComplexityInput => ({ messages: [user(text)] });

const prompts = [
  'Hello!',
  'Translate "good morning" into French.',
  'Janet has 16 eggs. She eats 3 and bakes with 4. She sells the rest at $2 each. How much does she make?',
  'Prove that there are infinitely many primes, step by step.',
  'Write a python function that returns the nth Fibonacci number using memoisation.\n```python\ndef fib(n):\n```',
  'Which of the following is NOT a function of the liver?\nA. Bile production\nB. Insulin secretion\nC. Detoxification\nD. Glycogen storage\nAnswer:',
  '',
];

function weightsWith(overrides: Partial<LinearWeights>): LinearWeights {
  return { id: 'test', featureVersion: FEATURE_VERSION, hashBuckets: HASH_BUCKETS, denseNames: [...DENSE_FEATURES], bias: 0, weights: new Array<number>(FEATURE_COUNT).fill(0), ...overrides };
}

describe('createBuiltinClassifier', () => {
  const classifier: ComplexityClassifier = createBuiltinClassifier();

  it('has the ComplexityClassifier shape with the shipped weights id', () => {
    expect(classifier.id).toBe(BUILTIN_WEIGHTS.id);
    expect(classifier.id).toMatch(/^builtin-complexity-lr-v\d+-[0-9a-f]{10}$/);
    expect(typeof classifier.score).toBe('function');
  });

  it('scores in [0, 1] with a small set of named, finite features', () => {
    for (const prompt of prompts) {
      const result = classifier.score(ask(prompt));
      expect(result.score).toBeGreaterThanOrEqual(0);
      expect(result.score).toBeLessThanOrEqual(1);
      expect(Object.keys(result.features).length).toBeLessThanOrEqual(DENSE_FEATURES.length + 2);
      expect(result.features).toHaveProperty('structural_logit');
      expect(result.features).toHaveProperty('lexical_logit');
      for (const value of Object.values(result.features)) expect(Number.isFinite(value)).toBe(true);
    }
  });

  it('is deterministic across calls and classifier instances', () => {
    const other = createBuiltinClassifier();
    for (const prompt of prompts) {
      const first = classifier.score(ask(prompt));
      classifier.score(ask('interleaved unrelated prompt about 12 bananas'));
      expect(classifier.score(ask(prompt))).toEqual(first);
      expect(other.score(ask(prompt))).toEqual(first);
    }
  });

  it('agrees with the dot product over extractFeatures (serving reads the same features training does)', () => {
    for (const prompt of prompts) {
      const x = extractFeatures(ask(prompt));
      let z = BUILTIN_WEIGHTS.bias;
      x.forEach((value, slot) => {
        z += value * (BUILTIN_WEIGHTS.weights[slot] ?? 0);
      });
      expect(classifier.score(ask(prompt)).score).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
    }
  });

  // Recorded from the shipped weights: this test fails when weights.generated.ts is regenerated without
  // updating the values below (on purpose, so a retrain is a visible, reviewed change).
  it('scores known prompts to their recorded values', () => {
    expect(classifier.score(ask(prompts[2] ?? '')).score).toBeCloseTo(RECORDED_WORD_PROBLEM, 6);
    expect(classifier.score(ask(prompts[1] ?? '')).score).toBeCloseTo(RECORDED_TRANSLATE, 6);
  });
});

const RECORDED_WORD_PROBLEM = 0.6006517256952003;
const RECORDED_TRANSLATE = 0.48892099632754077;

describe('createLinearClassifier', () => {
  it('maps the bias through the logistic function when every weight is zero', () => {
    expect(createLinearClassifier(weightsWith({ bias: 0 })).score(ask('anything')).score).toBe(0.5);
    expect(createLinearClassifier(weightsWith({ bias: 2 })).score(ask('anything')).score).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
  });

  it('rejects weights fit for another feature layout', () => {
    expect(() => checkWeights(weightsWith({ featureVersion: FEATURE_VERSION + 1 }))).toThrow(/feature version/);
    expect(() => checkWeights(weightsWith({ hashBuckets: HASH_BUCKETS * 2 }))).toThrow(/hash buckets/);
    expect(() => checkWeights(weightsWith({ weights: [1, 2, 3] }))).toThrow(/weights, expected/);
    expect(() => checkWeights(weightsWith({ denseNames: ['other'] }))).toThrow(/dense feature names/);
    expect(() => checkWeights(weightsWith({ bias: Number.NaN }))).toThrow(/non-finite/);
    expect(() => checkWeights(BUILTIN_WEIGHTS)).not.toThrow();
  });
});
