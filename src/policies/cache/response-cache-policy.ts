/**
 * The response cache policy (docs/caching.md): for chat / messages calls, answer from the exact cache, then (after an
 * exact miss) from the semantic cache; otherwise arm the capture of the upstream's answer and, once it succeeded,
 * store it in both. A hit is answered in the caller's dialect by the injected `replay`, recorded as one Attempt with
 * `cacheSource`, zero cost and the cost it avoided, and metered by the injected `record` (this policy sits outside
 * the meter, whose `next` it does not call on a hit).
 */
import type { Attempt, Call, Policy, ResponseCapture } from '../../pipeline/call.js';
import type { CostBreakdown } from '../../pricing/index.js';
import type { ExactCacheConfig, SemanticCacheConfig } from '../../spec/config/cache-schema.js';
import { GatewayError } from '../../spec/errors.js';
import type { CacheStore } from '../../spec/ports.js';
import { emptyUsage, type TokenUsage } from '../../spec/usage.js';
import { answerText, decodeAnswer, encodeAnswer, type CachedAnswer } from './cached-answer.js';
import { cacheDirective, cacheHeader, exactSettings, semanticSettings, type CacheDirective, type SemanticSettings } from './cache-rules.js';
import { exactCacheKey, isSampled, isUncacheable } from './exact-cache-key.js';
import { lastUserText, semanticPartition } from './semantic-keys.js';
import type { SemanticCacheEngine } from './semantic/engine.js';

export type { SemanticCacheEngine, SemanticMatch } from './semantic/engine.js';

/** A would-be semantic hit in shadow mode: what would have been served, for review before enabling `serve`. */
export interface ShadowHitRecord {
  requestId: string;
  at: number;
  feature: string | null;
  model: string;
  similarity: number;
  question: string;
  matchedQuestion: string;
  answerText: string;
  partition: string;
}

/** Response headers of a hit, and what the replay needs to write it. */
export type HitHeaders = Record<string, string>;

export interface ResponseCacheOptions {
  exact: ExactCacheConfig;
  semantic: SemanticCacheConfig;
  /** Where exact answers live (memory store bounded by cache.exact.max_entries / max_bytes). */
  store: CacheStore;
  now: () => number;
  /** Writes `answer` to the caller in its dialect, as JSON or as a stream (src/server/cache/replay.ts). */
  replay: (call: Call, answer: CachedAnswer, headers: HitHeaders) => Promise<void>;
  /** What the original call would cost now with no cache at all (prompt-cache tokens as plain input); null = unpriced. */
  priceUncached: (input: { provider: string; upstreamModel: string; servedModel: string | null; usage: TokenUsage; at: number }) => number | null;
  /** The semantic engine; absent = exact cache only. */
  semanticEngine?: SemanticCacheEngine | null;
  /** Threshold when neither the rule nor cache.semantic.threshold sets one (the engine's default). */
  defaultSemanticThreshold?: number;
  recordShadowHit?: (hit: ShadowHitRecord) => void;
  /** A cache read or write that failed: the call goes on as a miss. */
  onError?: (error: unknown, what: string) => void;
}

const zeroCost: CostBreakdown = { inputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 0, requestUsd: 0, totalUsd: 0 };

/** Finishes after which an answer is stored: complete answers, not filtered or refused ones. */
const storableFinishes = new Set(['stop', 'stop-sequence', 'tool-calls', 'length']);

interface Plan {
  exact: { key: string; ttlMs: number } | null;
  semantic: (SemanticSettings & { partition: string; text: string }) | null;
}

