import { describe, expect, it } from 'vitest';
import { costPerOutcome, type OutcomeGroup, type RequestRef, type SpendCell } from './outcomes.js';

function group(list: OutcomeGroup[], key: string | null): OutcomeGroup {
  const found = list.find((g) => g.key === key);
  if (found === undefined) throw new Error(`no ${String(key)}`);
  return found;
}

// 2025-03-09 is a Sunday (ISO week 10), 2025-03-10 a Monday (week 11).
type Request = RequestRef & { costUsd: number | null };
const requests: Request[] = [
  { requestId: 'a1', sessionId: 'sa', costUsd: 1, feature: 'support', model: 'gpt-4o', day: '2025-03-09' },
  { requestId: 'a2', sessionId: 'sa', costUsd: 2, feature: 'support', model: 'claude', day: '2025-03-10' },
  { requestId: 'a3', sessionId: 'sa', costUsd: 3, feature: 'support', model: 'gpt-4o', day: '2025-03-10' },
  { requestId: 'b1', sessionId: null, costUsd: 4, feature: 'search', model: 'gpt-4o', day: '2025-03-10' },
  { requestId: 'c1', sessionId: null, costUsd: 5, feature: 'search', model: 'gpt-4o', day: '2025-03-11' },
  { requestId: 'd1', sessionId: 'sd', costUsd: null, feature: null, model: 'local', day: '2025-03-11' },
  { requestId: 'e1', sessionId: null, costUsd: 10, feature: 'search', model: 'gpt-4o', day: '2025-03-11' },
];

/** One spend cell per request (the ledger's rollups give coarser cells; sums are the same). */
const cellsOf = (list: Request[]): SpendCell[] => list.map((r) => ({ feature: r.feature, model: r.model, day: r.day, requests: 1, spendUsd: r.costUsd ?? 0, unpricedRows: r.costUsd === null ? 1 : 0 }));

describe('costPerOutcome', () => {
  const report = costPerOutcome({
    spend: cellsOf(requests),
    requests,
    outcomes: [
      { sessionId: 'sa', status: 'failure' },
      { sessionId: 'sa', status: 'success' }, // the last one recorded wins
      { requestId: 'a3', score: 0.2 }, // a request's own outcome beats its session's
      { requestId: 'b1', score: 0.5 }, // >= threshold: success
      { requestId: 'c1', status: 'failure', score: 0.9 }, // status beats score
      { sessionId: 'sd', score: 1 },
      { score: 1 },
      { requestId: 'x' },
    ],
  });

  it('divides total spend by the distinct successful outcomes', () => {
    // spend 1+2+3+4+5+10 = 25 (d1 unpriced); successes: session sa, b1, session sd = 3; failures: a3, c1
    expect(report.total).toMatchObject({
      key: null, requests: 7, spendUsd: 25, unpricedRows: 1, requestsWithOutcome: 6, successes: 3, failures: 2, successRate: 0.6,
    });
    expect(report.total.costPerSuccessUsd).toBeCloseTo(25 / 3, 11);
    expect(report.ignoredOutcomes).toBe(2);
    expect(report.scoreThreshold).toBe(0.5);
  });

  it('groups by feature, with requests without an outcome in spend only', () => {
    expect(group(report.byFeature, 'search')).toMatchObject({ spendUsd: 19, requests: 3, requestsWithOutcome: 2, successes: 1, failures: 1, costPerSuccessUsd: 19 });
    expect(group(report.byFeature, 'support')).toMatchObject({ spendUsd: 6, successes: 1, failures: 1, costPerSuccessUsd: 6 });
    expect(group(report.byFeature, null)).toMatchObject({ spendUsd: 0, unpricedRows: 1, successes: 1, costPerSuccessUsd: 0 });
    expect(report.byFeature.map((g) => g.key)).toEqual(['search', 'support', null]);
  });

  it('counts a session outcome once in every model it used', () => {
    expect(group(report.byModel, 'gpt-4o')).toMatchObject({ spendUsd: 23, successes: 2, failures: 2, costPerSuccessUsd: 11.5 });
    expect(group(report.byModel, 'claude')).toMatchObject({ spendUsd: 2, successes: 1, failures: 0, costPerSuccessUsd: 2 });
  });

  it('groups by ISO week in order', () => {
    expect(report.byWeek.map((g) => [g.key, g.spendUsd, g.successes])).toEqual([
      ['2025-W10', 1, 1],
      ['2025-W11', 24, 3],
    ]);
  });

  it('takes a configured score threshold and gives null cost per success without successes', () => {
    const strict = costPerOutcome({ spend: cellsOf(requests), requests, outcomes: [{ requestId: 'b1', score: 0.5 }], scoreThreshold: 0.8 });
    expect(strict.total).toMatchObject({ successes: 0, failures: 1, costPerSuccessUsd: null, successRate: 0 });
    const none = costPerOutcome({ spend: [], requests: [], outcomes: [] });
    expect(none.total).toMatchObject({ requests: 0, spendUsd: 0, costPerSuccessUsd: null, successRate: null });
  });

  it('takes spend from cells and needs only the requests an outcome covers', () => {
    const covered = requests.filter((r) => r.sessionId !== null || ['b1', 'c1'].includes(r.requestId));
    const spend: SpendCell[] = [
      { feature: 'search', model: 'gpt-4o', day: '2025-03-10', requests: 1, spendUsd: 4, unpricedRows: 0 },
      { feature: 'search', model: 'gpt-4o', day: '2025-03-11', requests: 2, spendUsd: 15, unpricedRows: 0 },
      ...cellsOf(requests.filter((r) => r.feature !== 'search')),
    ];
    const lean = costPerOutcome({ spend, requests: covered, outcomes: [{ sessionId: 'sa', status: 'success' }, { requestId: 'a3', score: 0.2 }, { requestId: 'b1', score: 0.5 }, { requestId: 'c1', status: 'failure' }, { sessionId: 'sd', score: 1 }] });
    expect(lean.total).toEqual(report.total);
    expect(lean.byFeature).toEqual(report.byFeature);
    expect(lean.byModel).toEqual(report.byModel);
    expect(lean.byWeek).toEqual(report.byWeek);
  });
});
