/**
 * Cost per successful outcome, next to total spend, in total and by feature, model and ISO week.
 *
 * Definitions (docs/analytics.md):
 * - An outcome marks one request (requestId) or a whole session (sessionId only). A request takes its own outcome
 *   when it has one, else its session's; when several are recorded for the same request (or session) the last one in
 *   input order wins, so pass them in the order they were recorded.
 * - Successful: status 'success'; with no status, score >= scoreThreshold (default 0.5). Status 'failure', or a score
 *   below the threshold, is a failure. An outcome with neither status nor score is ignored.
 * - Spend of a group = the priced cost of its ledger rows (with or without an outcome), as GET /spend sums it;
 *   rows with tokens but no price are counted apart (unpricedRows). Requests = first attempts.
 * - Successes of a group = distinct successful outcomes covering at least one request of the group: a session
 *   succeeding across two models counts once in each model's row and once in total.
 * - Cost per success = spend / successes; null when there is none.
 *
 * Spend comes as cells per (feature, model, day) -- the rollups answer those at any ledger size -- and requests one
 * by one only for the requests an outcome covers, so the work grows with the outcomes, not with the traffic.
 */
import { roundUsd } from '../pricing/compute-cost.js';
import { isoWeek } from './calendar.js';

/** Spend of the rows of one (feature, model, day) of the range. */
export interface SpendCell {
  feature: string | null;
  model: string;
  /** Day in the operator's time zone, YYYY-MM-DD. */
  day: string;
  /** First attempts. */
  requests: number;
  /** Priced cost of the rows. */
  spendUsd: number;
  /** Rows with tokens and no price (their cost is unknown, not in spendUsd). */
  unpricedRows: number;
}

/** One request an outcome may cover: its session, and the feature, model and day of its first attempt. */
export interface RequestRef {
  requestId: string;
  sessionId: string | null;
  feature: string | null;
  model: string;
  day: string;
}

export interface Outcome {
  requestId?: string;
  sessionId?: string;
  status?: 'success' | 'failure';
  score?: number;
}

export interface OutcomeOptions {
  spend: SpendCell[];
  /** The requests outcomes may cover (requests no outcome covers may be left out: they change nothing). */
  requests: RequestRef[];
  outcomes: Outcome[];
  scoreThreshold?: number;
}

export interface OutcomeGroup {
  /** Feature (null = requests without one), model, or ISO week `YYYY-Www`; null for the total. */
  key: string | null;
  requests: number;
  spendUsd: number;
  unpricedRows: number;
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
  const resolve = (r: RequestRef): Resolved | null =>
    byRequest.get(r.requestId) ?? (r.sessionId === null ? undefined : bySession.get(r.sessionId)) ?? null;
  const weekOf = new Map<string, string>();
  const week = (day: string): string => {
    let found = weekOf.get(day);
    if (found === undefined) weekOf.set(day, (found = isoWeek(day)));
    return found;
  };
  const total = new Group(null);
  const features = new Map<string | null, Group>();
  const models = new Map<string | null, Group>();
  const weeks = new Map<string | null, Group>();
  const groupsOf = (r: { feature: string | null; model: string; day: string }): Group[] => [total, groupIn(features, r.feature), groupIn(models, r.model), groupIn(weeks, week(r.day))];
  for (const cell of options.spend) for (const group of groupsOf(cell)) group.addSpend(cell);
  const seen = new Set<string>();
  for (const r of options.requests) {
    const outcome = resolve(r);
    if (outcome === null || seen.has(r.requestId)) continue;
    seen.add(r.requestId);
    for (const group of groupsOf(r)) group.cover(outcome);
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

  addSpend(cell: SpendCell): void {
    this.requests += cell.requests;
    this.spend += cell.spendUsd;
    this.unpriced += cell.unpricedRows;
  }

  cover(outcome: Resolved): void {
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
      unpricedRows: this.unpriced,
      requestsWithOutcome: this.covered,
      successes,
      failures,
      costPerSuccessUsd: successes === 0 ? null : roundUsd(this.spend / successes),
      successRate: this.units.size === 0 ? null : successes / this.units.size,
    };
  }
}
