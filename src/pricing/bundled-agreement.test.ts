/**
 * Every token-priced model of the bundled data, priced by us and by genai-prices' own calcPrice, must agree.
 * Models with per-request fees (`requests_kcount`, Perplexity's search fee) are excluded: TokenUsage has no
 * request count to bill, so our total is the token part only.
 */
import { calcPrice, findProvider, type ModelInfo } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import type { TokenUsage } from '../spec/usage.js';
import { computeCost } from './compute-cost.js';
import { createPriceCatalog } from './price-catalog.js';

const providers = ['openai', 'anthropic', 'google', 'groq', 'deepseek', 'mistral', 'together', 'openrouter', 'x-ai', 'fireworks', 'azure', 'aws', 'cohere', 'cerebras', 'moonshotai', 'zai'];
const usages: TokenUsage[] = [
  { inputTokens: 1_000, cacheReadTokens: 2_000, cacheWrite5mTokens: 300, cacheWrite1hTokens: 200, outputTokens: 400, reasoningTokens: 100 },
  { inputTokens: 150_000, cacheReadTokens: 60_000, cacheWrite5mTokens: 7_000, cacheWrite1hTokens: 3_000, outputTokens: 4_000, reasoningTokens: 1_000 },
];
const hasRequestFee = (model: ModelInfo) => JSON.stringify(model.prices).includes('requests_kcount');

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
      for (const model of (provider?.models ?? []).filter((candidate) => !hasRequestFee(candidate))) {
        const entry = catalog.lookup({ providerFamily: providerId, model: model.id });
        for (const usage of usages) {
          const theirs = theirTotal(usage, model.id, providerId, at);
          if (entry === null) {
            // Unpriced for us only when genai-prices has no token price either.
            expect(theirs ?? 0, `${providerId}/${model.id}`).toBe(0);
            continue;
          }
          expect(computeCost(usage, entry).totalUsd, `${providerId}/${model.id}`).toBeCloseTo(theirs ?? Number.NaN, 9);
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(1_500);
  });
});
