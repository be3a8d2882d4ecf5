import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CHARACTER_CLASSES,
  ESTIMATE_FAMILIES,
  estimateFeatures,
  estimateSafetyFactor,
  estimateTokens,
  estimateWeights,
  type EstimateFamily,
} from './estimate-tokens.js';

const fixtures = new URL('./__fixtures__/', import.meta.url);
const familyNumbers = z.object({ o200k: z.number(), anthropic: z.number(), gemini: z.number() });
/** Reference tokenizer counts of the calibration files and the measured test-split errors, written by the bench script. */
const referenceCounts = z
  .object({
    references: z.object({ o200k: z.string(), anthropic: z.string(), gemini: z.string() }),
    measured: z.object({
      o200k: z.object({ chunkMae: z.number(), p99AbsChunkError: z.number() }),
      anthropic: z.object({ chunkMae: z.number(), p99AbsChunkError: z.number() }),
      gemini: z.object({ chunkMae: z.number(), p99AbsChunkError: z.number() }),
    }),
    files: z.array(z.object({ file: z.string(), sha256: z.string(), counts: familyNumbers })),
  })
  .parse(JSON.parse(readFileSync(new URL('reference-counts.json', fixtures), 'utf8')));
const calibrationFile = (name: string) => readFileSync(new URL(`calibration/${name}`, fixtures), 'utf8');
const relativeError = (estimate: number, reference: number) => (estimate - reference) / reference;

describe('estimateTokens', () => {
  it('is 0 for the empty string and defaults to the o200k weights', () => {
    for (const family of ESTIMATE_FAMILIES) expect(estimateTokens('', family)).toBe(0);
    const text = calibrationFile('code.txt');
    expect(estimateTokens(text)).toBe(estimateTokens(text, 'o200k'));
  });

  it('equals the fitted weights applied to the features (the two passes agree)', () => {
    const samples = ['Hello, world!', '  indented\n\tcode();', '港口小镇。ひらがな한국어', 'Ελλάδα Русский عربى हिन्दी', 'naïve café 😀🎉 ✓', 'x'.repeat(500)];
    for (const family of ESTIMATE_FAMILIES) {
      const { perChar, perRun } = estimateWeights(family);
      for (const text of samples) {
        const features = estimateFeatures(text);
        const dot = features.perChar.reduce((sum, count, i) => sum + count * (perChar[i] ?? 0), 0) + features.perRun.reduce((sum, count, i) => sum + count * (perRun[i] ?? 0), 0);
        expect(estimateTokens(text, family), `${family}: ${text}`).toBe(Math.ceil(dot));
      }
    }
  });

  it('puts each character class where the weights expect it', () => {
    const examples: Record<(typeof CHARACTER_CLASSES)[number], string> = {
      lower: 'a', upper: 'Z', digit: '7', space: ' ', newline: '\n', tab: '\t', asciiSymbol: '{', han: '港', kana: 'ひ', hangul: '한',
      cjkSymbol: '。', latinExtended: 'é', greekCyrillic: 'Ж', hebrewArabic: 'ع', indic: 'ह', otherBmp: '✓', surrogate: '😀'.slice(0, 1),
    };
    CHARACTER_CLASSES.forEach((name, index) => {
      const { perChar, perRun } = estimateFeatures(examples[name]);
      expect(perChar[index], name).toBe(1);
      expect(perRun[index], name).toBe(1);
      expect(perChar.reduce((a, b) => a + b, 0), name).toBe(1);
    });
  });

  it('counts a run once per stretch of one class', () => {
    const { perChar, perRun } = estimateFeatures('hello world, again');
    expect(perChar[0]).toBe(15);
    expect(perRun[0]).toBe(3);
    expect(perRun[3]).toBe(2);
    expect(perRun[6]).toBe(1);
  });
});

describe('calibration against the reference tokenizers (counts written by bench/calibrate-token-estimates.mjs)', () => {
  it('has reference counts for exactly the current calibration files', () => {
    const names = readdirSync(new URL('calibration/', fixtures)).sort();
    expect(referenceCounts.files.map((entry) => entry.file)).toEqual(names);
    for (const entry of referenceCounts.files) {
      expect(createHash('sha256').update(calibrationFile(entry.file)).digest('hex'), `${entry.file} changed: re-run the script with --write`).toBe(entry.sha256);
    }
  });

  it.each(ESTIMATE_FAMILIES)('lands every calibration file within the measured p99 chunk error of its %s reference count', (family) => {
    const bound = referenceCounts.measured[family].p99AbsChunkError;
    expect(bound).toBeLessThan(0.3);
    for (const { file, counts } of referenceCounts.files) {
      const error = relativeError(estimateTokens(calibrationFile(file), family), counts[family]);
      expect(Math.abs(error), `${file}: ${(100 * error).toFixed(1)}% against ${referenceCounts.references[family]}`).toBeLessThanOrEqual(bound);
    }
  });

  it.each(['anthropic', 'gemini'] as const)('is closer to the %s reference with its own weights than with the o200k weights', (family) => {
    let own = 0;
    let o200k = 0;
    for (const { file, counts } of referenceCounts.files) {
      const text = calibrationFile(file);
      own += Math.abs(relativeError(estimateTokens(text, family), counts[family]));
      o200k += Math.abs(relativeError(estimateTokens(text, 'o200k'), counts[family]));
    }
    expect(own).toBeLessThan(o200k / 2);
  });

  it.each(ESTIMATE_FAMILIES)('covers every calibration file once multiplied by the %s safety factor', (family: EstimateFamily) => {
    const factor = estimateSafetyFactor(family);
    expect(factor).toBeGreaterThan(1);
    expect(factor).toBeLessThan(1.5);
    for (const { file, counts } of referenceCounts.files) {
      expect(Math.ceil(estimateTokens(calibrationFile(file), family) * factor), file).toBeGreaterThanOrEqual(counts[family]);
    }
  });
});
