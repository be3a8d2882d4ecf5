/**
 * Cost per successful outcome, next to total spend, in total and by feature, model and ISO week.
 *
 * Definitions (docs/analytics.md):
 * - An outcome marks one request (requestId) or a whole session (sessionId only). A request takes its own outcome
 *   when it has one, else its session's; when several are recorded for the same request (or session) the last one in
 *   input order wins, so pass them in the order they were recorded.
 * - Successful: status 'success'; with no status, score >= scoreThreshold (default 0.5). Status 'failure', or a score
 *   below the threshold, is a failure. An outcome with neither status nor score is ignored.
 * - Spend of a group = cost of every request in it (with or without an outcome); unpriced requests are counted apart.
 * - Successes of a group = distinct successful outcomes (a request's own, or a session's) covering at least one
 *   request of the group: a session succeeding across two models counts once in each model's row and once in total.
 * - Cost per success = spend / successes; null when there is none.
 */
import { roundUsd } from '../pricing/compute-cost.js';
import { isoWeek } from './calendar.js';

export interface RequestCost {
  requestId: string;
  sessionId: string | null;
  /** Sum over the request's attempts; null when unpriced. */
  costUsd: number | null;
  feature: string | null;
  model: string;
  /** Day of the request in the operator's time zone, YYYY-MM-DD. */
  day: string;
}

export interface Outcome {
  requestId?: string;
  sessionId?: string;
  status?: 'success' | 'failure';
  score?: number;
}

export interface OutcomeOptions {
  requests: RequestCost[];
  outcomes: Outcome[];
  scoreThreshold?: number;
}

export interface OutcomeGroup {
  /** Feature (null = requests without one), model, or ISO week `YYYY-Www`; null for the total. */
  key: string | null;
  requests: number;
  spendUsd: number;
  unpricedRequests: number;
  /** Requests covered by an outcome (their own or their session's). */
  requestsWithOutcome: number;
  successes: number;
  failures: number;
  costPerSuccessUsd: number | null;
  /** successes / (successes + failures), null when no outcome. */
  successRate: number | null;
}

export interface OutcomeReport {
  scoreThreshold: number;
  total: OutcomeGroup;
  byFeature: OutcomeGroup[];
  byModel: OutcomeGroup[];
  /** Ascending by week. */
  byWeek: OutcomeGroup[];
  /** Outcomes with no request / session id, or with neither status nor score. */
  ignoredOutcomes: number;
}

interface Resolved {
  success: boolean;
}

export function costPerOutcome(options: OutcomeOptions): OutcomeReport {
  const threshold = options.scoreThreshold ?? 0.5;
  // One Resolved object per outcome unit: groups count units by identity.
  const byRequest = new Map<string, Resolved>();
  const bySession = new Map<string, Resolved>();
  let ignoredOutcomes = 0;
  for (const o of options.outcomes) {
    const success = o.status !== undefined ? o.status === 'success' : o.score !== undefined ? o.score >= threshold : null;
    if (success === null || (o.requestId === undefined && o.sessionId === undefined)) {
      ignoredOutcomes++;
      continue;
    }
    if (o.requestId !== undefined) byRequest.set(o.requestId, { success });
    else if (o.sessionId !== undefined) bySession.set(o.sessionId, { success });
  }
  const resolve = (r: RequestCost): Resolved | null =>
    byRequest.get(r.requestId) ?? (r.sessionId === null ? undefined : bySession.get(r.sessionId)) ?? null;
  const weekOf = new Map<string, string>();
  const total = new Group(null);
  const features = new Map<string | null, Group>();
  const models = new Map<string | null, Group>();
  const weeks = new Map<string | null, Group>();
  for (const r of options.requests) {
    const week = weekOf.get(r.day) ?? isoWeek(r.day);
    weekOf.set(r.day, week);
    const outcome = resolve(r);
    for (const group of [total, groupIn(features, r.feature), groupIn(models, r.model), groupIn(weeks, week)]) group.add(r, outcome);
  }
  const bySpend = (a: OutcomeGroup, b: OutcomeGroup): number => b.spendUsd - a.spendUsd || String(a.key).localeCompare(String(b.key));
  return {
    scoreThreshold: threshold,
    total: total.result(),
    byFeature: [...features.values()].map((g) => g.result()).sort(bySpend),
    byModel: [...models.values()].map((g) => g.result()).sort(bySpend),
    byWeek: [...weeks.values()].map((g) => g.result()).sort((a, b) => String(a.key).localeCompare(String(b.key))),
    ignoredOutcomes,
  };
}

function groupIn(groups: Map<string | null, Group>, key: string | null): Group {
  const group = groups.get(key) ?? new Group(key);
  groups.set(key, group);
  return group;
}

class Group {
  private requests = 0;
  private spend = 0;
  private unpriced = 0;
  private covered = 0;
  private readonly units = new Set<Resolved>();

  constructor(private readonly key: string | null) {}

  add(r: RequestCost, outcome: Resolved | null): void {
    this.requests++;
    if (r.costUsd === null) this.unpriced++;
    else this.spend += r.costUsd;
    if (outcome === null) return;
    this.covered++;
    this.units.add(outcome);
  }

  result(): OutcomeGroup {
    const successes = [...this.units].filter((u) => u.success).length;
    const failures = this.units.size - successes;
    return {
      key: this.key,
      requests: this.requests,
      spendUsd: roundUsd(this.spend),
      unpricedRequests: this.unpriced,
      requestsWithOutcome: this.covered,
      successes,
      failures,
      costPerSuccessUsd: successes === 0 ? null : roundUsd(this.spend / successes),
      successRate: this.units.size === 0 ? null : successes / this.units.size,
    };
  }
}
