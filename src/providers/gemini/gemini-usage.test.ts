import { describe, expect, it } from 'vitest';
import { totalInputTokens } from '../../spec/usage.js';
import { geminiUsageToTokens } from './gemini-usage.js';

describe('geminiUsageToTokens', () => {
  it('takes cached tokens out of promptTokenCount (the prompt count includes them)', () => {
    const usage = geminiUsageToTokens({ promptTokenCount: 696219, cachedContentTokenCount: 696190, candidatesTokenCount: 214, totalTokenCount: 696433 });
    expect(usage).toEqual({ inputTokens: 29, cacheReadTokens: 696190, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 214, reasoningTokens: 0 });
    expect(totalInputTokens(usage)).toBe(696219);
  });

  it('adds thoughts to output (they are outside candidatesTokenCount) and tool-use prompt tokens to input', () => {
    const usage = geminiUsageToTokens({
      promptTokenCount: 12,
      candidatesTokenCount: 18,
      toolUsePromptTokenCount: 287,
      thoughtsTokenCount: 206,
      totalTokenCount: 523,
    });
    expect(usage).toEqual({ inputTokens: 299, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 224, reasoningTokens: 206 });
    // totalTokenCount = prompt + toolUsePrompt + candidates + thoughts: nothing is counted twice or lost.
    expect(totalInputTokens(usage) + usage.outputTokens).toBe(523);
  });

  it('combines cache reads, tool-use input and thoughts', () => {
    const usage = geminiUsageToTokens({
      promptTokenCount: 5000,
      cachedContentTokenCount: 4096,
      toolUsePromptTokenCount: 100,
      candidatesTokenCount: 50,
      thoughtsTokenCount: 300,
      totalTokenCount: 5450,
    });
    expect(usage).toMatchObject({ inputTokens: 1004, cacheReadTokens: 4096, outputTokens: 350, reasoningTokens: 300 });
    expect(totalInputTokens(usage) + usage.outputTokens).toBe(5450);
  });

  it('treats missing, null and negative counts as zero and never reports more cached than prompt tokens', () => {
    expect(geminiUsageToTokens({ promptTokenCount: 9, totalTokenCount: 9 })).toMatchObject({ inputTokens: 9, outputTokens: 0 });
    expect(geminiUsageToTokens({ promptTokenCount: null, candidatesTokenCount: -1 })).toMatchObject({ inputTokens: 0, outputTokens: 0 });
    expect(geminiUsageToTokens({ promptTokenCount: 10, cachedContentTokenCount: 20 })).toMatchObject({ inputTokens: 0, cacheReadTokens: 10 });
  });
});

describe('modalities', () => {
  it('splits audio and image parts out of the prompt, cache and candidates (https://ai.google.dev/api/generate-content#UsageMetadata)', () => {
    const tokens = geminiUsageToTokens({
      promptTokenCount: 1_000,
      cachedContentTokenCount: 300,
      candidatesTokenCount: 1_300,
      thoughtsTokenCount: 50,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 400 }, { modality: 'AUDIO', tokenCount: 342 }, { modality: 'IMAGE', tokenCount: 258 }],
      cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 200 }, { modality: 'AUDIO', tokenCount: 100 }],
      candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 10 }, { modality: 'IMAGE', tokenCount: 1_290 }],
    });
    expect(tokens).toEqual({
      inputTokens: 700,
      inputAudioTokens: 242,
      inputImageTokens: 258,
      cacheReadTokens: 300,
      cacheReadAudioTokens: 100,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 1_350,
      outputImageTokens: 1_290,
      reasoningTokens: 50,
    });
  });

  it('clamps modality parts that claim more than their kind holds', () => {
    const tokens = geminiUsageToTokens({ promptTokenCount: 10, promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 50 }], candidatesTokenCount: 5, candidatesTokensDetails: [{ modality: 'AUDIO', tokenCount: 9 }] });
    expect(tokens).toMatchObject({ inputTokens: 10, inputAudioTokens: 10, outputTokens: 5, outputAudioTokens: 5 });
  });
});
