/**
 * Agent circuit breakers (docs/governance.md, "Circuit breakers"): per session, limits on cost, calls and wall-clock
 * time (over the whole session or a sliding window), a retry cap, and loop detection over the conversation the
 * agent sends. A tripped session stays tripped until its window (TRIP_MS_WITHOUT_WINDOW without one) has passed
 * since the trip. Actions: block (429 breaker_open), warn (served, x-jevons-breaker-warning), shadow (served,
 * recorded). Every request a breaker catches is recorded as an event with the estimated cost it stopped.
 */
import type { Call, Policy } from '../../pipeline/call.js';
import type { BreakerConfig } from '../../spec/config/governance-schema.js';
import { GatewayError } from '../../spec/errors.js';
import type { GovernanceEvent, GovernanceEventKind } from '../../spec/governance.js';
import type { CostEstimate } from '../estimate-cost.js';
import { evaluate, type RequestView } from './evaluate.js';
import { addCall, addCost, newSession, SessionLru, usage, type SessionState, type Trip, type TripKind } from './session-state.js';

/** How long a session stays tripped when its breaker has no window. */
export const TRIP_MS_WITHOUT_WINDOW = 15 * 60_000;
export const DEFAULT_MAX_SESSIONS = 10_000;

export interface BreakerPolicyOptions {
  breakers: readonly BreakerConfig[];
  estimate: (call: Call) => CostEstimate;
  recordEvent: (event: GovernanceEvent) => void;
  now: () => number;
  newId: () => string;
  /** Bound on sessions kept in memory (LRU); default 10,000. */
  maxSessions?: number;
}

/** One tracked session of one breaker, for `jevons breakers list` and the admin API. */
export interface BreakerStateSnapshot {
  breaker: string;
  session: string;
  sessionFrom: 'session' | 'key';
  action: BreakerConfig['action'];
  firstAt: number;
  lastAt: number;
  /** Over the window when the breaker has one, else over the whole session. */
  calls: number;
  costUsd: number;
  windowMs: number | null;
  tripped: { kind: TripKind; reason: string; at: number; until: number; details: Record<string, unknown> } | null;
}

interface Caught {
  breaker: BreakerConfig;
  state: SessionState;
  trip: Trip;
  fresh: boolean;
}

const eventKind: Record<BreakerConfig['action'], GovernanceEventKind> = { block: 'breaker_trip', warn: 'breaker_warn', shadow: 'breaker_shadow' };

/** Header values are Latin-1 without control characters: anything else becomes '?'. */
const headerSafe = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?');

function validate(options: BreakerPolicyOptions): void {
  const names = new Set<string>();
  options.breakers.forEach((breaker, index) => {
    if (names.has(breaker.name)) throw new Error(`breakers[${index}].name: duplicate breaker name "${breaker.name}"`);
    names.add(breaker.name);
  });
  const max = options.maxSessions;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new Error(`breakers: maxSessions must be a positive integer, got ${String(max)}`);
}

