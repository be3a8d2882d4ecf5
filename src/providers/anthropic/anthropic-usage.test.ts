import { describe, expect, it } from 'vitest';
import { totalInputTokens } from '../../spec/usage.js';
import { anthropicUsageToTokens, mergeAnthropicUsage } from './anthropic-usage.js';
import { emptyUsage } from '../../spec/usage.js';

describe('anthropicUsageToTokens', () => {
  it('keeps input, cache reads and cache writes disjoint (input_tokens excludes both)', () => {
    const usage = anthropicUsageToTokens({
      input_tokens: 50,
      cache_read_input_tokens: 2000,
      cache_creation_input_tokens: 1500,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 500 },
      output_tokens: 100,
    });
    expect(usage).toEqual({ inputTokens: 50, cacheReadTokens: 2000, cacheWrite5mTokens: 1000, cacheWrite1hTokens: 500, outputTokens: 100, reasoningTokens: 0 });
    expect(totalInputTokens(usage)).toBe(3550);
  });

  it('counts every write as a 5-minute write when the TTL split is absent', () => {
    expect(anthropicUsageToTokens({ input_tokens: 21, cache_creation_input_tokens: 188086, cache_read_input_tokens: 0, output_tokens: 393 })).toEqual({
      inputTokens: 21,
      cacheReadTokens: 0,
      cacheWrite5mTokens: 188086,
      cacheWrite1hTokens: 0,
      outputTokens: 393,
      reasoningTokens: 0,
    });
  });

  it('API reference example: 2051 written with a 0/0 split → 2051 five-minute writes', () => {
    const usage = anthropicUsageToTokens({
      cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
      cache_creation_input_tokens: 2051,
      cache_read_input_tokens: 2051,
      input_tokens: 2095,
      output_tokens: 503,
      output_tokens_details: { thinking_tokens: 0 },
    });
    expect(usage).toEqual({ inputTokens: 2095, cacheReadTokens: 2051, cacheWrite5mTokens: 2051, cacheWrite1hTokens: 0, outputTokens: 503, reasoningTokens: 0 });
  });

  it('prompt caching guide example: a split larger than the total is kept (writes are never under-metered)', () => {
    const usage = anthropicUsageToTokens({
      input_tokens: 2048,
      cache_read_input_tokens: 1800,
      cache_creation_input_tokens: 248,
      output_tokens: 503,
      cache_creation: { ephemeral_5m_input_tokens: 456, ephemeral_1h_input_tokens: 100 },
    });
    expect(usage).toEqual({ inputTokens: 2048, cacheReadTokens: 1800, cacheWrite5mTokens: 456, cacheWrite1hTokens: 100, outputTokens: 503, reasoningTokens: 0 });
  });

  it('reads thinking tokens as the reasoning share of output (output_tokens already includes them)', () => {
    expect(anthropicUsageToTokens({ input_tokens: 10, output_tokens: 900, output_tokens_details: { thinking_tokens: 700 } })).toMatchObject({ outputTokens: 900, reasoningTokens: 700 });
    expect(anthropicUsageToTokens({ input_tokens: 10, output_tokens: 5, output_tokens_details: { thinking_tokens: 9 } }).reasoningTokens).toBe(5);
  });

  it('adds billed compaction iterations, which the top-level counts exclude', () => {
    const usage = anthropicUsageToTokens({
      input_tokens: 23000,
      output_tokens: 1000,
      cache_read_input_tokens: 0,
      iterations: [
        { type: 'compaction', input_tokens: 180000, output_tokens: 3500, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200 },
        { type: 'message', input_tokens: 23000, output_tokens: 1000 },
      ],
    });
    expect(usage).toEqual({ inputTokens: 203000, cacheReadTokens: 1000, cacheWrite5mTokens: 200, cacheWrite1hTokens: 0, outputTokens: 4500, reasoningTokens: 0 });
  });

  it('treats missing, null and negative counts as 0', () => {
    expect(anthropicUsageToTokens({ input_tokens: null, output_tokens: -3 })).toEqual(emptyUsage());
  });
});

describe('mergeAnthropicUsage', () => {
  it('keeps message_start input fields and takes the cumulative message_delta counts', () => {
    const start = { input_tokens: 472, cache_read_input_tokens: 300, cache_creation_input_tokens: 600, cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 500 }, output_tokens: 2 };
    const merged = mergeAnthropicUsage(mergeAnthropicUsage(null, start), { output_tokens: 89 });
    expect(anthropicUsageToTokens(merged)).toEqual({ inputTokens: 472, cacheReadTokens: 300, cacheWrite5mTokens: 100, cacheWrite1hTokens: 500, outputTokens: 89, reasoningTokens: 0 });
  });

  it('takes the latest non-null value of each field (the current API repeats input fields in message_delta)', () => {
    const merged = mergeAnthropicUsage({ input_tokens: 5, cache_read_input_tokens: 0, output_tokens: 1 }, { input_tokens: 6, cache_read_input_tokens: 41203, cache_creation_input_tokens: null, output_tokens: 21 });
    expect(merged).toEqual({ input_tokens: 6, cache_read_input_tokens: 41203, output_tokens: 21 });
  });
});

describe('service tier', () => {
  it('reads usage.service_tier: batch and priority are kept, standard is the default', () => {
    expect(anthropicUsageToTokens({ input_tokens: 10, output_tokens: 2, service_tier: 'batch' })).toEqual({ ...emptyUsage(), inputTokens: 10, outputTokens: 2, serviceTier: 'batch' });
    expect(anthropicUsageToTokens({ input_tokens: 10, output_tokens: 2, service_tier: 'priority' }).serviceTier).toBe('priority');
    expect(anthropicUsageToTokens({ input_tokens: 10, output_tokens: 2, service_tier: 'standard' })).toEqual({ ...emptyUsage(), inputTokens: 10, outputTokens: 2 });
  });

  it('a stream keeps the tier message_start reported when message_delta does not repeat it', () => {
    const merged = mergeAnthropicUsage(mergeAnthropicUsage(null, { input_tokens: 10, output_tokens: 1, service_tier: 'priority' }), { output_tokens: 40 });
    expect(anthropicUsageToTokens(merged)).toMatchObject({ outputTokens: 40, serviceTier: 'priority' });
  });
});
