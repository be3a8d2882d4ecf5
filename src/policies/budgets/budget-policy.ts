/**
 * The budget policy: before the upstream call, reserve the call's worst case in every budget that covers it (all or
 * nothing); at a limit, apply the strictest action of the budgets that refuse (block > downgrade > cap; shadow never
 * refuses); after the call, settle every reserved counter to the metered cost (release on failure) and report where
 * each budget stands (onSpend). Reference: docs/governance.md, "Budgets".
 */
import type { Call, Policy, RouteTarget } from '../../pipeline/call.js';
import { roundUsd } from '../../pricing/index.js';
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import { ConfigError } from '../../spec/config/load-config.js';
import { GatewayError } from '../../spec/errors.js';
import type { BudgetOverrides, BudgetSpendUpdate, GovernanceEvent, GovernanceEventKind, SpendQuery } from '../../spec/governance.js';
import type { CounterStore } from '../../spec/ports.js';
import type { CostEstimate } from '../estimate-cost.js';
import { actionRank, budgetExceeded, capOverrides, resetAt } from './budget-actions.js';
import { createBudgetCounters, keyOf, type Amounts, type CoveredBudget, type Line, type Unit } from './budget-counters.js';
import { calendarPeriod, rollingBuckets, type Period } from './budget-periods.js';
import { scopeOf, scopeResolver, type ScopedRule, type ScopeMatch } from '../governance-scope.js';

export interface BudgetPolicyOptions {
  budgets: readonly BudgetConfig[];
  counters: CounterStore;
  /** The call's pre-flight estimate (may throw a GatewayError for a body it cannot count). Called once per call, plus
   * once per re-estimate of a downgraded or capped call, always with a fresh Call object. */
  estimate: (call: Call) => CostEstimate;
  /** Resolves a model name (downgrade_to) to a target, like the route policy. */
  resolveModel: (name: string) => RouteTarget | null;
  /** Spend already in the ledger for a budget scope value and period (restart restore). */
  restore: (query: SpendQuery) => Promise<{ usd: number; tokens: number }>;
  onSpend?: (update: BudgetSpendUpdate) => void;
  recordEvent: (event: GovernanceEvent) => void;
  now: () => number;
  newId: () => string;
  /** A settlement that failed after the response was sent (the counter store is down); default: ignored. */
  onError?: (error: unknown) => void;
  /** Names the configuration in errors (default "jevons.yaml"). */
  configSource?: string;
}

/** A `budgets reset` in force for one scope value ('' = every value): spend counts from `at`; applied here at `appliedAt`. */
interface ResetMark {
  at: number;
  appliedAt: number;
}

interface CompiledBudget {
  /** As in jevons.yaml. */
  configured: BudgetConfig;
  /** With the limits of `budgets set` (applyOverrides), else `configured`. */
  config: BudgetConfig;
  scoped: ScopedRule;
  /** matchScope of this budget, remembered per scope value. */
  resolve: (call: Call) => ScopeMatch | null;
  /** Counted units: those limited now, plus any an override limited earlier in this process (counts stay whole). */
  units: Unit[];
  /** Set once an override limited a unit the configuration does not: counters move to `base + suffix` from `since`. */
  unitEpoch: { suffix: string; since: number } | null;
  /** Resets by scope value ('' = all), from `budgets reset`. */
  resets: Map<string, ResetMark>;
  downgradeTarget: RouteTarget | null;
  /** The calendar period last computed, reused while now is inside it. */
  period: Period | null;
  /**
   * Coverage per scope value, reused while its period (a rolling window: its current bucket), reset, units and limits
   * are the same: the same keys (strings hashed once) for every request of the period or bucket.
   */
  coverages: Map<string, CoveredBudget>;
}

const unitsOf = (config: BudgetConfig): Unit[] => (config.limit_usd === undefined ? ['tokens'] : config.limit_tokens === undefined ? ['usd'] : ['usd', 'tokens']);

