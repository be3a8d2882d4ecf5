/**
 * The cache-breaker diagnosis policy (docs/cache-diagnosis.md). On the request path it only reads a few fields of a
 * call that went upstream and pushes them onto a bounded queue (dropped, and counted, when the queue is full); the
 * comparison runs later in a deferred worker (setImmediate, unref'd, a few prompts per turn of the event loop).
 * Findings are aggregated in memory and handed to `write` every `flushIntervalMs` and on `close()`.
 *
 * It never throws into the request: its own failures are counted and reported to `onError`; a failure of the
 * inner handler propagates unchanged (and the call is not observed).
 */
import type { Call, Policy } from '../../../pipeline/call.js';
import type { CacheDiagnosisConfig } from '../../../spec/config/cache-schema.js';
import { createDetector, type CacheBreakerFinding, type DetectorOptions, type PriceLookup, type PromptObservation } from './detector.js';

export interface CacheDiagnosisOptions {
  config: CacheDiagnosisConfig;
  price: PriceLookup;
  /** Persists aggregated findings (upserted: counters add up). Called off the request path. */
  write: (findings: CacheBreakerFinding[]) => void | Promise<void>;
  /**
   * Estimated prompt tokens of the call. Default: request body bytes / 4, which is enough to gate on
   * `min_prompt_tokens`; the gateway passes its calibrated estimate (shared with governance).
   */
  estimateTokens?: (call: Call) => number;
  /** Most prompts waiting for the worker (default 256); more are dropped and counted. */
  queueSize?: number;
  /** Prompts compared per worker turn before yielding to the event loop (default 4). */
  batchSize?: number;
  flushIntervalMs?: number;
  onError?: (error: unknown) => void;
  /** Runs the worker later; default setImmediate (unref'd, so it never keeps the process alive). */
  defer?: (run: () => void) => void;
  detector?: Omit<DetectorOptions, 'minPromptTokens' | 'price'>;
}

export interface CacheDiagnosisStats {
  queued: number;
  dropped: number;
  observed: number;
  occurrences: number;
  errors: number;
}

export interface CacheDiagnosisPolicy extends Policy {
  /** Runs every queued comparison now (tests, shutdown). */
  drainQueue(): void;
  /** Writes the findings aggregated so far. */
  flush(): Promise<void>;
  /** Stops the flush timer, drains the queue and writes what is left. */
  close(): Promise<void>;
  stats(): CacheDiagnosisStats;
}

const defaultDefer = (run: () => void): void => {
  setImmediate(run).unref();
};

/** The tokens, feature and upstream of a call that reached a provider, or null when there is nothing to compare. */
function observationOf(call: Call, estimateTokens: (call: Call) => number, minTokens: number): PromptObservation | null {
  if (call.endpoint !== 'chat' && call.endpoint !== 'messages' && call.endpoint !== 'responses') return null;
  // Only prompts a provider actually received can have written its cache: skip response-cache hits and failures.
  const served = call.attempts.find((attempt) => attempt.cacheSource === null && attempt.status < 400);
  if (served === undefined || typeof call.body !== 'object' || call.body === null) return null;
  const estimatedTokens = estimateTokens(call);
  if (!(estimatedTokens >= minTokens)) return null;
  return {
    feature: call.attribution?.feature ?? '(none)',
    model: call.model,
    provider: served.provider,
    upstreamModel: served.upstreamModel,
    endpoint: call.endpoint,
    body: call.body,
    estimatedTokens,
    at: call.receivedAt,
  };
}

export function cacheDiagnosis(options: CacheDiagnosisOptions): CacheDiagnosisPolicy {
  const minTokens = options.config.min_prompt_tokens;
  const detector = createDetector({ ...options.detector, minPromptTokens: minTokens, price: options.price });
  const estimateTokens = options.estimateTokens ?? ((call: Call) => call.rawBody.length / 4);
  const queueSize = options.queueSize ?? 256;
  const batchSize = options.batchSize ?? 4;
  const defer = options.defer ?? defaultDefer;
  const onError = options.onError ?? (() => undefined);
  const queue: PromptObservation[] = [];
  const stats: CacheDiagnosisStats = { queued: 0, dropped: 0, observed: 0, occurrences: 0, errors: 0 };
  let scheduled = false;

  const work = (limit: number) => {
    for (let n = 0; n < limit && queue.length > 0; n += 1) {
      const observation = queue.shift() as PromptObservation;
      try {
        stats.observed += 1;
        if (detector.observe(observation) !== null) stats.occurrences += 1;
      } catch (error) {
        stats.errors += 1;
        onError(error);
      }
    }
  };
  const turn = () => {
    scheduled = false;
    work(batchSize);
    if (queue.length > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    defer(turn);
  };
  const enqueue = (call: Call) => {
    try {
      const observation = observationOf(call, estimateTokens, minTokens);
      if (observation === null) return;
      if (queue.length >= queueSize) {
        stats.dropped += 1;
        return;
      }
      queue.push(observation);
      stats.queued += 1;
      schedule();
    } catch (error) {
      stats.errors += 1;
      onError(error);
    }
  };

  let flushing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    const findings = detector.drain();
    if (findings.length === 0) return flushing;
    flushing = flushing.then(async () => {
      try {
        await options.write(findings);
      } catch (error) {
        stats.errors += 1;
        onError(error);
      }
    });
    return flushing;
  };
  const timer = options.config.enabled ? setInterval(() => void flush(), options.flushIntervalMs ?? 30_000) : null;
  timer?.unref();

  const policy = async function cacheDiagnosis(call: Call, next: () => Promise<void>): Promise<void> {
    await next();
    if (options.config.enabled) enqueue(call);
  };
  return Object.assign(policy, {
    drainQueue: () => work(Number.POSITIVE_INFINITY),
    flush,
    async close() {
      if (timer !== null) clearInterval(timer);
      work(Number.POSITIVE_INFINITY);
      await flush();
    },
    stats: () => ({ ...stats }),
  });
}
