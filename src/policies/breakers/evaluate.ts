/**
 * One breaker's verdict on one request of one session: limits first (calls, cost, duration), then the retry cap,
 * then the loop detectors. Updates the session's request history (identical / near-identical runs, retry times) as
 * it goes. The transcript and request hash are computed once per request and shared by every breaker.
 */
import { createHash } from 'node:crypto';
import type { Call } from '../../pipeline/call.js';
import type { BreakerConfig } from '../../spec/config/governance-schema.js';
import { callAction, callOutcome, newPart, noProgress, repeatedToolCall, requestHash, toolCycle, type Finding } from './detectors.js';
import { memoKeys, recordRetry, usage, type SessionState, type TripKind } from './session-state.js';
import { jaccard, sampled, shingles, type Shingles } from './similarity.js';
import { extractFor, type ToolCall, type Transcript } from './transcript.js';

/** The request as the breakers see it; derived values are filled in on first use. */
export interface RequestView {
  call: Call;
  transcript?: Transcript;
  hash?: string;
  newPart?: string;
  newPartShingles?: Shingles;
}

export interface Verdict {
  kind: TripKind;
  reason: string;
  details: Record<string, unknown>;
}

const transcriptOf = (view: RequestView): Transcript => (view.transcript ??= extractFor(view.call.dialect, view.call.body));
const hashOf = (view: RequestView): string => (view.hash ??= requestHash(view.call.body, view.call.rawBody));
const newPartOf = (view: RequestView): string => (view.newPart ??= sampled(newPart(transcriptOf(view))));
const newShinglesOf = (view: RequestView): Shingles => (view.newPartShingles ??= shingles(newPartOf(view)));

/**
 * Similarity of this request's new content to the previous request's. Shingles are computed only when the two could
 * be alike: equal texts are 1 at once, and texts whose lengths differ more than the threshold allows cannot reach it
 * (a loose bound on character counts: near-identical texts have near-equal lengths).
 */
function similarityToPrevious(state: SessionState, view: RequestView, threshold: number): number {
  const text = newPartOf(view);
  const previous = state.lastNewPart;
  if (previous === null) return 0;
  if (previous === text) return 1;
  const ratio = Math.min(previous.length, text.length) / Math.max(previous.length, text.length, 1);
  if (ratio < threshold * 0.8) return 0;
  state.lastNewPartShingles ??= shingles(previous);
  return jaccard(state.lastNewPartShingles, newShinglesOf(view));
}

const digest = (text: string): string => createHash('sha1').update(text).digest('base64');
const seconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** Tool-call keys, hashed once per call id and session. */
function keysFor(state: SessionState, call: ToolCall): { action: string; outcome: string | null } {
  const compute = () => ({ action: digest(callAction(call)), outcome: call.result === null ? null : digest(callOutcome(call)) });
  return call.id ? memoKeys(state, call.id, compute) : compute();
}

/** Where a limit counts, for reasons (built only when a limit trips). */
const scopeText = (breaker: BreakerConfig): string => (breaker.window === undefined ? 'in the session' : `in the last ${seconds(breaker.window)}`);

function limits(breaker: BreakerConfig, state: SessionState, now: number): Verdict | null {
  if (breaker.max_calls !== undefined || breaker.max_cost_usd !== undefined) {
    const used = usage(state, breaker.window, now);
    if (breaker.max_calls !== undefined && used.calls >= breaker.max_calls) {
      return { kind: 'max_calls', reason: `${used.calls} calls ${scopeText(breaker)} (max_calls ${breaker.max_calls})`, details: { calls: used.calls, limit: breaker.max_calls } };
    }
    if (breaker.max_cost_usd !== undefined && used.costUsd >= breaker.max_cost_usd) {
      return { kind: 'max_cost', reason: `$${used.costUsd} spent ${scopeText(breaker)} (max_cost_usd ${breaker.max_cost_usd})`, details: { spentUsd: used.costUsd, limitUsd: breaker.max_cost_usd } };
    }
  }
  if (breaker.max_duration !== undefined && now - state.firstAt >= breaker.max_duration) {
    const elapsed = now - state.firstAt;
    return { kind: 'max_duration', reason: `session running for ${seconds(elapsed)} (max_duration ${seconds(breaker.max_duration)})`, details: { elapsedMs: elapsed, limitMs: breaker.max_duration, firstAt: state.firstAt } };
  }
  return null;
}

/** The history-based detectors: retry cap, identical and near-identical consecutive requests. */
function history(breaker: BreakerConfig, state: SessionState, view: RequestView, now: number): Verdict | null {
  const hash = hashOf(view);
  const loops = breaker.loops;
  let verdict: Finding | Verdict | null = null;
  if (breaker.retry_cap !== undefined) {
    const seen = recordRetry(state, hash, breaker.retry_cap.within, now);
    if (seen >= breaker.retry_cap.count) {
      verdict = { kind: 'retry_cap', reason: `the same request sent ${seen} times within ${seconds(breaker.retry_cap.within)} (retry_cap ${breaker.retry_cap.count})`, details: { count: seen, limit: breaker.retry_cap.count, withinMs: breaker.retry_cap.within } };
    }
  }
  // A repeat counts only after an answered request: an SDK retrying a failed call is not a loop.
  state.identicalRun = state.lastHash === hash && state.lastServed ? state.identicalRun + 1 : 1;
  state.lastHash = hash;
  if (verdict === null && state.identicalRun >= loops.identical_requests) {
    verdict = { kind: 'identical_requests', reason: `${state.identicalRun} identical consecutive requests`, details: { count: state.identicalRun, threshold: loops.identical_requests } };
  }
  const threshold = loops.similar_requests.similarity;
  const score = state.lastServed ? similarityToPrevious(state, view, threshold) : 0;
  state.similarRun = score >= threshold ? state.similarRun + 1 : 1;
  state.lastNewPart = newPartOf(view);
  state.lastNewPartShingles = view.newPartShingles ?? null;
  if (verdict === null && state.similarRun >= loops.similar_requests.count) {
    verdict = {
      kind: 'similar_requests',
      reason: `${state.similarRun} near-identical consecutive requests (similarity ${score.toFixed(2)})`,
      details: { count: state.similarRun, threshold: loops.similar_requests.count, similarity: Number(score.toFixed(4)), minSimilarity: loops.similar_requests.similarity },
    };
  }
  return verdict;
}

/** The transcript detectors: repeated tool call, tool-call cycle, no progress. */
function transcriptLoops(breaker: BreakerConfig, state: SessionState, view: RequestView): Finding | null {
  const transcript = transcriptOf(view);
  const loops = breaker.loops;
  const calls = transcript.toolCalls;
  if (calls.length > 0) {
    const outcome = (call: ToolCall): string => keysFor(state, call).outcome ?? callOutcome(call);
    const action = (call: ToolCall): string => keysFor(state, call).action;
    const found = toolCycle(calls, loops.tool_cycle_repeats, action) ?? repeatedToolCall(calls, loops.repeated_tool_call, outcome);
    if (found !== null) return found;
  }
  return noProgress(transcript.turns, loops.no_progress);
}

export function evaluate(input: { breaker: BreakerConfig; state: SessionState; view: RequestView; now: number; skipLoops: boolean }): Verdict | null {
  const { breaker, state, view, now } = input;
  if (input.skipLoops) return null;
  return limits(breaker, state, now) ?? history(breaker, state, view, now) ?? transcriptLoops(breaker, state, view);
}
