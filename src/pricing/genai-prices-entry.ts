/**
 * Turns @pydantic/genai-prices' bundled model data into PriceEntry values. Only the bundled data is used: the
 * package's `updatePrices` fetches from GitHub, which is unreachable and would make prices depend on the network.
 *
 * Data shapes (genai-prices `ModelInfo.prices`): either one ModelPrice, or a list of ConditionalPrice whose
 * constraint is a start date ("in force from") or a daily UTC window (off-peak / peak). A ModelPrice maps price
 * keys (`input_mtok`, `cache_read_mtok`, ...) to a number or to TieredPrices `{ base, tiers: [{ start, price }] }`.
 */
import type { ConditionalPrice, ModelInfo, ModelPrice } from '@pydantic/genai-prices';
import type { PriceEntry, PriceTier, TokenPrices } from './price-types.js';
import { builtInServiceTiers } from './service-tier-prices.js';

type PriceValue = ModelPrice[string];

type OptionalKind = Exclude<keyof TokenPrices, 'inputPerMtok' | 'outputPerMtok'>;

/** Our optional price kinds and the genai-prices keys they come from, most specific first. */
const optionalKeys: ReadonlyArray<{ kind: OptionalKind; keys: readonly string[] }> = [
  { kind: 'cacheReadPerMtok', keys: ['cache_read_mtok'] },
  // `cache_write_mtok` is the generic write price (Anthropic's 5-minute write); `cache_write_5m_mtok` refines it.
  { kind: 'cacheWrite5mPerMtok', keys: ['cache_write_5m_mtok', 'cache_write_mtok'] },
  { kind: 'cacheWrite1hPerMtok', keys: ['cache_write_1h_mtok'] },
  { kind: 'reasoningPerMtok', keys: ['output_reasoning_mtok'] },
  { kind: 'inputAudioPerMtok', keys: ['input_audio_mtok'] },
  { kind: 'inputImagePerMtok', keys: ['input_image_mtok'] },
  { kind: 'cacheReadAudioPerMtok', keys: ['cache_audio_read_mtok'] },
  { kind: 'outputAudioPerMtok', keys: ['output_audio_mtok'] },
  { kind: 'outputImagePerMtok', keys: ['output_image_mtok'] },
];

const tierStarts = (value: PriceValue): number[] => (value === undefined || typeof value === 'number' ? [] : value.tiers.map((tier) => tier.start));

/** The price of one key in the band just above `above` (the largest tier start <= above), or its base price when null. */
function priceAt(value: PriceValue, above: number | null): number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  let price = value.base;
  let bestStart = -Infinity;
  for (const tier of value.tiers) {
    if (above !== null && tier.start <= above && tier.start >= bestStart) {
      price = tier.price;
      bestStart = tier.start;
    }
  }
  return price;
}

function pricesAt(price: ModelPrice, above: number | null): TokenPrices | null {
  const input = priceAt(price.input_mtok, above);
  if (input === undefined) return null;
  const prices: TokenPrices = { inputPerMtok: input, outputPerMtok: priceAt(price.output_mtok, above) ?? 0 };
  for (const { kind, keys } of optionalKeys) {
    const key = keys.find((candidate) => price[candidate] !== undefined);
    const value = key === undefined ? undefined : priceAt(price[key], above);
    if (value !== undefined) prices[kind] = value;
  }
  // genai-prices prices a 1-hour write it has no 1h price for at the generic write price, not at a 5m-only price.
  const genericWrite = price.cache_write_1h_mtok === undefined && price.cache_write_5m_mtok !== undefined ? priceAt(price.cache_write_mtok, above) : undefined;
  if (genericWrite !== undefined) prices.cacheWrite1hPerMtok = genericWrite;
  return prices;
}

/**
 * One ModelPrice as a PriceEntry, or null when it has no token input price (audio-hour or per-request-only
 * models): such a model is unpriced for us rather than $0. Output missing means $0 output (embeddings).
 * `requests_kcount` becomes the per-request fee. Price keys for things TokenUsage does not meter (web searches,
 * document pages, video) are ignored. `refSuffix` names a conditional price (`@2025-09-05`, `@16:30-00:30Z`).
 */
