import type { Attempt, Call, Policy, RouteTarget, RoutingDecision } from '../pipeline/call.js';
import type { LedgerRow } from '../spec/ledger.js';
import type { TokenUsage } from '../spec/usage.js';

/**
 * Prices a usage record at a target's price entry (config overrides included) at instant `at`: the cost of serving it
 * with that model. Null when the model has no price (or none for the usage's service tier). Prices shadow mode's
 * would-be model and routing's baseline; built by the composition root (policies/routing/shadow-cost.ts
 * createShadowPricer).
 */
export type TargetPricer = (input: { target: RouteTarget; usage: TokenUsage; at: number }) => number | null;

/**
 * The routing columns of a call's rows (docs/routing.md): the same on every attempt (but shadow_cost_usd and
 * baseline_cost_usd, per attempt: shadowCostOf, baselineCostOf); all null without a decision.
 */
type RoutingColumns = Pick<LedgerRow, 'routeTier' | 'routeReason' | 'routeScore' | 'routeClassifier' | 'routeCandidates' | 'shadowTier' | 'shadowProvider' | 'shadowModel' | 'shadowCostUsd' | 'baselineProvider' | 'baselineModel'>;

const unrouted: RoutingColumns = {
  routeTier: null, routeReason: null, routeScore: null, routeClassifier: null, routeCandidates: null,
  shadowTier: null, shadowProvider: null, shadowModel: null, shadowCostUsd: null, baselineProvider: null, baselineModel: null,
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
    baselineProvider: routing.baseline?.provider ?? null,
    baselineModel: routing.baseline?.upstreamModel ?? null,
  };
}

/**
 * shadow_cost_usd of one attempt's row in shadow mode: the attempt's usage as served (input, cache reads and writes,
 * output with reasoning, service tier) priced at the would-be model at the attempt's start, so that it compares with
 * the row's cost_total_usd; null when that model has no price. The pre-flight estimate (input only) stays only where
 * the usage is unknown (no answer: a transport failure) or no pricer is given.
 */
export function shadowCostOf(shadow: NonNullable<RoutingDecision['shadow']>, attempt: Attempt, price: TargetPricer | undefined): number | null {
  if (attempt.usage === null || price === undefined) return shadow.estimatedCostUsd;
  return price({ target: shadow.target, usage: attempt.usage, at: attempt.startedAt });
}

/** Whether a cascade escalation followed attempt `index` of a call: its answer was rejected and a later tier answered. */
export function replacedByEscalation(attempts: readonly Attempt[], index: number): boolean {
  for (let later = index + 1; later < attempts.length; later++) {
    if (attempts[later]?.followsReason?.startsWith('cascade:') === true) return true;
  }
  return false;
}

/**
 * baseline_cost_usd of one attempt of a call served as routing decided: its usage as served priced at the baseline
 * model at the attempt's start (same rule as cost_total_usd), so that baseline - cost is what routing saved on it.
 * An attempt a cascade escalation replaced is 0: without routing there is no cascade, so that attempt would not have
 * been made and its whole cost counts against the saving. Null when the usage is unknown (no answer: the row's cost is
 * null too), no pricer is given, or the baseline has no price.
 */
export function baselineCostOf(options: { baseline: RouteTarget; attempt: Attempt; replaced: boolean; price: TargetPricer | undefined }): number | null {
  const { attempt } = options;
  if (attempt.usage === null || options.price === undefined) return null;
  if (options.replaced) return 0;
  return options.price({ target: options.baseline, usage: attempt.usage, at: attempt.startedAt });
}

export interface MeterOptions {
  enqueue: (row: LedgerRow) => void;
  configHash: string;
  newId: () => string;
  /**
   * Prices each attempt's actual usage at shadow mode's would-be model (shadowCostOf; absent = the pre-flight
   * estimate) and at routing's baseline model (baselineCostOf; absent = null).
   */
  price?: TargetPricer;
}

/** Builds the ledger row of one attempt. Pure: exported for tests and replay. */
export function attemptToRow(options: { call: Call; attempt: Attempt; index: number; id: string; configHash: string; routing?: RoutingColumns; price?: TargetPricer }): LedgerRow {
  const { call, attempt } = options;
  const routing = options.routing ?? routingColumns(call.routing);
  const shadow = call.routing?.shadow;
  const baseline = call.routing?.baseline;
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
    shadowCostUsd: shadow === null || shadow === undefined ? routing.shadowCostUsd : shadowCostOf(shadow, attempt, options.price),
    followsReason: attempt.followsReason ?? null,
    baselineProvider: routing.baselineProvider,
    baselineModel: routing.baselineModel,
    baselineCostUsd: baseline === null || baseline === undefined ? null : baselineCostOf({ baseline, attempt, replaced: replacedByEscalation(call.attempts, options.index), price: options.price }),
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
        options.enqueue(attemptToRow({ call, attempt, index, id: options.newId(), configHash: options.configHash, routing, price: options.price }));
      });
    }
  };
