import { countTokens as countChatWithGptTokenizer } from 'gpt-tokenizer/model/gpt-4o';
import { describe, expect, it } from 'vitest';
import { computeCost, createPriceCatalog, type PriceCatalog, type PriceEntry, type PriceOverride, type TokenPrices } from '../pricing/index.js';
import { emptyUsage, type TokenUsage } from '../spec/usage.js';
import type { ChatRequest } from '../spec/canonical.js';
import { countChatTokens, estimateSafetyFactor } from '../tokens/index.js';
import { createContextWindowLookup, DEFAULT_MAX_OUTPUT_TOKENS, estimateCost, type EstimateCostInput } from './estimate-cost.js';

const catalog = createPriceCatalog({});
const user = (text: string) => ({ role: 'user' as const, content: [{ type: 'text' as const, text }] });
const request = (parts: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'public-name',
  system: 'You are a terse assistant.',
  messages: [user('What is the capital of France?'), { role: 'assistant', content: [{ type: 'text', text: 'Paris.' }] }, user('And of Italy?')],
  stream: false,
  includeUsage: false,
  ...parts,
});
const estimate = (parts: Partial<EstimateCostInput> & Pick<EstimateCostInput, 'providerFamily' | 'model'>) => estimateCost({ request: request(), catalog, count: countChatTokens, ...parts });
const fixed = (tokens: number, exact = false) => () => ({ tokens, exact });
const entryOf = (providerFamily: string, model: string, prices: PriceCatalog = catalog): PriceEntry => {
  const entry = prices.lookup({ providerFamily, model });
  if (entry === null) throw new Error(`no price for ${providerFamily}/${model}`);
  return entry;
};
const byHand = (tokens: number, perMtok: number) => (tokens * perMtok) / 1_000_000;

/** A configured price, for numbers that do not depend on the bundled data. */
const house = (base: TokenPrices, extra: { requestUsd?: number; tiers?: Array<{ aboveInputTokens: number; prices: TokenPrices }> } = {}): PriceCatalog => {
  const override: PriceOverride = {
    model: 'house-model',
    providerFamily: 'openai',
    refPath: 'models.house',
    versions: [{ effectiveFrom: null, base, tiers: extra.tiers ?? [], requestUsd: extra.requestUsd ?? 0, serviceTiers: {} }],
  };
  return createPriceCatalog({ overrides: [override] });
};

describe('estimateCost: input tokens', () => {
  it('counts an OpenAI model exactly, as gpt-tokenizer counts the same chat', () => {
    const result = estimate({ providerFamily: 'openai', model: 'gpt-4o', request: request({ maxOutputTokens: 100 }) });
    const chat = [
      { role: 'system' as const, content: 'You are a terse assistant.' },
      { role: 'user' as const, content: 'What is the capital of France?' },
      { role: 'assistant' as const, content: 'Paris.' },
      { role: 'user' as const, content: 'And of Italy?' },
    ];
    expect(result.inputTokens).toBe(countChatWithGptTokenizer(chat));
    expect(result).toMatchObject({ inputExact: true, inputMethod: 'tokenizer:o200k_base', safetyFactor: null, reservationInputTokens: result.inputTokens });
    expect(estimate({ providerFamily: 'openai', model: 'gpt-4-0613' }).inputMethod).toBe('tokenizer:cl100k_base');
  });

  it('flags a Claude estimate inexact and reserves it times its family’s safety factor', () => {
    const factor = estimateSafetyFactor('anthropic');
    expect(factor).toBeGreaterThan(1);
    const claude = estimate({ providerFamily: 'anthropic', model: 'claude-sonnet-4-5', request: request({ maxOutputTokens: 10 }) });
    expect(claude).toMatchObject({ inputExact: false, inputMethod: 'estimate:anthropic', safetyFactor: factor });
    expect(claude.inputTokens).toBe(countChatTokens(request(), 'claude-sonnet-4-5', { providerFamily: 'anthropic' }).tokens);
    expect(claude.reservationInputTokens).toBe(Math.ceil(claude.inputTokens * factor));
    expect(claude.inputUsd).toBeCloseTo(byHand(claude.inputTokens, 3), 12);
    expect(claude.worstCaseUsd).toBeCloseTo(byHand(claude.reservationInputTokens, 3) + byHand(10, 15), 12);
    const override = estimate({ providerFamily: 'anthropic', model: 'claude-sonnet-4-5', request: request({ maxOutputTokens: 10 }), safetyFactor: 2 });
    expect(override).toMatchObject({ inputTokens: claude.inputTokens, safetyFactor: 2, reservationInputTokens: claude.inputTokens * 2, inputUsd: claude.inputUsd });
    expect(estimate({ providerFamily: 'gemini', model: 'gemini-2.5-flash' })).toMatchObject({ inputMethod: 'estimate:gemini', safetyFactor: estimateSafetyFactor('gemini') });
    // A model id that names no family takes its provider's weights.
    expect(estimate({ providerFamily: 'anthropic', model: 'house-alias', count: fixed(100) }).inputMethod).toBe('estimate:anthropic');
  });

  it('applies no default factor to an OpenAI count the tokenizer made (inexact only for tools and images)', () => {
    expect(estimate({ providerFamily: 'openai', model: 'gpt-4o', count: fixed(1_000, false) })).toMatchObject({ inputExact: false, safetyFactor: null, reservationInputTokens: 1_000 });
    expect(estimate({ providerFamily: 'openai', model: 'gpt-4o', count: fixed(1_000, false), safetyFactor: 1.5 })).toMatchObject({ safetyFactor: 1.5, reservationInputTokens: 1_500 });
  });

  it('never applies the safety factor to an exact count', () => {
    expect(estimate({ providerFamily: 'openai', model: 'gpt-4o', safetyFactor: 2, count: fixed(1_000, true) })).toMatchObject({ safetyFactor: null, reservationInputTokens: 1_000 });
  });
});