export function toPriceEntry(options: { providerId: string; modelId: string; price: ModelPrice; refSuffix?: string; effectiveFrom?: number | null }): PriceEntry | null {
  const base = pricesAt(options.price, null);
  if (base === null) return null;
  const tokenKeys = ['input_mtok', 'output_mtok', ...optionalKeys.flatMap((kind) => kind.keys)];
  const starts = [...new Set(tokenKeys.flatMap((key) => tierStarts(options.price[key])))].sort((a, b) => a - b);
  const tiers: PriceTier[] = [];
  for (const start of starts) {
    const prices = pricesAt(options.price, start);
    if (prices !== null) tiers.push({ aboveInputTokens: start, prices });
  }
  const requests = options.price.requests_kcount;
  return {
    ref: `genai-prices:${options.providerId}/${options.modelId}${options.refSuffix ?? ''}`,
    source: 'bundled',
    provider: options.providerId,
    model: options.modelId,
    effectiveFrom: options.effectiveFrom ?? null,
    requestUsd: typeof requests === 'number' ? requests / 1000 : 0,
    base,
    tiers,
    serviceTiers: builtInServiceTiers(options.providerId, options.modelId, { base, tiers }),
  };
}

/** A ConditionalPrice constraint, pre-parsed so that choosing the price in force is a few comparisons. */
export type PriceCondition = { kind: 'always' } | { kind: 'from'; epochMs: number } | { kind: 'daily'; startSecond: number; endSecond: number } | { kind: 'never' };

const timeOfDay = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** Seconds after UTC midnight of a `HH:MM:SS[.fff](Z|±HH:MM)` time, as genai-prices reads it; null if malformed. */
function utcSecondOfDay(text: string): number | null {
  const match = timeOfDay.exec(text);
  if (!match) return null;
  const [, hours = '', minutes = '', seconds = '', fraction = '', zone, sign, offsetHours = '00', offsetMinutes = '00'] = match;
  const local = Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds) + Number(`0.${fraction}`);
  const offset = zone === 'Z' ? 0 : (sign === '+' ? 1 : -1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60;
  return (local - offset + 86_400) % 86_400;
}

export function parseCondition(constraint: ConditionalPrice['constraint']): PriceCondition {
  if (constraint === undefined) return { kind: 'always' };
  if (constraint.type === 'start_date') {
    const epochMs = Date.parse(constraint.start_date);
    return Number.isNaN(epochMs) ? { kind: 'never' } : { kind: 'from', epochMs };
  }
  const startSecond = utcSecondOfDay(constraint.start_time);
  const endSecond = utcSecondOfDay(constraint.end_time);
  return startSecond === null || endSecond === null ? { kind: 'never' } : { kind: 'daily', startSecond, endSecond };
}

function holds(condition: PriceCondition, at: Date): boolean {
  switch (condition.kind) {
    case 'always':
      return true;
    case 'from':
      return at.getTime() >= condition.epochMs;
    case 'daily': {
      const second = at.getUTCHours() * 3600 + at.getUTCMinutes() * 60 + at.getUTCSeconds() + at.getUTCMilliseconds() / 1000;
      const { startSecond: start, endSecond: end } = condition;
      return end < start ? second >= start || second < end : second >= start && second < end;
    }
    case 'never':
      return false;
  }
}

/**
 * Index of the conditional price in force at `at`, by genai-prices' rule: the LAST entry whose constraint holds
 * (an unconstrained entry always holds), else the first entry.
 */
export function conditionInForce(conditions: readonly PriceCondition[], at: Date): number {
  return Math.max(lastHolding(conditions, at), 0);
}

/** Index of the last condition that holds at `at`, or -1. */
export function lastHolding(conditions: readonly PriceCondition[], at: Date): number {
  for (let index = conditions.length - 1; index >= 0; index -= 1) {
    const condition = conditions[index];
    if (condition !== undefined && holds(condition, at)) return index;
  }
  return -1;
}

/** A matched model's price options: one entry, or one per ConditionalPrice with its parsed condition. */
export type ModelPriceOptions =
  | { kind: 'fixed'; entry: PriceEntry | null }
  | { kind: 'conditional'; conditions: PriceCondition[]; entries: Array<PriceEntry | null> };

/** The ref suffix of a conditional price: its start date, or its daily window as written in the data. */
function conditionSuffix(constraint: ConditionalPrice['constraint']): string {
  if (constraint === undefined) return '';
  if (constraint.type === 'start_date') return `@${constraint.start_date}`;
  return `@${constraint.start_time}-${constraint.end_time}`;
}

export function priceOptionsOf(options: { providerId: string; model: ModelInfo }): ModelPriceOptions {
  const { providerId, model } = options;
  if (!Array.isArray(model.prices)) return { kind: 'fixed', entry: toPriceEntry({ providerId, modelId: model.id, price: model.prices }) };
  const list: ConditionalPrice[] = model.prices;
  const conditions = list.map((conditional) => parseCondition(conditional.constraint));
  return {
    kind: 'conditional',
    conditions,
    entries: list.map((conditional, index) => {
      const condition = conditions[index];
      return toPriceEntry({
        providerId,
        modelId: model.id,
        price: conditional.prices,
        refSuffix: conditionSuffix(conditional.constraint),
        effectiveFrom: condition?.kind === 'from' ? condition.epochMs : null,
      });
    }),
  };
}
