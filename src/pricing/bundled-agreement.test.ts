/**
 * Every token-priced model of the bundled data, priced by us and by genai-prices' own calcPrice, must agree:
 * every token kind, the audio / image subsets, context tiers, cache writes, and per-request fees (one request).
 */
import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import type { TokenUsage } from '../spec/usage.js';
import { computeCost } from './compute-cost.js';
import { createPriceCatalog } from './price-catalog.js';

const providers = ['perplexity', 'openai', 'anthropic', 'google', 'groq', 'deepseek', 'mistral', 'together', 'openrouter', 'x-ai', 'fireworks', 'azure', 'aws', 'cohere', 'cerebras', 'moonshotai', 'zai'];
const usages: TokenUsage[] = [
  { inputTokens: 1_000, cacheReadTokens: 2_000, cacheWrite5mTokens: 300, cacheWrite1hTokens: 200, outputTokens: 400, reasoningTokens: 100 },
  { inputTokens: 150_000, cacheReadTokens: 60_000, cacheWrite5mTokens: 7_000, cacheWrite1hTokens: 3_000, outputTokens: 4_000, reasoningTokens: 1_000 },
  {
    inputTokens: 5_000, inputAudioTokens: 1_500, inputImageTokens: 1_000, cacheReadTokens: 800, cacheReadAudioTokens: 300, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0,
    outputTokens: 3_000, outputAudioTokens: 700, outputImageTokens: 1_200, reasoningTokens: 400,
  },
];

function theirTotal(usage: TokenUsage, model: string, providerId: string, at: Date): number | undefined {
  const cacheWrites = usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;
  return calcPrice(
    {
      input_tokens: usage.inputTokens + usage.cacheReadTokens + cacheWrites,
      cache_read_tokens: usage.cacheReadTokens,
      cache_write_tokens: cacheWrites,
      cache_write_1h_tokens: usage.cacheWrite1hTokens,
      output_tokens: usage.outputTokens,
      output_reasoning_tokens: usage.reasoningTokens,
      // genai-prices counts cached audio inside input_audio_tokens; ours is the uncached part only.
      input_audio_tokens: (usage.inputAudioTokens ?? 0) + (usage.cacheReadAudioTokens ?? 0),
      input_image_tokens: usage.inputImageTokens ?? 0,
      cache_audio_read_tokens: usage.cacheReadAudioTokens ?? 0,
      cache_image_read_tokens: 0,
      output_audio_tokens: usage.outputAudioTokens ?? 0,
      output_image_tokens: usage.outputImageTokens ?? 0,
    },
    model,
    { providerId, timestamp: at },
  )?.total_price;
}

describe('agreement with genai-prices calcPrice', () => {
  it('matches on every bundled token-priced model of the main providers, tiers and cache writes included', () => {
    const at = new Date('2026-06-01T12:00:00Z');
    const catalog = createPriceCatalog({ now: () => at.getTime() });
    let compared = 0;
    for (const providerId of providers) {
      const provider = findProvider({ providerId });
      expect(provider, providerId).toBeDefined();
      for (const model of provider?.models ?? []) {
        const entry = catalog.lookup({ providerFamily: providerId, model: model.id });
        // Models whose bundled price src/pricing/price-corrections.ts corrects are checked by the cost vectors.
        if (entry !== null && entry.source !== 'bundled') continue;
        for (const usage of usages) {
          const theirs = theirTotal(usage, model.id, providerId, at);
          if (entry === null) {
            // Unpriced for us only when genai-prices has no token price either.
            expect(theirs ?? 0, `${providerId}/${model.id}`).toBe(0);
            continue;
          }
          expect(computeCost(usage, entry)?.totalUsd, `${providerId}/${model.id}`).toBeCloseTo(theirs ?? Number.NaN, 9);
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(1_500);
  });
});
