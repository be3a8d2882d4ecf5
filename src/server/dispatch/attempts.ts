/**
 * Routing execution: the retry / fallback / cascade loop around the single-attempt dispatch paths. The router (the
 * decision side, policies/route.ts) says WHERE a call may go (`call.routing.candidates`, `.escalation`); this says
 * how it gets there (docs/routing-execution.md):
 *
 * - Fallbacks: a retryable failure (429, 408, 500/502/503/504/529, a connect or first-byte timeout, a refused or
 *   reset connection) moves to the next candidate at once, skipping providers whose circuit is open; past the last
 *   candidate the list starts again after a wait: the upstream's retry-after when it gave one (longer than
 *   max_retry_after: give up), else exponential backoff with full jitter. At most max_attempts attempts. Other 4xx
 *   are never retried. The caller gets the last failure in its dialect.
 * - Streams fail over only before the first byte reaches the client: once a stream has started, an upstream failure
 *   ends it as it always did.
 * - Cascades: the cheaper tier's answer is buffered and validated; a failing validator escalates to the next tier.
 *
 * Without a routing decision (or without `deps.routing`) a call gets exactly one attempt to `call.target`.
 */
import type { Call, RouteTarget } from '../../pipeline/call.js';
import { createCascade, type Cascade, type WebhookPost } from '../../policies/routing/cascade/index.js';
import { createHealthTracker, type HealthTracker } from '../../policies/routing/health/index.js';
import type { RoutingConfig } from '../../spec/config/routing-schema.js';
import { GatewayError } from '../../spec/errors.js';
import { sendBuffered, writeBuffered, type BufferedAnswer, type UpstreamHeaders } from './buffered.js';
import type { DispatchDeps } from './dispatch-deps.js';
import { backoffMs, classifyFailure, healthOutcome, RetryableUpstreamFailure } from './retry-plan.js';

export interface FallbackSettings {
  maxAttempts: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  maxRetryAfterMs: number;
}

/** What the loop needs; built once by the composition root (createRoutingExecution). */
export interface RoutingExecution {
  fallbacks: FallbackSettings;
  health: HealthTracker;
  cascade: Cascade | null;
  /** Waits between attempts; injected so tests record the waits instead of sleeping. */
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the backoff's jitter. */
  random: () => number;
  now: () => number;
}

export function createRoutingExecution(options: {
  config: RoutingConfig;
  now: () => number;
  post: WebhookPost;
  onWebhookError?: (error: unknown, url: string) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}): RoutingExecution {
  const { config } = options;
  return {
    fallbacks: {
      maxAttempts: config.fallbacks.max_attempts,
      backoffInitialMs: config.fallbacks.backoff_initial,
      backoffMaxMs: config.fallbacks.backoff_max,
      maxRetryAfterMs: config.fallbacks.max_retry_after,
    },
    health: createHealthTracker({ failureThreshold: config.health.failure_threshold, openForMs: config.health.open_for, now: options.now }),
    cascade: createCascade(config.cascade, { post: options.post, onWebhookError: options.onWebhookError }),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref())),
    random: options.random ?? Math.random,
    now: options.now,
  };
}

/** One attempt to `target` by the live paths (forward / translate); `defer` = throw a retryable failure unwritten. */
export type SendOnce = (call: Call, target: RouteTarget, defer: boolean) => Promise<void>;

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown; retryable: boolean };

interface CandidatePass<R> {
  call: Call;
  exec: RoutingExecution;
  candidates: readonly RouteTarget[];
  /** followsReason of this pass's first attempt (a cascade escalation), null for the call's first. */
  firstReason: string | null;
  send: (target: RouteTarget, defer: boolean) => Promise<R>;
}

/** The first candidate from `from` whose circuit lets a call through; when every circuit is open, `from` itself. */
function pickCandidate(health: HealthTracker, candidates: readonly RouteTarget[], from: number): { index: number; skipped: boolean } {
  for (let index = from; index < candidates.length; index++) {
    const candidate = candidates[index];
    if (candidate !== undefined && health.tryAcquire(candidate.provider)) return { index, skipped: index !== from };
  }
  // Fail open: refusing the call outright because of our own bookkeeping would turn a degraded provider into an outage.
  return { index: from, skipped: false };
}

function markAttempts(call: Call, exec: RoutingExecution, from: number, reason: string | null): void {
  for (let index = from; index < call.attempts.length; index++) {
    const attempt = call.attempts[index];
    if (attempt === undefined) continue;
    if (index === from && reason !== null) attempt.followsReason = reason;
    exec.health.record(attempt.provider, healthOutcome(attempt));
  }
}

function announce(call: Call, target: RouteTarget): void {
  if (call.response.headersSent) return;
  const count = call.attempts.length + 1;
  call.response.setHeader('x-jevons-attempts', String(count));
  if (count > 1) call.response.setHeader('x-jevons-served-by', `${target.provider}/${target.upstreamModel}`);
}