describe('estimateCost: worst case', () => {
  it('is input + max_tokens × output price, by hand from the catalog numbers', () => {
    const entry = entryOf('openai', 'gpt-4o');
    expect([entry.base.inputPerMtok, entry.base.outputPerMtok]).toEqual([2.5, 10]);
    const result = estimate({ providerFamily: 'openai', model: 'gpt-4o', request: request({ maxOutputTokens: 500 }), maxOutputField: 'max_completion_tokens' });
    expect(result).toMatchObject({ maxOutputTokens: 500, maxOutputSource: 'request:max_completion_tokens', priceRef: entry.ref, unpriced: false, unpricedReason: null });
    expect(result.inputUsd).toBeCloseTo(byHand(result.inputTokens, 2.5), 12);
    expect(result.worstCaseUsd).toBeCloseTo(byHand(result.inputTokens, 2.5) + byHand(500, 10), 12);
    expect(result.inputTokens).toBe(38);
    expect(result.worstCaseUsd).toBe(0.005095);
  });

  it('prices every choice of n and adds the per-request fee', () => {
    const prices = house({ inputPerMtok: 1, outputPerMtok: 4 }, { requestUsd: 0.01 });
    const result = estimateCost({ request: request({ maxOutputTokens: 1_000 }), providerFamily: 'openai', model: 'house-model', catalog: prices, count: fixed(2_000, true), choices: 3 });
    expect(result).toMatchObject({ choices: 3, priceRef: 'config:models.house', inputUsd: 0.002 });
    expect(result.worstCaseUsd).toBe(0.002 + 0.012 + 0.01);
  });

  it('uses the reasoning price when it is dearer than output', () => {
    const prices = house({ inputPerMtok: 1, outputPerMtok: 4, reasoningPerMtok: 8 });
    const result = estimateCost({ request: request({ maxOutputTokens: 1_000 }), providerFamily: 'openai', model: 'house-model', catalog: prices, count: fixed(0) });
    expect(result.worstCaseUsd).toBe(0.008);
  });

  it('chooses the context tier by input size, the reservation input included', () => {
    const entry = entryOf('anthropic', 'claude-sonnet-4-5');
    const tier = entry.tiers.find((candidate) => candidate.aboveInputTokens === 200_000);
    expect(tier?.prices).toMatchObject({ inputPerMtok: 6, outputPerMtok: 22.5 });
    expect(entry.base).toMatchObject({ inputPerMtok: 3, outputPerMtok: 15 });
    const at = (tokens: number, safetyFactor = 1) => estimate({ providerFamily: 'anthropic', model: 'claude-sonnet-4-5', request: request({ maxOutputTokens: 4_000 }), count: fixed(tokens), safetyFactor });
    expect(at(150_000).worstCaseUsd).toBeCloseTo(byHand(150_000, 3) + byHand(4_000, 15), 12);
    expect(at(250_000).worstCaseUsd).toBeCloseTo(byHand(250_000, 6) + byHand(4_000, 22.5), 12);
    expect(at(250_000).inputUsd).toBeCloseTo(byHand(250_000, 6), 12);
    // 190,000 estimated × 1.1 = 209,000 reserved: above the threshold, so the reservation is priced at the long-context rate.
    const near = at(190_000, 1.1);
    expect(near.reservationInputTokens).toBe(209_000);
    expect(near.worstCaseUsd).toBeCloseTo(byHand(209_000, 6) + byHand(4_000, 22.5), 12);
    expect(near.inputUsd).toBeCloseTo(byHand(190_000, 3), 12);
  });

  it('prices the input at the cache-write rate when the request asks for caching', () => {
    const entry = entryOf('anthropic', 'claude-haiku-4-5');
    expect(entry.base).toMatchObject({ inputPerMtok: 1, outputPerMtok: 5, cacheWrite5mPerMtok: 1.25, cacheWrite1hPerMtok: 2 });
    const at = (cacheWrite?: '5m' | '1h') =>
      estimate({ providerFamily: 'anthropic', model: 'claude-haiku-4-5', request: request({ maxOutputTokens: 1_000 }), count: fixed(10_000, true), ...(cacheWrite === undefined ? {} : { cacheWrite }) }).worstCaseUsd;
    expect(at()).toBeCloseTo(byHand(10_000, 1) + byHand(1_000, 5), 12);
    expect(at('5m')).toBeCloseTo(byHand(10_000, 1.25) + byHand(1_000, 5), 12);
    expect(at('1h')).toBeCloseTo(byHand(10_000, 2) + byHand(1_000, 5), 12);
  });

  it('prices an OpenAI model’s input at its cache-write rate: OpenAI writes the cache on its own', () => {
    const entry = entryOf('openai', 'gpt-5.6-luna');
    const write = entry.base.cacheWrite5mPerMtok ?? 0;
    expect(write).toBeGreaterThan(entry.base.inputPerMtok);
    const result = estimate({ providerFamily: 'openai', model: 'gpt-5.6-luna', request: request({ maxOutputTokens: 1_000 }), count: fixed(10_000, true) });
    expect(result.inputUsd).toBeCloseTo(byHand(10_000, entry.base.inputPerMtok), 12);
    expect(result.worstCaseUsd).toBeCloseTo(byHand(10_000, write) + byHand(1_000, entry.base.outputPerMtok), 12);
  });

  it('applies the requested service tier', () => {
    const priority = estimate({ providerFamily: 'openai', model: 'gpt-4o', request: request({ maxOutputTokens: 1_000 }), count: fixed(10_000, true), serviceTier: 'priority' });
    expect(priority).toMatchObject({ serviceTier: 'priority', unpriced: false });
    expect(priority.worstCaseUsd).toBeCloseTo(byHand(10_000, 4.25) + byHand(1_000, 17), 12);
  });
});

