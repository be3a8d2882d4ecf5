import { describe, expect, it } from 'vitest';
import { openaiEmbeddingsUsageToTokens, openaiResponsesUsageToTokens, openaiUsageToTokens } from './openai-usage.js';

const zero = { inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 };

describe('openaiUsageToTokens', () => {
  it('plain usage: all prompt tokens are uncached input', () => {
    expect(openaiUsageToTokens({ prompt_tokens: 19, completion_tokens: 10, total_tokens: 29, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 } })).toEqual({
      ...zero,
      inputTokens: 19,
      outputTokens: 10,
    });
  });

  it('prompt_tokens includes cached_tokens (prompt caching guide: 2006 prompt, 1920 cached)', () => {
    expect(openaiUsageToTokens({ prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, prompt_tokens_details: { cached_tokens: 1920, cache_write_tokens: 0 } })).toEqual({
      ...zero,
      inputTokens: 86,
      cacheReadTokens: 1920,
      outputTokens: 300,
    });
  });

  it('prompt_tokens includes cache_write_tokens, mapped to the cache-write bucket', () => {
    expect(openaiUsageToTokens({ prompt_tokens: 5000, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 3500 } })).toEqual({
      ...zero,
      inputTokens: 500,
      cacheReadTokens: 1000,
      cacheWrite5mTokens: 3500,
      outputTokens: 20,
    });
  });

  it('completion_tokens includes reasoning_tokens', () => {
    expect(openaiUsageToTokens({ prompt_tokens: 400, completion_tokens: 600, total_tokens: 1000, completion_tokens_details: { reasoning_tokens: 500 } })).toEqual({
      ...zero,
      inputTokens: 400,
      outputTokens: 600,
      reasoningTokens: 500,
    });
  });

  it('DeepSeek prompt_cache_hit_tokens / miss when prompt_tokens_details is absent', () => {
    expect(openaiUsageToTokens({ prompt_tokens: 3000, completion_tokens: 500, prompt_cache_hit_tokens: 1000, prompt_cache_miss_tokens: 2000, completion_tokens_details: { reasoning_tokens: 380 } })).toEqual({
      ...zero,
      inputTokens: 2000,
      cacheReadTokens: 1000,
      outputTokens: 500,
      reasoningTokens: 380,
    });
  });

  it('DeepSeek hit/miss without prompt_tokens: the prompt is their sum', () => {
    expect(openaiUsageToTokens({ completion_tokens: 50, prompt_cache_hit_tokens: 6500, prompt_cache_miss_tokens: 100 })).toEqual({
      ...zero,
      inputTokens: 100,
      cacheReadTokens: 6500,
      outputTokens: 50,
    });
  });

  it('prompt_tokens_details wins over the DeepSeek fields when both are present', () => {
    expect(openaiUsageToTokens({ prompt_tokens: 120, completion_tokens: 30, prompt_cache_hit_tokens: 100, prompt_cache_miss_tokens: 20, prompt_tokens_details: { cached_tokens: 100 } })).toEqual({
      ...zero,
      inputTokens: 20,
      cacheReadTokens: 100,
      outputTokens: 30,
    });
  });

  it('a host that reports reasoning outside completion_tokens (total = prompt + completion + reasoning)', () => {
    expect(openaiUsageToTokens({ prompt_tokens: 100, completion_tokens: 50, total_tokens: 180, completion_tokens_details: { reasoning_tokens: 30 } })).toEqual({
      ...zero,
      inputTokens: 100,
      outputTokens: 80,
      reasoningTokens: 30,
    });
  });

  it('never produces negative or impossible counts', () => {
    expect(openaiUsageToTokens({ prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 50 }, completion_tokens_details: { reasoning_tokens: 9 } })).toEqual({
      ...zero,
      cacheReadTokens: 10,
      outputTokens: 2,
      reasoningTokens: 2,
    });
    expect(openaiUsageToTokens({})).toEqual(zero);
  });
});

describe('openaiResponsesUsageToTokens', () => {
  it('input_tokens includes cached_tokens; output_tokens includes reasoning_tokens', () => {
    expect(
      openaiResponsesUsageToTokens({
        input_tokens: 75,
        input_tokens_details: { cached_tokens: 64 },
        output_tokens: 1186,
        output_tokens_details: { reasoning_tokens: 1024 },
        total_tokens: 1261,
      }),
    ).toEqual({ ...zero, inputTokens: 11, cacheReadTokens: 64, outputTokens: 1186, reasoningTokens: 1024 });
  });

  it('cache_write_tokens is part of input_tokens', () => {
    expect(openaiResponsesUsageToTokens({ input_tokens: 3000, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 2048 }, output_tokens: 10 })).toEqual({
      ...zero,
      inputTokens: 952,
      cacheWrite5mTokens: 2048,
      outputTokens: 10,
    });
  });
});

describe('openaiEmbeddingsUsageToTokens', () => {
  it('prompt_tokens → input tokens', () => {
    expect(openaiEmbeddingsUsageToTokens({ prompt_tokens: 8 })).toEqual({ ...zero, inputTokens: 8 });
  });
});

describe('audio parts and service tiers', () => {
  it('keeps the audio parts of prompt and completion as modality subsets (gpt-4o-audio usage)', () => {
    // https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
    const usage = {
      prompt_tokens: 120,
      completion_tokens: 300,
      total_tokens: 420,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 100 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 250 },
    };
    expect(openaiUsageToTokens(usage)).toEqual({ ...zero, inputTokens: 120, inputAudioTokens: 100, outputTokens: 300, outputAudioTokens: 250 });
  });

  it('takes the billing tier from the body: flex and priority are kept, default / auto / scale are standard', () => {
    const usage = { prompt_tokens: 10, completion_tokens: 1 };
    expect(openaiUsageToTokens(usage, 'flex').serviceTier).toBe('flex');
    expect(openaiUsageToTokens(usage, 'priority').serviceTier).toBe('priority');
    for (const tier of ['default', 'auto', 'scale', null, undefined]) expect(openaiUsageToTokens(usage, tier)).toEqual({ ...zero, inputTokens: 10, outputTokens: 1 });
    expect(openaiResponsesUsageToTokens({ input_tokens: 5, output_tokens: 2 }, 'flex')).toEqual({ ...zero, inputTokens: 5, outputTokens: 2, serviceTier: 'flex' });
  });
});
