import type { Dialect } from './canonical.js';
import type { ServiceTier, TokenUsage } from './usage.js';

/** Which gateway endpoint a ledger row was recorded for. */
export type Endpoint = 'chat' | 'messages' | 'embeddings' | 'responses' | 'count_tokens';

/** Attribution of a request: key defaults overlaid by request headers and body fields. */
export interface Attribution {
  keyId: string | null;
  team: string | null;
  app: string | null;
  feature: string | null;
  user: string | null;
  customer: string | null;
  session: string | null;
  tags: Record<string, string>;
}

/** One routing candidate: a configured provider and the model id it knows. */
export interface RouteCandidate {
  provider: string;
  model: string;
}

/**
 * One row per upstream attempt. Times are epoch milliseconds. Token counts follow TokenUsage (disjoint
 * kinds; reasoning is a subset of output). Costs are USD; `costTotalUsd` is null when the model is unpriced,
 * never 0 for "unknown".
 */
export interface LedgerRow {
  id: string;
  requestId: string;
  attempt: number;
  startedAt: number;
  firstByteAt: number | null;
  endedAt: number;
  dialect: Dialect;
  endpoint: Endpoint;
  provider: string;
  requestedModel: string;
  servedModel: string | null;
  status: number;
  errorCode: string | null;
  streamed: boolean;
  clientAborted: boolean;
  attribution: Attribution;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** Modality subsets (TokenUsage): audio/image parts of input, cache reads and output; 0 when not reported. */
  inputAudioTokens: number;
  inputImageTokens: number;
  cacheReadAudioTokens: number;
  outputAudioTokens: number;
  outputImageTokens: number;
  serviceTier: ServiceTier;
  usageEstimated: boolean;
  costInputUsd: number | null;
  costCacheReadUsd: number | null;
  costCacheWriteUsd: number | null;
  costOutputUsd: number | null;
  costRequestUsd: number | null;
  costTotalUsd: number | null;
  /** Identifies the price entry used (`genai-prices:openai/gpt-4o`, `config:models.my-model`), null if unpriced. */
  priceRef: string | null;
  /** Set when a response cache answered (no upstream call; tokens are those of the original answer, cost 0). */
  cacheSource: 'exact' | 'semantic' | null;
  /**
   * What the row would have cost with no cache at all (response caches and provider prompt caching): the money a
   * cache saved is costUncachedUsd - costTotalUsd, exactly. Null when unpriced.
   */
  costUncachedUsd: number | null;
  configHash: string;
  /**
   * The routing decision of the call, the same on every row of it (docs/routing.md); all null when the call was
   * routed by its model name alone. `routeCandidates` is the ordered candidate list ([0] was the first target).
   */
  routeTier: string | null;
  routeReason: string | null;
  routeScore: number | null;
  routeClassifier: string | null;
  routeCandidates: RouteCandidate[] | null;
  /** Shadow mode: the tier and model the router would have chosen, and that model's estimated cost (USD). */
  shadowTier: string | null;
  shadowProvider: string | null;
  shadowModel: string | null;
  shadowCostUsd: number | null;
  /** Why this attempt followed the previous one ('rate_limited', 'server_error', 'cascade:<validator>'...); null for the first. */
  followsReason: string | null;
  /**
   * Routing savings' baseline (docs/routing.md): the model the call would have used without routing (the model the
   * caller named, or the automatic baseline for `jevons/auto`), the same on every row of the call, and this attempt's
   * usage priced at it (0 for an answer a cascade escalation replaced: without routing there is no cascade). Set only
   * when a serve-mode decision chose the model; all null otherwise (no decision, pinned, shadow mode); the cost is
   * null when the usage or the baseline's price is unknown. Saved = baselineCostUsd - costTotalUsd.
   */
  baselineProvider: string | null;
  baselineModel: string | null;
  baselineCostUsd: number | null;
  /** Set by `jevons reprice` on a row whose cost it changed: the total and price entry before, and when (epoch ms).
   * Only reprice writes them; `LedgerStore.append` stores new rows with them NULL. */
  previousCostTotalUsd: number | null;
  previousPriceRef: string | null;
  repricedAt: number | null;
}

/** A ledger row's usage, as the pricer saw it (to recompute or reprice its cost). */
export function usageOfRow(row: LedgerRow): TokenUsage {
  return {
    inputTokens: row.inputTokens,
    cacheReadTokens: row.cacheReadTokens,
    cacheWrite5mTokens: row.cacheWrite5mTokens,
    cacheWrite1hTokens: row.cacheWrite1hTokens,
    outputTokens: row.outputTokens,
    reasoningTokens: row.reasoningTokens,
    inputAudioTokens: row.inputAudioTokens,
    inputImageTokens: row.inputImageTokens,
    cacheReadAudioTokens: row.cacheReadAudioTokens,
    outputAudioTokens: row.outputAudioTokens,
    outputImageTokens: row.outputImageTokens,
    serviceTier: row.serviceTier,
  };
}

/** One group of ledger rows (UTC day x provider x served model x requested model), for reconciliation. Tokens are sums over every row of the group; costs sum priced rows only. */
export interface DailyLedgerCell {
  /** UTC calendar day of started_at, YYYY-MM-DD. */
  day: string;
  /** Configured provider name (not the provider type). */
  provider: string;
  /** Snapshot id the provider returned; null when no response named one (e.g. the attempt failed). */
  servedModel: string | null;
  /** Model name the caller asked for (may be a public alias from `models:` in the config). */
  requestedModel: string;
  /** Every row of the group, failed attempts included. */
  rows: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** Sum of cost_total_usd over priced rows (NULL costs are unknown, not 0, and are left out). */
  costUsd: number;
  costInputUsd: number;
  costCacheReadUsd: number;
  costCacheWriteUsd: number;
  costOutputUsd: number;
  /** Rows with tokens but no cost (the model had no price). */
  unpricedRows: number;
  unpricedInputTokens: number;
  unpricedCacheReadTokens: number;
  unpricedCacheWriteTokens: number;
  unpricedOutputTokens: number;
  /** Rows whose usage was estimated with a tokenizer (stream cut off before the provider's usage). */
  estimatedRows: number;
  /** Input, cache and output tokens of those rows. */
  estimatedTokens: number;
  /** Distinct price_ref values of the priced rows, sorted. */
  priceRefs: string[];
}
