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
 * - Each attempt runs under its own abort handle (sendAttempt), so that its total-time limit ends that attempt only:
 *   a total-time timeout is retried like a connect or first-byte timeout unless a byte already reached the client.
 * - Cascades: the cheaper tier's answer is buffered and validated; a failing validator escalates to the next tier.
 *
 * Without a routing decision (or without `deps.routing`) a call gets exactly one attempt to `call.target`.
 */
import type { Call, CallAbort, RouteTarget } from '../../pipeline/call.js';
import { createCascade, type Cascade, type WebhookPost } from '../../policies/routing/cascade/index.js';
import { createHealthTracker, type HealthTracker } from '../../policies/routing/health/index.js';
import type { RoutingConfig } from '../../spec/config/routing-schema.js';
import { GatewayError } from '../../spec/errors.js';
import { AbortHandle } from '../http/abort-handle.js';
import { sendBuffered, writeBuffered, type BufferedAnswer, type UpstreamHeaders } from './buffered.js';
import type { DispatchDeps } from './dispatch-deps.js';
import { attemptError, backoffMs, classifyFailure, healthFailure, healthOutcome, RetryableUpstreamFailure } from './retry-plan.js';

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

/**
 * One attempt to `target` by the live paths (forward / translate); `defer` = throw a retryable failure unwritten. A
 * null target (no route was found) fails with an internal error naming the model.
 */
export type SendOnce = (call: Call, target: RouteTarget | null, defer: boolean) => Promise<void>;

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown; retryable: boolean };

interface CandidatePass<R> {
  call: Call;
  deps: DispatchDeps;
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
    const outcome = healthOutcome(attempt);
    exec.health.record(attempt.provider, outcome, outcome === 'failure' ? healthFailure(attempt) : undefined);
  }
}

/**
 * The stable error of a failed send (attemptError), written on the attempts it made too (their code was `internal`, or
 * none for a body read that failed after a 200). `handle` is the abort handle the send ran under: fired while the
 * client is still there, it was the attempt's total-time limit.
 */
function failedSend(options: { call: Call; deps: DispatchDeps; target: RouteTarget | null; from: number; handle: CallAbort; error: unknown }): unknown {
  const { call, error } = options;
  const runtime = options.target === null ? undefined : options.deps.runtimes.get(options.target.provider);
  const mapped = attemptError({ error, runtime, timedOut: options.handle.aborted && !call.clientAborted, clientAborted: call.clientAborted });
  if (mapped !== error && GatewayError.isInstance(mapped)) {
    for (let index = options.from; index < call.attempts.length; index++) {
      const attempt = call.attempts[index];
      if (attempt !== undefined && (attempt.errorCode === null || attempt.errorCode === 'internal')) attempt.errorCode = mapped.code;
    }
  }
  return mapped;
}

/**
 * One attempt of the loop under an abort handle of its own. The upstream client's total-time limit aborts the handle
 * the request was sent with (server/upstream/upstream-client.ts); with the call's handle that would end the whole call
 * and no other candidate could be tried. While the attempt runs, `call.controller` is the attempt's handle (readonly
 * to policies; swapped only here, and put back when the attempt ends), so the client going away (server/app.ts aborts
 * `call.controller`) still aborts the request in flight, and is carried over to the call's own handle afterwards. A
 * call whose handle has already fired keeps it.
 */
async function sendAttempt<R>(options: { call: Call; deps: DispatchDeps; target: RouteTarget; send: () => Promise<R> }): Promise<R> {
  const { call } = options;
  const callHandle = call.controller;
  const handle: CallAbort = callHandle.aborted ? callHandle : new AbortHandle();
  const slot: { controller: CallAbort } = call;
  slot.controller = handle;
  const from = call.attempts.length;
  try {
    return await options.send();
  } catch (error) {
    throw failedSend({ call, deps: options.deps, target: options.target, from, handle, error });
  } finally {
    slot.controller = callHandle;
    if (call.clientAborted) callHandle.abort();
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
      const value = await sendAttempt({ call, deps: pass.deps, target, send: () => pass.send(target, !last) });
      markAttempts(call, exec, before, reason);
      return { ok: true, value };
    } catch (error) {
      markAttempts(call, exec, before, reason);
      const failure = classifyFailure(error, exec.now());
      if (failure === null) return { ok: false, error, retryable: false };
      // Never after a byte has reached the client (a started stream ends as it was; see the file comment).
      if (last || call.clientAborted || call.controller.aborted || call.response.headersSent) return { ok: false, error, retryable: true };
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
    const outcome: Outcome<BufferedAnswer> = await runCandidates({ call, deps, exec, candidates: tiers[tier] as RouteTarget[], firstReason: reason, send: (target) => sendBuffered({ call, deps, target, headers }) });
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
  if (exec === undefined || routing === undefined || routing === null || target === null) {
    // One attempt under the call's own handle (nothing to retry), failing with the same stable errors as the loop's.
    const from = call.attempts.length;
    return paths.send(call, target, false).catch((error: unknown) => {
      throw failedSend({ call, deps, target, from, handle: call.controller, error });
    });
  }
  if (exec.cascade !== null && exec.cascade.applies(call)) return runCascade(call, deps, exec, exec.cascade, paths.headers);
  const candidates = candidatesOf(routing.candidates, target);
  const outcome = await runCandidates({ call, deps, exec, candidates, firstReason: null, send: (next, defer) => paths.send(call, next, defer) });
  if (!outcome.ok) giveUp(outcome.error);
}
