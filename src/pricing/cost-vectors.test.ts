/**
 * Usage -> cost vectors written by hand from the providers' published pricing pages (__fixtures__/cost-vectors.json,
 * format in __fixtures__/README.md). Each vector's wire usage goes through the provider's own converter, is priced
 * with the catalog entry in force at the vector's time, and must match the hand-computed cost to 1e-9 USD.
 * A vector with `knownGap` documents a disagreement our data model cannot express yet: it runs as `it.fails`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatPath } from '../spec/format-path.js';
import type { TokenUsage } from '../spec/usage.js';
import { anthropicUsageSchema } from '../providers/anthropic/anthropic-api.js';
import { anthropicUsageToTokens } from '../providers/anthropic/anthropic-usage.js';
import { geminiUsageMetadataSchema } from '../providers/gemini/gemini-api.js';
import { geminiUsageToTokens } from '../providers/gemini/gemini-usage.js';
import { openaiResponsesUsageSchema, openaiUsageSchema } from '../providers/openai/openai-api.js';
import { openaiResponsesUsageToTokens, openaiUsageToTokens } from '../providers/openai/openai-usage.js';
import { computeCost } from './compute-cost.js';
import { createPriceCatalog } from './price-catalog.js';
import type { CostBreakdown } from './price-types.js';

const FIXTURE = new URL('./__fixtures__/cost-vectors.json', import.meta.url);
const TOLERANCE_USD = 1e-9;

const usd = z.number().finite().nonnegative();
const vectorSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'lower-case letters, digits, dots and dashes'),
    provider: z.string().min(1),
    api: z.enum(['chat', 'responses']).optional(),
    model: z.string().min(1),
    at: z.iso.datetime(),
    service_tier: z.string().optional(),
    billedVia: z.literal('batch-api').optional(),
    usage: z.record(z.string(), z.unknown()),
    expected: z.union([
      z.object({ unpriced: z.literal(true) }).strict(),
      z
        .object({ totalUsd: usd, inputUsd: usd.optional(), cacheReadUsd: usd.optional(), cacheWriteUsd: usd.optional(), outputUsd: usd.optional(), requestUsd: usd.optional() })
        .strict(),
    ]),
    source: z.object({ url: z.url(), read: z.iso.date(), prices: z.string().min(1) }).strict(),
    note: z.string().min(1),
    knownGap: z.string().min(1).optional(),
  })
  .strict();
type Vector = z.infer<typeof vectorSchema>;

/** Reads and validates the fixture; a bad entry fails with its JSON path, never a stack of zod internals. */
function loadVectors(): Vector[] {
  const parsed = z.object({ description: z.string(), vectors: z.array(vectorSchema) }).strict().safeParse(JSON.parse(readFileSync(FIXTURE, 'utf8')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `cost-vectors.json ${formatPath(issue.path)}: ${issue.message}`);
    throw new Error(lines.join('\n'));
  }
  return parsed.data.vectors;
}

/** The wire usage through the same schema and converter the gateway uses for that provider. */
function tokensOf(vector: Vector): TokenUsage {
  let tokens: TokenUsage;
  switch (vector.provider) {
    case 'anthropic':
      tokens = anthropicUsageToTokens(anthropicUsageSchema.parse(vector.usage));
      break;
    case 'gemini':
      tokens = geminiUsageToTokens(geminiUsageMetadataSchema.parse(vector.usage));
      break;
    default:
      // OpenAI and the OpenAI-compatible hosts (DeepSeek, Groq, Perplexity, ...) share the Chat Completions usage shape.
      tokens =
        vector.api === 'responses'
          ? openaiResponsesUsageToTokens(openaiResponsesUsageSchema.parse(vector.usage), vector.service_tier)
          : openaiUsageToTokens(openaiUsageSchema.parse(vector.usage), vector.service_tier);
  }
  // A Batch API result is imported with the batch tier (src/reconcile); the live wire has no such label for OpenAI/Gemini.
  if (vector.billedVia === 'batch-api') tokens.serviceTier = 'batch';
  return tokens;
}

const catalog = createPriceCatalog({});

