/**
 * Prices of the batch / flex / priority service tiers. genai-prices carries standard prices only, so the tiers are
 * kept here as data, each rule citing the page it was read from (read 2026-11-23). A configured price can set or
 * replace any of them (`service_tiers` in jevons.yaml).
 */
import type { PricedServiceTier, PriceSchedule, TokenPrices } from './price-types.js';

interface FactorRule {
  family: string;
  tier: PricedServiceTier;
  /** Canonical catalog model ids the rule covers; absent = every model of the family. */
  models?: RegExp;
  factor: number;
  source: string;
}

const OPENAI_BATCH = 'https://platform.openai.com/docs/guides/batch (50% of standard)';
const OPENAI_FLEX = 'https://platform.openai.com/docs/guides/flex-processing (Batch API rates)';
const OPENAI_PRIORITY = 'https://openai.com/api-priority-processing/';

export const factorRules: readonly FactorRule[] = [
  { family: 'openai', tier: 'batch', factor: 0.5, source: OPENAI_BATCH },
  { family: 'openai', tier: 'flex', models: /^(gpt-5(\.\d+)?(-mini|-nano)?|o3|o4-mini)$/, factor: 0.5, source: OPENAI_FLEX },
  { family: 'anthropic', tier: 'batch', factor: 0.5, source: 'https://docs.anthropic.com/en/docs/build-with-claude/batch-processing#pricing (50% of standard)' },
  {
    family: 'anthropic',
    tier: 'priority',
    factor: 1,
    source: 'https://docs.anthropic.com/en/api/service-tiers (capacity commitment billed by contract; tokens at list price)',
  },
  { family: 'google', tier: 'batch', factor: 0.5, source: 'https://ai.google.dev/gemini-api/docs/batch-mode (50% of standard)' },
];

/** OpenAI priority processing: per-model prices (input, cached input, output per Mtok); long context excluded. */
const openaiPriority: Readonly<Record<string, readonly [number, number | undefined, number]>> = {
  'gpt-5.5': [12.5, 1.25, 75],
  'gpt-5.4-mini': [1.5, 0.15, 9],
  'gpt-5.4': [5, 0.5, 30],
  'gpt-5.2': [3.5, 0.35, 28],
  'gpt-5.1': [2.5, 0.25, 20],
  'gpt-5.1-codex': [2.5, 0.25, 20],
  'gpt-5': [2.5, 0.25, 20],
  'gpt-5-codex': [2.5, 0.25, 20],
  'gpt-5-mini': [0.45, 0.045, 3.6],
  'gpt-4.1': [3.5, 0.875, 14],
  'gpt-4.1-mini': [0.7, 0.175, 2.8],
  'gpt-4.1-nano': [0.2, 0.05, 0.8],
  'gpt-4o': [4.25, 2.125, 17],
  'gpt-4o-2024-11-20': [4.25, 2.125, 17],
  'gpt-4o-2024-08-06': [4.25, 2.125, 17],
  'gpt-4o-2024-05-13': [8.75, undefined, 26.25],
  'gpt-4o-mini': [0.25, 0.125, 1],
  o3: [3.5, 0.875, 14],
  'o4-mini': [2, 0.5, 8],
};

/** Every price of a set multiplied by a factor (exactly: factors are applied to the per-Mtok price). */
export function scalePrices(prices: TokenPrices, factor: number): TokenPrices {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(prices)) if (value !== undefined) out[key] = value * factor;
  return out as unknown as TokenPrices;
}

export function scaleSchedule(schedule: PriceSchedule, factor: number): PriceSchedule {
  return { base: scalePrices(schedule.base, factor), tiers: schedule.tiers.map((tier) => ({ aboveInputTokens: tier.aboveInputTokens, prices: scalePrices(tier.prices, factor) })) };
}

/** The built-in tier prices for a catalog model, from its standard schedule. */
export function builtInServiceTiers(family: string, model: string, standard: PriceSchedule): Partial<Record<PricedServiceTier, PriceSchedule & { source: string }>> {
  const out: Partial<Record<PricedServiceTier, PriceSchedule & { source: string }>> = {};
  for (const rule of factorRules) {
    if (rule.family === family && (rule.models === undefined || rule.models.test(model))) out[rule.tier] = { ...scaleSchedule(standard, rule.factor), source: rule.source };
  }
  const priority = family === 'openai' ? openaiPriority[model] : undefined;
  if (priority !== undefined) {
    const [input, cached, output] = priority;
    const base: TokenPrices = { inputPerMtok: input, outputPerMtok: output };
    if (cached !== undefined) base.cacheReadPerMtok = cached;
    // Priority excludes long-context requests, so the entry has no context tiers.
    out.priority = { base, tiers: [], source: OPENAI_PRIORITY };
  }
  return out;
}