/** Tries the candidates in order (then again after a wait) until one answers or the attempts run out. */
async function runCandidates<R>(pass: CandidatePass<R>): Promise<Outcome<R>> {
  const { call, exec, candidates } = pass;
  const settings = exec.fallbacks;
  let reason = pass.firstReason;
  let index = 0;
  let used = 0;
  let waits = 0;
  for (;;) {
    const pick = pickCandidate(exec.health, candidates, index);
    if (pick.skipped) reason ??= 'circuit_open';
    const target = candidates[pick.index] as RouteTarget;
    used += 1;
    const last = used >= settings.maxAttempts;
    announce(call, target);
    const before = call.attempts.length;
    try {
      const value = await pass.send(target, !last);
      markAttempts(call, exec, before, reason);
      return { ok: true, value };
    } catch (error) {
      markAttempts(call, exec, before, reason);
      const failure = classifyFailure(error, exec.now());
      if (failure === null) return { ok: false, error, retryable: false };
      if (last || call.clientAborted || call.controller.aborted) return { ok: false, error, retryable: true };
      reason = failure.reason;
      if (pick.index + 1 < candidates.length) {
        // Another candidate: go now, whatever this one asked us to wait.
        index = pick.index + 1;
        continue;
      }
      // Past the last candidate: start again after the wait the upstream asked for, or a backoff.
      if (failure.retryAfterMs !== null && failure.retryAfterMs > settings.maxRetryAfterMs) return { ok: false, error, retryable: true };
      const wait = failure.retryAfterMs ?? backoffMs({ retry: waits, initialMs: settings.backoffInitialMs, maxMs: settings.backoffMaxMs, random: exec.random });
      waits += 1;
      if (wait > 0) await exec.sleep(wait);
      if (call.clientAborted || call.controller.aborted) return { ok: false, error, retryable: true };
      index = 0;
    }
  }
}

/** Gives the caller the last failure: a deferred forward-path error is written as the upstream sent it. */
function giveUp(error: unknown): void {
  if (error instanceof RetryableUpstreamFailure) return error.deliver();
  throw error;
}

/**
 * The cascade: each tier's candidates (with fallbacks) answer into a buffer; the validators judge; a failure moves
 * to the next tier ('cascade:<validator>'), up to max_escalations. When the last tier fails too, the caller gets that
 * last answer with `x-jevons-cascade: failed:<validator>`; a tier that cannot answer at all (retryable failures
 * only) also escalates, with the failure as the reason.
 */
async function runCascade(call: Call, deps: DispatchDeps, exec: RoutingExecution, cascade: Cascade, headers: UpstreamHeaders): Promise<void> {
  const routing = call.routing;
  if (!routing) throw new GatewayError({ code: 'internal', message: 'cascade without a routing decision' });
  const tiers = [routing.candidates, ...routing.escalation.slice(0, cascade.maxEscalations).map((tier) => tier.candidates)].filter((candidates) => candidates.length > 0);
  let reason: string | null = null;
  for (let tier = 0; tier < tiers.length; tier++) {
    const isLast = tier === tiers.length - 1;
    const outcome: Outcome<BufferedAnswer> = await runCandidates({ call, exec, candidates: tiers[tier] as RouteTarget[], firstReason: reason, send: (target) => sendBuffered({ call, deps, target, headers }) });
    if (!outcome.ok) {
      const failure: ReturnType<typeof classifyFailure> = outcome.retryable && !isLast && !call.clientAborted ? classifyFailure(outcome.error, exec.now()) : null;
      if (failure === null) return giveUp(outcome.error);
      reason = failure.reason;
      continue;
    }
    const verdict = await cascade.validate({ body: call.body, request: outcome.value.request, response: outcome.value.response });
    if (verdict.pass || isLast) {
      if (call.clientAborted) return;
      const extra: Record<string, string> = { 'x-jevons-cascade': verdict.pass ? (tier === 0 ? 'passed' : `escalated:${tier}`) : `failed:${verdict.validator}` };
      return writeBuffered(call, outcome.value, extra);
    }
    reason = `cascade:${verdict.validator}`;
  }
}

const sameTarget = (a: RouteTarget, b: RouteTarget): boolean => a.provider === b.provider && a.upstreamModel === b.upstreamModel;

/**
 * candidates[0] is call.target; when a later policy changed the target (a budget's downgrade), the target goes first
 * and the other candidates follow. A decision without candidates still retries call.target itself.
 */
function candidatesOf(candidates: readonly RouteTarget[], target: RouteTarget): readonly RouteTarget[] {
  const first = candidates[0];
  if (first !== undefined && sameTarget(first, target)) return candidates;
  return [target, ...candidates.filter((candidate) => !sameTarget(candidate, target))];
}

export async function runAttempts(call: Call, deps: DispatchDeps, paths: { send: SendOnce; headers: UpstreamHeaders }): Promise<void> {
  const exec = deps.routing;
  const routing = call.routing;
  const target = call.target;
  if (exec === undefined || routing === undefined || routing === null || target === null) return paths.send(call, target as RouteTarget, false);
  if (exec.cascade !== null && exec.cascade.applies(call)) return runCascade(call, deps, exec, exec.cascade, paths.headers);
  const candidates = candidatesOf(routing.candidates, target);
  const outcome = await runCandidates({ call, exec, candidates, firstReason: null, send: (next, defer) => paths.send(call, next, defer) });
  if (!outcome.ok) giveUp(outcome.error);
}