/** The configured budget with an override's limits (a null limit keeps the configured one). */
function withLimits(configured: BudgetConfig, override: BudgetOverrides['limits'][number] | undefined): BudgetConfig {
  if (override === undefined || (override.limitUsd === null && override.limitTokens === null)) return configured;
  const config = { ...configured };
  if (override.limitUsd !== null) config.limit_usd = override.limitUsd;
  if (override.limitTokens !== null) config.limit_tokens = override.limitTokens;
  return config;
}

/** The scope value of a budget without `*` (the only one it has), else null. */
function fixedScope(scoped: ScopedRule): string | null {
  const parts = [...scoped.dimensions.map(([dimension, value]) => [dimension, value] as const), ...scoped.tags.map(([name, value]) => [`tag.${name}`, value] as const)];
  return parts.some(([, value]) => value === '*') ? null : parts.map(([label, value]) => `${label}=${value}`).join(',');
}

function compile(options: BudgetPolicyOptions): CompiledBudget[] {
  const problems: string[] = [];
  const compiled = options.budgets.map((config, index) => {
    let downgradeTarget: RouteTarget | null = null;
    if (config.downgrade_to !== undefined) {
      downgradeTarget = options.resolveModel(config.downgrade_to);
      if (downgradeTarget === null) problems.push(`budgets[${index}].downgrade_to: no model "${config.downgrade_to}" is routable through this gateway`);
    }
    if (options.budgets.findIndex((other) => other.name === config.name) !== index) problems.push(`budgets[${index}].name: "${config.name}" is already the name of another budget`);
    const scoped = scopeOf(config.scope);
    return { configured: config, config, scoped, resolve: scopeResolver(scoped), units: unitsOf(config), unitEpoch: null, resets: new Map(), downgradeTarget, period: null, coverages: new Map() };
  });
  if (problems.length > 0) throw new ConfigError(options.configSource ?? 'jevons.yaml', problems);
  return compiled;
}

function periodOf(budget: CompiledBudget, now: number): Period {
  const config = budget.config;
  if (config.period === 'lifetime') return { start: 0, end: Infinity };
  if (config.period === 'rolling') return { start: now - (config.window ?? 0), end: now };
  const cached = budget.period;
  if (cached !== null && now >= cached.start && now < cached.end) return cached;
  budget.period = calendarPeriod(config.period, config.timezone, now);
  return budget.period;
}

/**
 * The reset in force for a scope value: the latest of its own and the all-values one, when it falls inside the period.
 * A rolling window keeps it for good: its counters moved at the reset, and the old ones no longer see the spend.
 */
function resetOf(budget: CompiledBudget, scope: string, period: Period): ResetMark | null {
  const own = budget.resets.get(scope);
  const all = scope === '' ? undefined : budget.resets.get('');
  const mark = own === undefined ? all : all === undefined || own.at >= all.at ? own : all;
  if (mark === undefined || (budget.config.period !== 'rolling' && mark.at <= period.start)) return null;
  return mark;
}

function coverage(budget: CompiledBudget, scope: string, match: SpendQuery['match'], now: number): CoveredBudget {
  const known = budget.coverages.get(scope);
  if (known !== undefined && known.config === budget.config && known.units === budget.units && isCurrent(budget, known, scope, now)) return known;
  const covered = computeCoverage(budget, scope, match, periodOf(budget, now), now);
  if (budget.coverages.size >= 10_000) budget.coverages.clear();
  budget.coverages.set(scope, covered);
  return covered;
}

/**
 * Whether a known coverage is the one in force: same calendar period (a rolling window: same current bucket, whose
 * bucket list rollingBuckets returns as the same object), same reset, same unit epoch. A rolling coverage's `period`
 * is that of the request that computed it; within its bucket it only serves as the restore's lower bound, which
 * that first request used.
 */
