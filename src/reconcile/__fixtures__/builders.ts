/** Builders for reconcile tests: ledger groups and exports from fixtures. Test-only; not exported by index.ts. */
import { readFileSync } from 'node:fs';
import { parseExport } from '../read-export.js';
import type { ExportFormat, LedgerCellInput, ParsedExport } from '../types.js';

export const fixtureText = (name: string): string => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
export const fixtureExport = (name: string, format?: ExportFormat): ParsedExport => parseExport({ text: fixtureText(name), file: name, format });

/** A ledger group with nothing in it; `overrides` fill what the test needs. */
export function ledgerCell(overrides: Partial<LedgerCellInput> & Pick<LedgerCellInput, 'day'>): LedgerCellInput {
  return {
    provider: 'openai',
    servedModel: null,
    requestedModel: 'unknown',
    rows: 1,
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    costInputUsd: 0,
    costCacheReadUsd: 0,
    costCacheWriteUsd: 0,
    costOutputUsd: 0,
    unpricedRows: 0,
    unpricedInputTokens: 0,
    unpricedCacheReadTokens: 0,
    unpricedCacheWriteTokens: 0,
    unpricedOutputTokens: 0,
    estimatedRows: 0,
    estimatedTokens: 0,
    priceRefs: [],
    ...overrides,
  };
}

/** A priced ledger group: tokens by kind at per-Mtok prices; costs follow. */
export function pricedCell(options: {
  day: string;
  model: string;
  provider?: string;
  tokens: { input?: number; cacheRead?: number; cacheWrite5m?: number; output?: number };
  prices: { input: number; cacheRead?: number; cacheWrite5m?: number; output: number };
  rows?: number;
  priceRef?: string;
}): LedgerCellInput {
  const t = { input: 0, cacheRead: 0, cacheWrite5m: 0, output: 0, ...options.tokens };
  const usd = (tokens: number, perMtok: number | undefined) => (tokens * (perMtok ?? 0)) / 1_000_000;
  const costInputUsd = usd(t.input, options.prices.input);
  const costCacheReadUsd = usd(t.cacheRead, options.prices.cacheRead);
  const costCacheWriteUsd = usd(t.cacheWrite5m, options.prices.cacheWrite5m);
  const costOutputUsd = usd(t.output, options.prices.output);
  return ledgerCell({
    day: options.day,
    provider: options.provider ?? 'openai',
    servedModel: options.model,
    requestedModel: options.model,
    rows: options.rows ?? 10,
    inputTokens: t.input,
    cacheReadTokens: t.cacheRead,
    cacheWrite5mTokens: t.cacheWrite5m,
    outputTokens: t.output,
    costInputUsd,
    costCacheReadUsd,
    costCacheWriteUsd,
    costOutputUsd,
    costUsd: costInputUsd + costCacheReadUsd + costCacheWriteUsd + costOutputUsd,
    priceRefs: [options.priceRef ?? `genai-prices:${options.provider === 'anthropic' ? 'anthropic' : 'openai'}/${options.model}`],
  });
}

/** The ledger that matches the OpenAI costs / usage fixtures exactly (gpt-4o $2.50 / $1.25 / $10, mini $0.15 / $0.60). */
export const openAiFixtureLedger = (): LedgerCellInput[] => [
  pricedCell({ day: '2026-11-01', model: 'gpt-4o-2024-08-06', tokens: { input: 1_200_000, cacheRead: 400_000, output: 300_000 }, prices: { input: 2.5, cacheRead: 1.25, output: 10 }, priceRef: 'genai-prices:openai/gpt-4o' }),
  pricedCell({ day: '2026-11-01', model: 'gpt-4o-mini-2024-07-18', tokens: { input: 2_000_000, output: 500_000 }, prices: { input: 0.15, output: 0.6 }, priceRef: 'genai-prices:openai/gpt-4o-mini' }),
  pricedCell({ day: '2026-11-02', model: 'gpt-4o-2024-08-06', tokens: { input: 1_000_000, output: 200_000 }, prices: { input: 2.5, output: 10 }, priceRef: 'genai-prices:openai/gpt-4o' }),
];