export const responseCache = (options: ResponseCacheOptions): Policy => {
  const { now } = options;
  const fail = (what: string) => (error: unknown) => options.onError?.(error, what);
  const engine = options.semanticEngine ?? null;

  function planOf(call: Call): Plan {
    const none: Plan = { exact: null, semantic: null };
    if (call.target === null || isUncacheable(call)) return none;
    const sampled = isSampled(call);
    const exact = exactSettings(options.exact, call);
    const plan: Plan = { exact: exact.enabled && (!sampled || exact.sampled === 'cache') ? { key: exactCacheKey(call, options.exact.scope), ttlMs: exact.ttlMs } : null, semantic: null };
    if (engine !== null) {
      const settings = semanticSettings(options.semantic, call, options.defaultSemanticThreshold ?? 1);
      // The same sampled rule as the exact cache: a sampled request is a fresh draw unless configured otherwise.
      const text = settings.enabled && (!sampled || exact.sampled === 'cache') ? lastUserText(call) : null;
      if (text !== null) plan.semantic = { ...settings, text, partition: semanticPartition(call, options.semantic.scope) };
    }
    return plan;
  }

  async function serve(call: Call, answer: CachedAnswer, source: 'exact' | 'semantic', headers: HitHeaders): Promise<void> {
    const at = now();
    const attempt: Attempt = {
      provider: answer.provider,
      upstreamModel: answer.upstreamModel,
      servedModel: answer.servedModel,
      startedAt: at,
      firstByteAt: at,
      endedAt: at,
      status: 200,
      errorCode: null,
      streamed: call.stream,
      clientAborted: false,
      // Nothing was billed: no tokens (token budgets and rate limits are not charged) and no cost. What the answer
      // would have cost is costUncachedUsd, priced now from the original usage.
      usage: emptyUsage(),
      usageEstimated: false,
      cost: zeroCost,
      priceRef: answer.priceRef,
      cacheSource: source,
      costUncachedUsd: options.priceUncached({ provider: answer.provider, upstreamModel: answer.upstreamModel, servedModel: answer.servedModel, usage: answer.usage, at }),
    };
    call.attempts.push(attempt);
    headers['x-jevons-cache-age'] = String(Math.max(0, Math.floor((at - answer.storedAt) / 1000)));
    try {
      await options.replay(call, answer, headers);
    } finally {
      attempt.endedAt = now();
      attempt.clientAborted = call.clientAborted;
    }
  }

  async function lookupExact(key: string): Promise<CachedAnswer | null> {
    const bytes = await options.store.get(key).catch((error: unknown) => (fail('exact cache read')(error), null));
    return bytes === null ? null : decodeAnswer(bytes);
  }

  /** Serves a semantic hit (mode serve) or records it (mode shadow); true when the call was answered. */
  async function trySemantic(call: Call, semantic: NonNullable<Plan['semantic']>): Promise<boolean> {
    if (engine === null) return false;
    const at = now();
    const match = await engine.lookup({ partition: semantic.partition, text: semantic.text, threshold: semantic.threshold, now: at }).catch((error: unknown) => (fail('semantic cache lookup')(error), null));
    const answer = match === null ? null : decodeAnswer(match.payload);
    if (match === null || answer === null) return false;
    if (semantic.mode === 'shadow') {
      options.recordShadowHit?.({ requestId: call.requestId, at, feature: call.attribution.feature, model: call.model, similarity: match.similarity, question: semantic.text, matchedQuestion: match.text, answerText: answerText(answer.response), partition: semantic.partition });
      return false;
    }
    await serve(call, { ...answer, storedAt: match.storedAt }, 'semantic', { [cacheHeader]: 'semantic-hit', 'x-jevons-cache-similarity': match.similarity.toFixed(4) });
    return true;
  }

  /** The answer of the call's successful upstream attempt, or null when it must not be stored. */
  function answerOf(call: Call, capture: ResponseCapture): CachedAnswer | null {
    const attempt = call.attempts[call.attempts.length - 1];
    const response = capture.response;
    if (attempt === undefined || response === null || call.clientAborted) return null;
    if (attempt.status !== 200 || attempt.errorCode !== null || attempt.clientAborted || attempt.usageEstimated || attempt.usage === null || attempt.cacheSource !== null) return null;
    if (!storableFinishes.has(response.finishReason)) return null;
    return { v: 1, storedAt: now(), response, provider: attempt.provider, upstreamModel: attempt.upstreamModel, servedModel: attempt.servedModel, usage: attempt.usage, priceRef: attempt.priceRef, costUsd: attempt.cost?.totalUsd ?? null };
  }

  async function store(plan: Plan, answer: CachedAnswer): Promise<void> {
    const payload = encodeAnswer(answer);
    const writes: Promise<void>[] = [];
    if (plan.exact !== null) writes.push(options.store.set(plan.exact.key, payload, plan.exact.ttlMs).catch(fail('exact cache write')));
    if (plan.semantic !== null && engine !== null) {
      writes.push(engine.add({ partition: plan.semantic.partition, text: plan.semantic.text, payload, expiresAt: answer.storedAt + plan.semantic.ttlMs }).catch(fail('semantic cache write')));
    }
    await Promise.all(writes);
  }

  return async function responseCachePolicy(call, next) {
    if (call.endpoint !== 'chat' && call.endpoint !== 'messages') return next();
    const directive: CacheDirective = cacheDirective(call.headers);
    const plan = directive === 'skip' ? { exact: null, semantic: null } : planOf(call);
    if (plan.exact === null && plan.semantic === null) {
      if (directive === 'only') throw cacheMiss(call, 'this request is not cacheable (caching is off for it, it samples, or its answer cannot be stored)');
      call.response.setHeader(cacheHeader, 'bypass');
      return next();
    }
    if (directive !== 'refresh') {
      const hit = plan.exact === null ? null : await lookupExact(plan.exact.key);
      if (hit !== null) return serve(call, hit, 'exact', { [cacheHeader]: 'hit' });
      if (plan.semantic !== null && (await trySemantic(call, plan.semantic))) return;
      if (directive === 'only') throw cacheMiss(call, 'no cached answer');
    }
    call.response.setHeader(cacheHeader, directive === 'refresh' ? 'refresh' : 'miss');
    const capture: ResponseCapture = { response: null };
    call.cacheCapture = capture;
    await next();
    const answer = answerOf(call, capture);
    if (answer !== null) await store(plan, answer);
  };
};

function cacheMiss(call: Call, why: string): GatewayError {
  return new GatewayError({ code: 'cache_miss', param: cacheHeader, message: `${cacheHeader}: only was asked and ${why}; nothing was sent to the model "${call.model}".` });
}