function price(vector: Vector): { cost: CostBreakdown | null; ref: string | null } {
  const entry = catalog.lookup({ providerFamily: vector.provider, model: vector.model, at: Date.parse(vector.at) });
  if (entry === null) return { cost: null, ref: null };
  return { cost: computeCost(tokensOf(vector), entry), ref: entry.ref };
}

const components = ['inputUsd', 'cacheReadUsd', 'cacheWriteUsd', 'outputUsd', 'requestUsd', 'totalUsd'] as const;

const vectors = loadVectors();

describe('cost vectors from the published pricing pages', () => {
  for (const vector of vectors) {
    const run = vector.knownGap === undefined ? it : it.fails;
    run(vector.id, () => {
      const { cost, ref } = price(vector);
      if ('unpriced' in vector.expected) {
        expect(cost, `${vector.id} must be unpriced (null), got ${JSON.stringify(cost)} from ${ref}`).toBeNull();
        return;
      }
      expect(cost, `${vector.id}: no price in the catalog`).not.toBeNull();
      if (cost === null) return;
      for (const key of components) {
        const expected = vector.expected[key];
        if (expected === undefined) continue;
        const diff = Math.abs(cost[key] - expected);
        expect(diff, `${vector.id} ${key}: catalog ${cost[key]} (${ref}) vs page ${expected}`).toBeLessThanOrEqual(TOLERANCE_USD);
      }
    });
  }
});

describe('the vector set', () => {
  const priced = vectors.filter((vector) => !('unpriced' in vector.expected) && vector.knownGap === undefined);
  const tokens = priced.map(tokensOf);

  it('has at least 60 vectors, 10 per big provider, one OpenAI-compatible host, unique ids', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(60);
    for (const provider of ['openai', 'anthropic', 'gemini']) expect(vectors.filter((v) => v.provider === provider).length, provider).toBeGreaterThanOrEqual(10);
    expect(vectors.some((v) => ['deepseek', 'groq', 'mistral'].includes(v.provider))).toBe(true);
    expect(new Set(vectors.map((v) => v.id)).size).toBe(vectors.length);
  });

  it('covers every token kind and modality subset', () => {
    const kinds = ['inputTokens', 'cacheReadTokens', 'cacheWrite5mTokens', 'cacheWrite1hTokens', 'outputTokens', 'reasoningTokens', 'inputAudioTokens', 'inputImageTokens', 'cacheReadAudioTokens', 'outputAudioTokens', 'outputImageTokens'] as const;
    for (const kind of kinds) expect(tokens.some((t) => (t[kind] ?? 0) > 0), kind).toBe(true);
  });

  it('covers every service tier, the per-request fee, zero usage and unpriced calls', () => {
    for (const tier of ['batch', 'flex', 'priority'] as const) expect(tokens.some((t) => t.serviceTier === tier), tier).toBe(true);
    expect(priced.some((v) => !('unpriced' in v.expected) && (v.expected.requestUsd ?? 0) > 0)).toBe(true);
    expect(priced.some((v) => !('unpriced' in v.expected) && v.expected.totalUsd === 0)).toBe(true);
    expect(vectors.filter((v) => 'unpriced' in v.expected).length).toBeGreaterThanOrEqual(2);
  });

  it('covers context tiers on both sides of the threshold and at it', () => {
    const total = (t: TokenUsage) => t.inputTokens + t.cacheReadTokens + t.cacheWrite5mTokens + t.cacheWrite1hTokens;
    expect(tokens.filter((t) => total(t) === 200_000).length).toBeGreaterThanOrEqual(2);
    expect(tokens.filter((t) => total(t) === 200_001).length).toBeGreaterThanOrEqual(2);
    expect(tokens.filter((t) => total(t) > 200_001).length).toBeGreaterThanOrEqual(3);
  });

  it('states every expected cost as the sum of its stated components', () => {
    for (const vector of vectors) {
      if ('unpriced' in vector.expected) continue;
      const { totalUsd, ...parts } = vector.expected;
      const sum = Object.values(parts).reduce((a, b) => a + b, 0);
      if (Object.keys(parts).length >= 4) expect(Math.abs(sum - totalUsd), vector.id).toBeLessThanOrEqual(TOLERANCE_USD);
      else expect(sum, vector.id).toBeLessThanOrEqual(totalUsd + TOLERANCE_USD);
    }
  });
});
