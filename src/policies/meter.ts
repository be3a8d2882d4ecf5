import type { Attempt, Call, Policy, RoutingDecision } from '../pipeline/call.js';
import type { LedgerRow } from '../spec/ledger.js';

/** The routing columns of a call's rows (docs/routing.md): the same on every attempt; all null without a decision. */
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

export interface MeterOptions {
  enqueue: (row: LedgerRow) => void;
  configHash: string;
  newId: () => string;
}

/** Builds the ledger row of one attempt. Pure: exported for tests and replay. */
export function attemptToRow(options: { call: Call; attempt: Attempt; index: number; id: string; configHash: string; routing?: RoutingColumns }): LedgerRow {
  const { call, attempt } = options;
  const routing = options.routing ?? routingColumns(call.routing);
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
    shadowCostUsd: routing.shadowCostUsd,
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
        options.enqueue(attemptToRow({ call, attempt, index, id: options.newId(), configHash: options.configHash, routing }));
      });
    }
  };