function isCurrent(budget: CompiledBudget, known: CoveredBudget, scope: string, now: number): boolean {
  const config = budget.config;
  let period = known.period;
  if (config.period === 'rolling') {
    if (known.rolling !== rollingBuckets(config.window ?? 0, now)) return false;
  } else {
    period = periodOf(budget, now);
    if (known.period.start !== period.start || known.period.end !== period.end) return false;
  }
  const reset = budget.resets.size === 0 ? null : resetOf(budget, scope, period);
  return (reset?.at ?? null) === known.resetMark && (budget.unitEpoch === null || known.base.endsWith(budget.unitEpoch.suffix));
}

function computeCoverage(budget: CompiledBudget, scope: string, match: SpendQuery['match'], period: Period, now: number): CoveredBudget {
  const config = budget.config;
  const tag = config.period === 'lifetime' ? 'lifetime' : config.period === 'rolling' ? 'rolling' : String(period.start);
  const rolling = config.period === 'rolling' ? rollingBuckets(config.window ?? 0, now) : null;
  let base = `budget:${config.name}:${scope}:${tag}`;
  let countFrom = period.start;
  let liveFrom = 0;
  const reset = budget.resets.size === 0 ? null : resetOf(budget, scope, period);
  if (reset !== null) {
    base += `:r${reset.at}`;
    countFrom = reset.at;
    liveFrom = reset.appliedAt;
  }
  if (budget.unitEpoch !== null) {
    base += budget.unitEpoch.suffix;
    liveFrom = Math.max(liveFrom, budget.unitEpoch.since);
  }
  return { config, scope, match, period, base, rolling, units: budget.units, countFrom, liveFrom, resetMark: reset?.at ?? null };
}

function coveredBudgets(compiled: readonly CompiledBudget[], call: Call, now: number): CoveredBudget[] {
  const covered: CoveredBudget[] = [];
  for (const budget of compiled) {
    const matched = budget.resolve(call);
    if (matched !== null) covered.push(coverage(budget, matched.scope, matched.match, now));
  }
  return covered;
}

/** What the call reserves: the worst case in USD and tokens (input for reservation + every completion's max output). */
function amountsOf(covered: readonly CoveredBudget[], estimate: CostEstimate): Amounts {
  const tokens = estimate.reservationInputTokens + estimate.maxOutputTokens * estimate.choices;
  if (estimate.worstCaseUsd !== null) return { usd: estimate.worstCaseUsd, tokens };
  // Unpriced: a USD-only budget cannot bound the call, so it refuses it rather than let it through uncounted.
  const usdOnly = covered.find((budget) => budget.config.limit_usd !== undefined && budget.config.limit_tokens === undefined && budget.config.action !== 'shadow');
  if (usdOnly !== undefined) {
    throw new GatewayError({
      code: 'forbidden',
      param: 'model',
      message: `Budget "${usdOnly.config.name}" limits spend in USD, and the model "${estimate.model}" has no price, so the cost of this request cannot be counted against it. Add a price (models[].price or pricing.prices in jevons.yaml), or give the budget a limit_tokens.`,
      details: { budget: usdOnly.config.name, scope: usdOnly.scope, reason: 'unpriced' },
    });
  }
  return { usd: 0, tokens };
}

/** Metered USD and tokens of every attempt. An attempt with tokens but no price settles at the USD reserved. */
function actualOf(call: Call, reservedUsd: number): Amounts {
  let usd = 0;
  let tokens = 0;
  let unpriced = false;
  for (const attempt of call.attempts) {
    const usage = attempt.usage;
    const counted = usage === null ? 0 : usage.inputTokens + usage.cacheReadTokens + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens + usage.outputTokens;
    tokens += counted;
    if (attempt.cost !== null) usd += attempt.cost.totalUsd;
    else if (counted > 0) unpriced = true;
  }
  return { usd: roundUsd(unpriced ? Math.max(usd, reservedUsd) : usd), tokens };
}

