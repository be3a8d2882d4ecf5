import type { Attempt, Call, Policy, RouteTarget, RoutingDecision } from '../pipeline/call.js';
import type { LedgerRow } from '../spec/ledger.js';
import type { TokenUsage } from '../spec/usage.js';

/**
 * Prices a usage record at a target's price entry (config overrides included) at instant `at`: the cost of serving it
 * with that model. Null when the model has no price (or none for the usage's service tier). Shadow mode's would-be
 * model; built by the composition root (policies/routing/shadow-cost.ts createShadowPricer).
 */
export type ShadowPricer = (input: { target: RouteTarget; usage: TokenUsage; at: number }) => number | null;

/**
 * The routing columns of a call's rows (docs/routing.md): the same on every attempt (but shadow_cost_usd, per attempt:
 * shadowCostOf); all null without a decision.
 */
type RoutingColumns = Pick<LedgerRow, 'routeTier' | 'routeReason' | 'routeScore' | 'routeClassifier' | 'routeCandidates' | 'shadowTier' | 'shadowProvider' | 'shadowModel' | 'shadowCostUsd'>;

const unrouted: RoutingColumns = {
  routeTier: null, routeReason: null, routeScore: null, routeClassifier: null, routeCandidates: null,
  shadowTier: null, shadowProvider: null, shadowModel: null, shadowCostUsd: null,
};

export function routingColumns(routing: RoutingDecision | null | undefined): RoutingColumns {
  if (routing === null || routing === undefined) return unrouted;
  const shadow = routing.shadow;
  return {
    routeTier: routing.tier,
    routeReason: routing.reason,
    routeScore: routing.score,
    routeClassifier: routing.classifierId,
    routeCandidates: routing.candidates.map((candidate) => ({ provider: candidate.provider, model: candidate.upstreamModel })),
    shadowTier: shadow?.tier ?? null,
    shadowProvider: shadow?.target.provider ?? null,
    shadowModel: shadow?.target.upstreamModel ?? null,
    shadowCostUsd: shadow?.estimatedCostUsd ?? null,
  };
}

/**
 * shadow_cost_usd of one attempt's row in shadow mode: the attempt's usage as served (input, cache reads and writes,
 * output with reasoning, service tier) priced at the would-be model at the attempt's start, so that it compares with
 * the row's cost_total_usd; null when that model has no price. The pre-flight estimate (input only) stays only where
 * the usage is unknown (no answer: a transport failure) or no pricer is given.
 */
export function shadowCostOf(shadow: NonNullable<RoutingDecision['shadow']>, attempt: Attempt, price: ShadowPricer | undefined): number | null {
  if (attempt.usage === null || price === undefined) return shadow.estimatedCostUsd;
  return price({ target: shadow.target, usage: attempt.usage, at: attempt.startedAt });
}

export interface MeterOptions {
  enqueue: (row: LedgerRow) => void;
  configHash: string;
  newId: () => string;
  /** Prices shadow mode's would-be model on each attempt's actual usage (shadowCostOf); absent = the pre-flight estimate. */
  priceShadow?: ShadowPricer;
}

/** Builds the ledger row of one attempt. Pure: exported for tests and replay. */
export function attemptToRow(options: { call: Call; attempt: Attempt; index: number; id: string; configHash: string; routing?: RoutingColumns; priceShadow?: ShadowPricer }): LedgerRow {
  const { call, attempt } = options;
  const routing = options.routing ?? routingColumns(call.routing);
  const shadow = call.routing?.shadow;
  const usage = attempt.usage;
  const cost = attempt.cost;
  return {
    id: options.id,
    requestId: call.requestId,
    attempt: options.index + 1,
    startedAt: attempt.startedAt,
    firstByteAt: attempt.firstByteAt,
    endedAt: attempt.endedAt,
    dialect: call.dialect,
    endpoint: call.endpoint,
    provider: attempt.provider,
    requestedModel: call.model,
    servedModel: attempt.servedModel,
    status: attempt.status,
    errorCode: attempt.errorCode,
    streamed: attempt.streamed,
    clientAborted: attempt.clientAborted,
    attribution: call.attribution,
    inputTokens: usage?.inputTokens ?? 0,
    cacheReadTokens: usage?.cacheReadTokens ?? 0,
    cacheWrite5mTokens: usage?.cacheWrite5mTokens ?? 0,
    cacheWrite1hTokens: usage?.cacheWrite1hTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    inputAudioTokens: usage?.inputAudioTokens ?? 0,
    inputImageTokens: usage?.inputImageTokens ?? 0,
    cacheReadAudioTokens: usage?.cacheReadAudioTokens ?? 0,
    outputAudioTokens: usage?.outputAudioTokens ?? 0,
    outputImageTokens: usage?.outputImageTokens ?? 0,
    serviceTier: usage?.serviceTier ?? 'standard',
    usageEstimated: attempt.usageEstimated,
    costInputUsd: cost?.inputUsd ?? null,
    costCacheReadUsd: cost?.cacheReadUsd ?? null,
    costCacheWriteUsd: cost?.cacheWriteUsd ?? null,
    costOutputUsd: cost?.outputUsd ?? null,
    costRequestUsd: cost?.requestUsd ?? null,
    costTotalUsd: cost?.totalUsd ?? null,
    priceRef: attempt.priceRef,
    cacheSource: attempt.cacheSource,
    costUncachedUsd: attempt.costUncachedUsd,
    configHash: options.configHash,
    routeTier: routing.routeTier,
    routeReason: routing.routeReason,
    routeScore: routing.routeScore,
    routeClassifier: routing.routeClassifier,
    routeCandidates: routing.routeCandidates,
    shadowTier: routing.shadowTier,
    shadowProvider: routing.shadowProvider,
    shadowModel: routing.shadowModel,
    shadowCostUsd: shadow === null || shadow === undefined ? routing.shadowCostUsd : shadowCostOf(shadow, attempt, options.priceShadow),
    followsReason: attempt.followsReason ?? null,
    previousCostTotalUsd: null,
    previousPriceRef: null,
    repricedAt: null,
  };
}

/** Records every upstream attempt in the ledger once the call is over, whatever its outcome. Never awaits I/O. */
export const meter = (options: MeterOptions): Policy =>
  async function meter(call, next) {
    try {
      await next();
    } finally {
      // Computed once per call: every row of it carries the same decision.
      const routing = routingColumns(call.routing);
      call.attempts.forEach((attempt, index) => {
        options.enqueue(attemptToRow({ call, attempt, index, id: options.newId(), configHash: options.configHash, routing, priceShadow: options.priceShadow }));
      });
    }
  };