describe('estimateCost: unpriced', () => {
  it('is null, never 0, for a model without a price', () => {
    const result = estimate({ providerFamily: 'openai', model: 'house-model-without-price', request: request({ maxOutputTokens: 100 }) });
    expect(result).toMatchObject({ priceRef: null, inputUsd: null, worstCaseUsd: null, unpriced: true, unpricedReason: 'no-price', inputMethod: 'estimate:o200k' });
    expect(result.inputTokens).toBeGreaterThan(0);
  });

  it('is null for a service tier the model has no price for', () => {
    const result = estimate({ providerFamily: 'openai', model: 'gpt-4o', request: request({ maxOutputTokens: 100 }), serviceTier: 'flex' });
    expect(result).toMatchObject({ priceRef: entryOf('openai', 'gpt-4o').ref, inputUsd: null, worstCaseUsd: null, unpriced: true, unpricedReason: 'no-service-tier-price' });
  });
});

describe('estimateCost: max output fallback', () => {
  const windows = createContextWindowLookup();

  it('reads context windows from genai-prices', () => {
    expect(windows({ providerFamily: 'openai', model: 'gpt-4o' })).toBe(128_000);
    expect(windows({ providerFamily: 'openai', model: 'gpt-4o-2024-08-06' })).toBe(128_000);
    expect(windows({ providerFamily: 'anthropic', model: 'claude-sonnet-4-5' })).toBe(200_000);
    expect(windows({ providerFamily: 'gemini', model: 'gemini-2.5-flash' })).toBe(1_048_576);
    expect(windows({ providerFamily: 'openai', model: 'no-such-model' })).toBeNull();
    expect(windows({ providerFamily: 'no-such-family', model: 'gpt-4o' })).toBeNull();
  });

  it('takes the request limit, then the upstream default, then the context window minus the input, then the default', () => {
    const base = { providerFamily: 'openai', model: 'gpt-4o', count: fixed(1_000, true) } as const;
    expect(estimate({ ...base, request: request({ maxOutputTokens: 64 }), upstreamDefaultMaxOutput: 4_096, contextWindow: 128_000 })).toMatchObject({ maxOutputTokens: 64, maxOutputSource: 'request:max_tokens' });
    expect(estimate({ ...base, upstreamDefaultMaxOutput: 4_096, contextWindow: 128_000 })).toMatchObject({ maxOutputTokens: 4_096, maxOutputSource: 'upstream-default' });
    const windowed = estimate({ ...base, contextWindow: windows({ providerFamily: 'openai', model: 'gpt-4o' }) });
    expect(windowed).toMatchObject({ maxOutputTokens: 127_000, maxOutputSource: 'context-window' });
    expect(windowed.worstCaseUsd).toBeCloseTo(byHand(1_000, 2.5) + byHand(127_000, 10), 12);
    expect(estimate({ ...base, contextWindow: 500 })).toMatchObject({ maxOutputTokens: 0, maxOutputSource: 'context-window' });
    expect(estimate({ ...base, contextWindow: null })).toMatchObject({ maxOutputTokens: DEFAULT_MAX_OUTPUT_TOKENS, maxOutputSource: 'default' });
    expect(estimate(base)).toMatchObject({ maxOutputTokens: 32_768, maxOutputSource: 'default' });
  });
});