/** The smallest remaining amount across the non-refusing lines of a unit, and the budget it belongs to. */
function tightest(lines: readonly Line[], unit: 'usd' | 'tokens'): { name: string; remaining: number } | null {
  let best: { name: string; remaining: number } | null = null;
  for (const line of lines) {
    if (line.unit !== unit || line.limit === Infinity) continue;
    const remaining = Math.max(0, line.limit - line.spent);
    if (best === null || remaining < best.remaining) best = { name: line.covered.config.name, remaining };
  }
  return best;
}

/** The refusing line whose budget has the strictest action (config order breaks ties). */
function strictest(refusing: readonly Line[]): Line {
  let chosen = refusing[0] as Line;
  for (const line of refusing) if (actionRank[line.covered.config.action] > actionRank[chosen.covered.config.action]) chosen = line;
  return chosen;
}

/** A fresh Call for a re-estimate (the injected estimate is cached per Call object), with the overrides applied. */
const forEstimate = (call: Call): Call => ({ ...call, body: call.bodyOverrides === null ? call.body : { ...call.body, ...call.bodyOverrides } });

/** The budget policy, and how `jevons budgets set|reset` reach it (the overrides poller calls applyOverrides). */
export type BudgetPolicy = Policy & {
  /**
   * Takes the whole set of overrides (every call replaces the previous set): limits replace the configured ones of
   * their budget (a budget without one is back to jevons.yaml); a reset inside a budget's period makes that scope
   * value's spend (or every value's, scope '') count from the reset, on fresh counters. Takes effect for the next
   * reservation; calls already holding one settle where they reserved.
   */
  applyOverrides(overrides: BudgetOverrides): void;
};