export function breakers(options: BreakerPolicyOptions): Policy & { state(): BreakerStateSnapshot[] } {
  validate(options);
  const sessions = new SessionLru(options.maxSessions ?? DEFAULT_MAX_SESSIONS);
  const configs = new Map(options.breakers.map((breaker) => [breaker.name, breaker]));

  const stateFor = (breaker: BreakerConfig, session: string, now: number): SessionState => {
    let state = sessions.get(breaker.name, session);
    const idle = breaker.window ?? Infinity;
    if (state === undefined || ((state.trip === null || state.trip.until <= now) && now - state.lastAt > idle)) {
      state = newSession(breaker.name, session, now);
      sessions.set(breaker.name, session, state);
    }
    return state;
  };

  const record = (call: Call, caught: Caught, costUsd: number | null, now: number): void => {
    const { breaker, state, trip } = caught;
    const verb = breaker.action === 'block' ? 'refused' : breaker.action === 'warn' ? 'served with a warning' : 'would have been refused (shadow)';
    options.recordEvent({
      id: options.newId(),
      at: now,
      kind: eventKind[breaker.action],
      name: breaker.name,
      scope: `${breaker.session_from}=${state.session}`,
      session: state.session,
      requestId: call.requestId,
      reason: `breaker "${breaker.name}", session "${state.session}": ${trip.reason}; request ${verb}`,
      costUsd,
      details: { ...trip.details, kind: trip.kind, action: breaker.action, sessionFrom: breaker.session_from, newTrip: caught.fresh, trippedAt: trip.at, until: trip.until },
    });
  };

  const refuse = (caught: Caught, now: number): GatewayError => {
    const { breaker, state, trip } = caught;
    const until = new Date(trip.until).toISOString();
    return new GatewayError({
      code: 'breaker_open',
      message: `Circuit breaker "${breaker.name}" is open for ${breaker.session_from} "${state.session}": ${trip.reason}. It closes at ${until}.`,
      headers: { 'retry-after': String(Math.max(1, Math.ceil((trip.until - now) / 1000))) },
      details: { breaker: breaker.name, session: state.session, session_from: breaker.session_from, reason: trip.reason, kind: trip.kind, tripped_at: new Date(trip.at).toISOString(), until, ...trip.details },
    });
  };

  const policy = async function breakerPolicy(call: Call, next: () => Promise<void>): Promise<void> {
    if (options.breakers.length === 0) return next();
    const now = options.now();
    const view: RequestView = { call };
    const touched: { breaker: BreakerConfig; state: SessionState }[] = [];
    const caught: Caught[] = [];
    for (const breaker of options.breakers) {
      const session = breaker.session_from === 'key' ? call.attribution.keyId : call.attribution.session;
      if (!session) continue;
      const state = stateFor(breaker, session, now);
      touched.push({ breaker, state });
      const active = state.trip !== null && state.trip.until > now ? state.trip : null;
      const finding = evaluate({ breaker, state, view, now, skipLoops: active !== null });
      state.lastAt = now;
      if (active !== null) caught.push({ breaker, state, trip: active, fresh: false });
      else if (finding !== null) {
        state.trip = { ...finding, at: now, until: now + (breaker.window ?? TRIP_MS_WITHOUT_WINDOW) };
        caught.push({ breaker, state, trip: state.trip, fresh: true });
      }
    }
    if (caught.length > 0) {
      const costUsd = options.estimate(call).worstCaseUsd;
      for (const entry of caught) record(call, entry, costUsd, now);
      const blocking = caught.find((entry) => entry.breaker.action === 'block');
      if (blocking) throw refuse(blocking, now);
      const warnings = caught.filter((entry) => entry.breaker.action === 'warn').map((entry) => `${entry.breaker.name}: ${entry.trip.reason}`);
      if (warnings.length > 0) call.response.setHeader('x-jevons-breaker-warning', headerSafe(warnings.join('; ')));
    }
    for (const { breaker, state } of touched) {
      addCall(state, breaker.window, now);
      state.lastServed = false;
    }
    let served = false;
    try {
      await next();
      const last = call.attempts.at(-1);
      served = last === undefined || last.status < 400;
    } finally {
      let cost = 0;
      for (const attempt of call.attempts) cost += attempt.cost?.totalUsd ?? 0;
      for (const { breaker, state } of touched) {
        addCost(state, breaker.window, now, cost);
        state.lastServed = served;
      }
    }
  };

  return Object.assign(policy, {
    state(): BreakerStateSnapshot[] {
      const now = options.now();
      const out: BreakerStateSnapshot[] = [];
      for (const state of sessions.values()) {
        const breaker = configs.get(state.breaker);
        if (breaker === undefined) continue;
        const used = usage(state, breaker.window, now);
        const trip = state.trip !== null && state.trip.until > now ? state.trip : null;
        out.push({
          breaker: breaker.name, session: state.session, sessionFrom: breaker.session_from, action: breaker.action,
          firstAt: state.firstAt, lastAt: state.lastAt, calls: used.calls, costUsd: used.costUsd, windowMs: breaker.window ?? null,
          tripped: trip === null ? null : { kind: trip.kind, reason: trip.reason, at: trip.at, until: trip.until, details: trip.details },
        });
      }
      return out;
    },
  });
}
