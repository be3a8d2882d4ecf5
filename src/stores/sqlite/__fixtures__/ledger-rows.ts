import type { LedgerRow } from '../../../spec/ledger.js';

/** 2026-11-01T00:00:00Z, epoch ms. */
export const day0 = Date.UTC(2026, 10, 1);

/** A complete priced ledger row; `overrides` replace fields, `attribution` fields are merged. */
export function ledgerRow(overrides: Partial<Omit<LedgerRow, 'attribution'>> & { attribution?: Partial<LedgerRow['attribution']> } = {}): LedgerRow {
  const { attribution, ...rest } = overrides;
  return {
    id: 'row-1',
    requestId: 'req-1',
    attempt: 1,
    startedAt: day0 + 1_000,
    firstByteAt: day0 + 1_250,
    endedAt: day0 + 2_000,
    dialect: 'openai',
    endpoint: 'chat',
    provider: 'openai',
    requestedModel: 'gpt-4o',
    servedModel: 'gpt-4o-2024-08-06',
    status: 200,
    errorCode: null,
    streamed: true,
    clientAborted: false,
    attribution: {
      keyId: 'key-1',
      team: 'growth',
      app: 'web',
      feature: 'search',
      user: 'u-1',
      customer: 'acme',
      session: 's-1',
      tags: { env: 'prod', 'ünïcode': '✓' },
      ...attribution,
    },
    inputTokens: 1_000,
    cacheReadTokens: 200,
    cacheWrite5mTokens: 30,
    cacheWrite1hTokens: 4,
    outputTokens: 500,
    reasoningTokens: 120,
    inputAudioTokens: 0,
    inputImageTokens: 0,
    cacheReadAudioTokens: 0,
    outputAudioTokens: 0,
    outputImageTokens: 0,
    serviceTier: 'standard',
    usageEstimated: false,
    costInputUsd: 0.0025,
    costCacheReadUsd: 0.00025,
    costCacheWriteUsd: 0.0000375,
    costOutputUsd: 0.005,
    costRequestUsd: 0,
    costTotalUsd: 0.0077875,
    priceRef: 'genai-prices:openai/gpt-4o',
    configHash: 'cfg-abc',
    previousCostTotalUsd: null,
    previousPriceRef: null,
    repricedAt: null,
    cacheSource: null,
    costUncachedUsd: null,
    routeTier: null,
    routeReason: null,
    routeScore: null,
    routeClassifier: null,
    routeCandidates: null,
    shadowTier: null,
    shadowProvider: null,
    shadowModel: null,
    shadowCostUsd: null,
    followsReason: null,
    baselineProvider: null,
    baselineModel: null,
    baselineCostUsd: null,
    ...rest,
  };
}

/** The same row with no price: every cost null (unknown, not zero). */
export function unpricedRow(overrides: Parameters<typeof ledgerRow>[0] = {}): LedgerRow {
  return ledgerRow({ costInputUsd: null, costCacheReadUsd: null, costCacheWriteUsd: null, costOutputUsd: null, costRequestUsd: null, costTotalUsd: null, priceRef: null, ...overrides });
}