export function budgets(options: BudgetPolicyOptions): BudgetPolicy {
  const compiled = compile(options);
  const counters = createBudgetCounters({ counters: options.counters, restore: options.restore, now: options.now, createdAt: options.now() });

  const event = (call: Call, kind: GovernanceEventKind, line: { covered: CoveredBudget }, reason: string, costUsd: number | null, details: Record<string, unknown>): GovernanceEvent => ({
    id: options.newId(),
    at: options.now(),
    kind,
    name: line.covered.config.name,
    scope: line.covered.scope,
    session: call.attribution.session,
    requestId: call.requestId,
    reason,
    costUsd,
    details,
  });

  /** The largest output limit that fits every counted budget's room; null when not even one token fits. */
  const capFit = (call: Call, estimate: CostEstimate, lines: readonly Line[], refusing: readonly Line[]): number | null => {
    let limit = estimate.maxOutputTokens - 1;
    for (const line of refusing) limit = Math.min(limit, line.covered.config.cap_max_tokens ?? Infinity);
    const counted = lines.filter((line) => line.covered.config.action !== 'shadow' && line.limit !== Infinity);
    const room = (unit: 'usd' | 'tokens') => Math.min(...counted.filter((line) => line.unit === unit).map((line) => line.limit - line.spent));
    const tokenRoom = room('tokens');
    if (tokenRoom !== Infinity) limit = Math.min(limit, Math.floor((tokenRoom - estimate.reservationInputTokens) / estimate.choices));
    const usdRoom = room('usd');
    if (usdRoom !== Infinity && estimate.worstCaseUsd !== null && limit >= 1) {
      // The worst case is linear in the output limit: price it at 1 token to find the slope.
      const field = capOverrides(call, 1, undefined).overrides;
      const one = options.estimate(forEstimate({ ...call, bodyOverrides: field })).worstCaseUsd ?? Infinity;
      if (one > usdRoom) return null;
      const perToken = (estimate.worstCaseUsd - one) / Math.max(1, estimate.maxOutputTokens - 1);
      if (perToken > 0) limit = Math.min(limit, Math.floor((usdRoom - one) / perToken) + 1);
    }
    return limit >= 1 ? limit : null;
  };

  /** Zeroes the counters a new reset leaves behind, when the scope value is known (cleanup: they are read no more). */
  const forget = (budget: CompiledBudget, scope: string, at: number, now: number): void => {
    const value = scope !== '' ? scope : fixedScope(budget.scoped);
    if (value === null) return;
    // A reset of an earlier period (or older than the one in force) moves nothing.
    const period = periodOf(budget, now);
    if (at <= (resetOf(budget, value, period)?.at ?? (budget.config.period === 'rolling' ? -Infinity : period.start))) return;
    const covered = coverage(budget, value, {}, now);
    const keys = covered.units.flatMap((unit) => (covered.rolling === null ? [keyOf(covered, unit)] : covered.rolling.starts.map((start) => keyOf(covered, unit, start))));
    Promise.all(keys.map((key) => options.counters.reset(key))).catch((error: unknown) => options.onError?.(error));
  };

  const applyOverrides = (overrides: BudgetOverrides): void => {
    const now = options.now();
    for (const budget of compiled) {
      const name = budget.configured.name;
      const limit = overrides.limits.find((override) => override.name === name);
      budget.config = withLimits(budget.configured, limit);
      const wanted = unitsOf(budget.config);
      if (wanted.some((unit) => !budget.units.includes(unit))) {
        budget.units = ['usd', 'tokens'];
        budget.unitEpoch = { suffix: `:u${limit?.updatedAt ?? now}`, since: now };
      }
      const resets = new Map<string, ResetMark>();
      for (const reset of overrides.resets) {
        if (reset.name !== name) continue;
        const previous = budget.resets.get(reset.scope);
        if (previous !== undefined && previous.at === reset.resetAt) {
          resets.set(reset.scope, previous);
          continue;
        }
        forget(budget, reset.scope, reset.resetAt, now);
        resets.set(reset.scope, { at: reset.resetAt, appliedAt: now });
      }
      budget.resets = resets;
    }
  };

  const budgetPolicy: Policy = async function budgetPolicy(call, next) {
    const now = options.now();
    const covered = coveredBudgets(compiled, call, now);
    if (covered.length === 0) return next();
    let estimate = options.estimate(call);
    const served: GovernanceEvent[] = [];
    /** Headers of a downgrade or cap: sent only if the call is then served. */
    const notes: Array<[string, string]> = [];
    let downgraded = false;
    let capped = false;
    let lines: Line[];
    for (;;) {
      const amounts = amountsOf(covered, estimate);
      const reserving = counters.reserve(covered, amounts);
      const outcome = reserving instanceof Promise ? await reserving : reserving;
      if (outcome.ok) {
        lines = outcome.lines;
        break;
      }
      const line = strictest(outcome.refusing);
      const config = line.covered.config;
      const target = compiled.find((budget) => budget.configured.name === config.name)?.downgradeTarget ?? null;
      if (config.action === 'downgrade' && !downgraded && target !== null && (target.provider !== call.target?.provider || target.upstreamModel !== call.target.upstreamModel)) {
        downgraded = true;
        call.target = target;
        estimate = options.estimate(forEstimate(call));
        notes.push(['x-jevons-budget-downgraded', `${config.name} -> ${config.downgrade_to ?? ''}`]);
        served.push(event(call, 'budget_downgraded', line, `Budget "${config.name}" is at its limit: served by ${config.downgrade_to ?? ''} instead of ${call.model}`, estimate.worstCaseUsd, { from: call.model, to: config.downgrade_to, unit: line.unit, limit: line.limit, spent: line.spent }));
        continue;
      }
      const fit = config.action === 'cap' && !capped ? capFit(call, estimate, outcome.lines, outcome.refusing) : null;
      if (fit !== null) {
        capped = true;
        const before = estimate.maxOutputTokens;
        const { overrides, changes } = capOverrides(call, fit, config.cap_reasoning_effort);
        call.bodyOverrides = overrides;
        estimate = options.estimate(forEstimate(call));
        notes.push(['x-jevons-budget-capped', `${config.name}: ${changes.join(', ')}`]);
        served.push(event(call, 'budget_capped', line, `Budget "${config.name}" is near its limit: output capped from ${before} to ${fit} tokens`, estimate.worstCaseUsd, { changes, max_tokens_before: before, max_tokens: fit, unit: line.unit, limit: line.limit, spent: line.spent }));
        continue;
      }
      const oldest = line.covered.rolling === null ? null : await oldestSpend(line);
      const error = budgetExceeded({ line, resetAt: resetAt(line, oldest), now: options.now() });
      options.recordEvent(event(call, 'budget_blocked', line, error.message, estimate.worstCaseUsd, error.details ?? {}));
      throw error;
    }

    for (const line of lines) {
      if (line.covered.config.action !== 'shadow' || line.spent <= line.limit) continue;
      const name = line.covered.config.name;
      call.response.setHeader('x-jevons-budget-shadow', name);
      served.push(event(call, 'budget_shadow', line, `Budget "${name}" (shadow) would have refused this request: ${line.spent} ${line.unit} of ${line.limit} with it`, estimate.worstCaseUsd, { unit: line.unit, limit: line.limit, spent: line.spent }));
    }
    if (estimate.worstCaseUsd === null) {
      for (const budget of covered) {
        if (budget.config.action === 'shadow' && budget.config.limit_usd !== undefined) served.push(event(call, 'budget_shadow', { covered: budget }, `Budget "${budget.config.name}" (shadow) cannot price model "${estimate.model}": it would have refused this request`, null, { reason: 'unpriced' }));
      }
    }
    const usd = tightest(lines, 'usd');
    if (usd !== null) {
      call.response.setHeader('x-jevons-budget-remaining-usd', String(roundUsd(usd.remaining)));
      call.response.setHeader('x-jevons-budget', usd.name);
    }
    const tokens = tightest(lines, 'tokens');
    if (tokens !== null) {
      call.response.setHeader('x-jevons-budget-remaining-tokens', String(tokens.remaining));
      call.response.setHeader('x-jevons-budget-tokens', tokens.name);
    }
    for (const [name, value] of notes) call.response.setHeader(name, value);
    for (const item of served) options.recordEvent(item);

    try {
      await next();
    } finally {
      const settling = settle(call, lines);
      if (settling !== undefined) await settling;
    }
  };
  return Object.assign(budgetPolicy, { applyOverrides });

  /** Settles the call's lines and reports spend; synchronous with an in-process store (a promise only to await). */
  function settle(call: Call, lines: readonly Line[]): Promise<void> | undefined {
    try {
      const reservedUsd = lines.find((line) => line.unit === 'usd')?.amount ?? 0;
      const spent = counters.settle(lines, actualOf(call, reservedUsd));
      if (spent instanceof Promise) return spent.then(report, (error: unknown) => options.onError?.(error));
      report(spent);
    } catch (error) {
      options.onError?.(error);
    }
    return undefined;
  }

  function report(spent: ReadonlyMap<CoveredBudget, Amounts>): void {
    if (options.onSpend === undefined) return;
    try {
      const at = options.now();
      for (const [covered, amounts] of spent) {
        const period = covered.rolling === null ? covered.period : { start: at - (covered.config.window ?? 0), end: at };
        options.onSpend({
          budget: covered.config.name,
          scope: covered.scope,
          periodStart: period.start,
          periodEnd: period.end,
          spentUsd: amounts.usd,
          spentTokens: amounts.tokens,
          limitUsd: covered.config.limit_usd ?? null,
          limitTokens: covered.config.limit_tokens ?? null,
          at,
        });
      }
    } catch (error) {
      options.onError?.(error);
    }
  }

  /** The start of the oldest bucket of a rolling window that holds spend (when the window first has room again). */
  async function oldestSpend(line: Line): Promise<number | null> {
    const starts = line.covered.rolling?.starts ?? [];
    for (let index = starts.length - 1; index >= 0; index -= 1) {
      const start = starts[index] as number;
      if ((await options.counters.get(`${line.covered.base}:${start}:${line.unit}`)) > 0) return start;
    }
    return null;
  }
}
