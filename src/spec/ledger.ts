import type { Dialect } from './canonical.js';
import type { ServiceTier } from './usage.js';

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
  configHash: string;
  /** Set by `jevons reprice` on a row whose cost it changed: the total and price entry before, and when (epoch ms).
   * Only reprice writes them; `LedgerStore.append` stores new rows with them NULL. */
  previousCostTotalUsd: number | null;
  previousPriceRef: string | null;
  repricedAt: number | null;
}