describe('worst case', () => {
  // The worst case is computed from the dearest rates; it must equal the dearest of computeCost over every way the
  // call can be billed (input uncached or written to the cache, output plain or reasoning).
  const variants = (input: number, output: number, extra: Partial<TokenUsage>, cache: Array<'5m' | '1h'>): TokenUsage[] => {
    const base: TokenUsage = { ...emptyUsage(), outputTokens: output, ...extra };
    const inputs: TokenUsage[] = [{ ...base, inputTokens: input }];
    if (cache.includes('5m')) inputs.push({ ...base, cacheWrite5mTokens: input });
    if (cache.includes('1h')) inputs.push({ ...base, cacheWrite1hTokens: input });
    return inputs.flatMap((usage) => [usage, { ...usage, reasoningTokens: output }]);
  };
  const cases: Array<{ providerFamily: string; model: string; cacheWrite?: '5m' | '1h'; serviceTier?: 'flex' | 'priority'; cache: Array<'5m' | '1h'> }> = [
    { providerFamily: 'openai', model: 'gpt-4o', cache: ['5m'] },
    { providerFamily: 'openai', model: 'gpt-5-mini', serviceTier: 'flex', cache: ['5m'] },
    { providerFamily: 'anthropic', model: 'claude-sonnet-4-5', cacheWrite: '1h', cache: ['5m', '1h'] },
    { providerFamily: 'anthropic', model: 'claude-sonnet-4-5', cache: [] },
    { providerFamily: 'google', model: 'gemini-2.5-pro', cache: [] },
  ];
  it.each(cases)('$providerFamily/$model equals the dearest billing variant, across context tiers', (testCase) => {
    for (const maxOutputTokens of [100, 8_000]) {
      for (const words of [10, 60_000]) {
        const long: ChatRequest = { model: testCase.model, messages: [{ role: 'user', content: [{ type: 'text', text: 'lorem ipsum '.repeat(words) }] }], maxOutputTokens, stream: false, includeUsage: false };
        const result = estimate({ ...testCase, request: long });
        const entry = catalog.lookup({ providerFamily: testCase.providerFamily, model: testCase.model }) as PriceEntry;
        const extra: Partial<TokenUsage> = testCase.serviceTier === undefined ? {} : { serviceTier: testCase.serviceTier };
        const dearest = Math.max(...variants(result.reservationInputTokens, maxOutputTokens, extra, testCase.cache).map((usage) => computeCost(usage, entry)?.totalUsd ?? Number.NaN));
        expect(result.worstCaseUsd, `${testCase.model} ${words} ${maxOutputTokens}`).toBe(dearest);
      }
    }
  });
});
