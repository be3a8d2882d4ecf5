/**
 * A PriceEntry as what Jevons charges: one column per schedule (standard, each context tier, each service tier and
 * its context tiers) and one row per token kind, with the fallbacks computeCost applies made explicit ("= input").
 */
import type { PricedServiceTier, PriceEntry, PriceSchedule, TokenPrices } from '../../pricing/index.js';

export const priceKinds = ['input', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'output', 'reasoning', 'inputAudio', 'cacheReadAudio', 'inputImage', 'outputAudio', 'outputImage'] as const;
export type PriceKind = (typeof priceKinds)[number];

export const kindLabels: Readonly<Record<PriceKind, string>> = {
  input: 'input',
  cacheRead: 'cache read',
  cacheWrite5m: 'cache write 5m',
  cacheWrite1h: 'cache write 1h',
  output: 'output',
  reasoning: 'reasoning',
  inputAudio: 'audio in',
  cacheReadAudio: 'audio cache read',
  inputImage: 'image in',
  outputAudio: 'audio out',
  outputImage: 'image out',
};

/** Kinds shown even when they only fall back; the modality kinds are shown only when some schedule prices them. */
const coreKinds: ReadonlySet<PriceKind> = new Set(['input', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'output', 'reasoning']);

const ownField: Readonly<Record<PriceKind, keyof TokenPrices>> = {
  input: 'inputPerMtok',
  cacheRead: 'cacheReadPerMtok',
  cacheWrite5m: 'cacheWrite5mPerMtok',
  cacheWrite1h: 'cacheWrite1hPerMtok',
  output: 'outputPerMtok',
  reasoning: 'reasoningPerMtok',
  inputAudio: 'inputAudioPerMtok',
  cacheReadAudio: 'cacheReadAudioPerMtok',
  inputImage: 'inputImagePerMtok',
  outputAudio: 'outputAudioPerMtok',
  outputImage: 'outputImagePerMtok',
};

/** What each optional kind is charged at when it has no price of its own (src/pricing/compute-cost.ts). */
const fallbackOf: Readonly<Partial<Record<PriceKind, PriceKind>>> = {
  cacheRead: 'input',
  cacheWrite5m: 'input',
  cacheWrite1h: 'cacheWrite5m',
  reasoning: 'output',
  inputAudio: 'input',
  cacheReadAudio: 'cacheRead',
  inputImage: 'input',
  outputAudio: 'output',
  outputImage: 'output',
};

/** One price set with every kind resolved: `perMtok` is what is charged, `fallbacks` the kind it was taken from. */
export interface ResolvedPrices {
  perMtok: Record<PriceKind, number>;
  /** Kinds without a price of their own → the kind whose price they are charged at (followed to the end). */
  fallbacks: Partial<Record<PriceKind, PriceKind>>;
}

export function resolvePrices(prices: TokenPrices): ResolvedPrices {
  const perMtok = {} as Record<PriceKind, number>;
  const fallbacks: Partial<Record<PriceKind, PriceKind>> = {};
  // priceKinds lists every fallback target before the kinds that fall back to it.
  for (const kind of priceKinds) {
    const own = prices[ownField[kind]];
    const fallback = fallbackOf[kind];
    if (own !== undefined || fallback === undefined) {
      perMtok[kind] = own ?? 0;
      continue;
    }
    perMtok[kind] = perMtok[fallback];
    fallbacks[kind] = fallbacks[fallback] ?? fallback;
  }
  return { perMtok, fallbacks };
}

export interface ScheduleColumn extends ResolvedPrices {
  /** `standard`, `> 200k`, `batch`, `batch > 200k`, ... */
  label: string;
  serviceTier: 'standard' | PricedServiceTier;
  /** The context tier's threshold (total input tokens strictly above it), null for the base prices. */
  aboveInputTokens: number | null;
}

const pricedTiers: readonly PricedServiceTier[] = ['batch', 'flex', 'priority'];

/** 200000 → `200k`, 1048576 → `1,048,576`. */
export function tokensLabel(tokens: number): string {
  return tokens % 1000 === 0 ? `${(tokens / 1000).toLocaleString('en-US')}k` : tokens.toLocaleString('en-US');
}

function scheduleColumns(schedule: PriceSchedule, serviceTier: ScheduleColumn['serviceTier']): ScheduleColumn[] {
  const prefix = serviceTier === 'standard' ? '' : `${serviceTier} `;
  return [
    { label: serviceTier, serviceTier, aboveInputTokens: null, ...resolvePrices(schedule.base) },
    ...schedule.tiers.map((tier) => ({ label: `${prefix}> ${tokensLabel(tier.aboveInputTokens)}`, serviceTier, aboveInputTokens: tier.aboveInputTokens, ...resolvePrices(tier.prices) })),
  ];
}

/** Every schedule of an entry, standard first, then batch, flex and priority where the entry has them. */
export function priceColumns(entry: PriceEntry, options: { serviceTiers?: boolean } = {}): ScheduleColumn[] {
  const columns = scheduleColumns(entry, 'standard');
  if (options.serviceTiers === false) return columns;
  for (const tier of pricedTiers) {
    const schedule = entry.serviceTiers[tier];
    if (schedule !== undefined) columns.push(...scheduleColumns(schedule, tier));
  }
  return columns;
}

/** The kinds worth a row: the core kinds, and modality kinds some column prices at their own rate. */
export function shownKinds(columns: readonly ScheduleColumn[]): PriceKind[] {
  return priceKinds.filter((kind) => coreKinds.has(kind) || columns.some((column) => column.fallbacks[kind] === undefined));
}

/** USD per million tokens without float noise or exponents: 2.5, 0.0625, 0.000075. */
export function perMtokText(value: number): string {
  const rounded = Number(value.toPrecision(12));
  const text = String(rounded);
  return text.includes('e') ? rounded.toFixed(12).replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** One cell: the price, or `= <kind>` when it is charged at another kind's price. */
export function cellText(column: ScheduleColumn, kind: PriceKind): string {
  const fallback = column.fallbacks[kind];
  return fallback === undefined ? perMtokText(column.perMtok[kind]) : `= ${kindLabels[fallback]}`;
}

/** `2026-01-01` for a UTC midnight, else the full ISO time. */
export function dateText(epochMs: number): string {
  const text = new Date(epochMs).toISOString();
  return text.endsWith('T00:00:00.000Z') ? text.slice(0, 10) : text;
}
