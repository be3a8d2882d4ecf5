import { describe, expect, it } from 'vitest';
import { cacheKindOf, cacheSavingsOfRows, routingSavingsOfRows, type CacheRow } from './savings-rows.js';
import { wasteReport, type AttemptCost, type KindTotal } from './waste.js';

function kind(list: KindTotal[], name: string): KindTotal {
  const found = list.find((k) => k.kind === name);
  if (found === undefined) throw new Error(`no ${name}`);
  return found;
}

const attempts: AttemptCost[] = [
  // r1: two failed attempts then success
  { requestId: 'r1', attempt: 1, status: 429, errorCode: 'upstream_rate_limited', costUsd: 0, session: 's-a' },
  { requestId: 'r1', attempt: 2, status: 502, errorCode: 'upstream_stream_interrupted', costUsd: 0.25, session: 's-a' },
  { requestId: 'r1', attempt: 3, status: 200, errorCode: null, costUsd: 1, session: 's-a' },
  // r2: single attempt, flagged as a repeat
  { requestId: 'r2', attempt: 1, status: 200, errorCode: null, costUsd: 0.5, session: 's-b' },
  // r3: retried once, unpriced first attempt, flagged as a repeat in a tripped session
  { requestId: 'r3', attempt: 1, status: 500, errorCode: 'upstream_server_error', costUsd: null, session: 's-trip' },
  { requestId: 'r3', attempt: 2, status: 200, errorCode: null, costUsd: 2, session: 's-trip' },
  // r4: retried in the tripped session
  { requestId: 'r4', attempt: 1, status: 502, errorCode: 'upstream_stream_interrupted', costUsd: 0.75, session: 's-trip' },
  { requestId: 'r4', attempt: 2, status: 200, errorCode: null, costUsd: 0.5, session: 's-trip' },
];

describe('wasteReport', () => {
  const report = wasteReport({
    attempts,
    repeats: [
      { requestId: 'r2', reason: 'identical_requests' },
      { requestId: 'r3', reason: 'similar_requests' },
      { requestId: 'r3', reason: 'similar_requests' },
      { requestId: 'gone', reason: 'identical_requests' },
    ],
    breakerSessions: [
      { session: 's-trip', costBeforeTripUsd: 10, trips: 2, stoppedUsd: 3.5 },
      { session: 's-other', costBeforeTripUsd: 4, trips: 1, stoppedUsd: null },
    ],
    uncachedPrefixes: [
      { day: '2025-03-14', prefix: 'p1', lostUsd: 1.5 },
      { day: '2025-03-15', prefix: 'p1', lostUsd: 1.25 },
      { day: '2025-03-15', prefix: 'p2', lostUsd: 0.25 },
    ],
    cacheSavings: [
      { kind: 'exact_cache', rows: 10, uncachedUsd: 5, costUsd: 0 },
      { kind: 'exact_cache', rows: 2, uncachedUsd: 1, costUsd: 0 },
      { kind: 'prompt_cache', rows: 3, uncachedUsd: 1, costUsd: 1.5 },
    ],
    otherSavings: [{ kind: 'routing', savedUsd: 7, rows: 4 }],
  });

  it('sums the cost of retried attempts by error code, counting unpriced ones apart', () => {
    expect(kind(report.wasteByKind, 'retries')).toEqual({
      kind: 'retries', usd: 1, count: 4, unpriced: 1,
      breakdown: [
        { key: 'upstream_stream_interrupted', usd: 1, count: 2 },
        { key: 'upstream_rate_limited', usd: 0, count: 1 },
      ],
    });
  });

  it('charges a flagged repeat its final attempt once, and reports flags with no attempts', () => {
    expect(kind(report.wasteByKind, 'loop_repeats')).toMatchObject({ usd: 2.5, count: 2, unpriced: 0 });
    expect(kind(report.wasteByKind, 'loop_repeats').breakdown).toEqual([
      { key: 'similar_requests', usd: 2, count: 1 },
      { key: 'identical_requests', usd: 0.5, count: 1 },
    ]);
    expect(report.unmatchedRepeats).toBe(1);
  });

  it('reports tripped sessions, uncached prefixes and the stopped cost beside the savings', () => {
    expect(kind(report.wasteByKind, 'breaker_sessions')).toMatchObject({ usd: 14, count: 2 });
    expect(kind(report.wasteByKind, 'uncached_prefixes')).toMatchObject({ usd: 3, count: 3 });
    expect(kind(report.wasteByKind, 'uncached_prefixes').breakdown).toEqual([
      { key: '2025-03-14', usd: 1.5, count: 1 },
      { key: '2025-03-15', usd: 1.5, count: 2 },
    ]);
    expect(report.stoppedByBreakers).toEqual({ usd: 3.5, trips: 3, sessions: 2, unknown: 1 });
  });

  it('sums savings per kind, negative prompt-cache savings included', () => {
    expect(report.savingsByKind.map((k) => [k.kind, k.usd, k.count])).toEqual([
      ['exact_cache', 6, 12],
      ['semantic_cache', 0, 0],
      ['prompt_cache', -0.5, 3],
      ['routing', 7, 4],
    ]);
  });

  it('totals waste without counting a tripped session twice', () => {
    // retries 1 + repeats 2.5 + sessions 14 + prefixes 3 = 20.5; s-trip's r4 retry 0.75 and r3 repeat 2 are inside its 10
    expect(report.totals).toEqual({ wasteUsd: 17.75, overlapUsd: 2.75, savedUsd: 12.5 });
  });

  it('is all zeros on no input', () => {
    const empty = wasteReport({});
    expect(empty.totals).toEqual({ wasteUsd: 0, overlapUsd: 0, savedUsd: 0 });
    expect(empty.wasteByKind.map((k) => k.kind)).toEqual(['retries', 'loop_repeats', 'breaker_sessions', 'uncached_prefixes']);
  });
});

describe('savings from ledger rows', () => {
  const row = (over: Partial<CacheRow>): CacheRow => ({
    cacheSource: null, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, costUncachedUsd: 1, costTotalUsd: 1, ...over,
  });

  it('classifies response-cache hits before prompt-cache use, and skips unpriced rows', () => {
    expect(cacheKindOf(row({ cacheSource: 'semantic', cacheReadTokens: 100 }))).toBe('semantic_cache');
    expect(cacheKindOf(row({ cacheWrite1hTokens: 5 }))).toBe('prompt_cache');
    expect(cacheKindOf(row({}))).toBeNull();
    const sums = cacheSavingsOfRows([
      row({ cacheSource: 'exact', costUncachedUsd: 0.5, costTotalUsd: 0 }),
      row({ cacheReadTokens: 1000, costUncachedUsd: 1, costTotalUsd: 0.25 }),
      row({ cacheWrite5mTokens: 1000, costUncachedUsd: 1, costTotalUsd: 1.25 }),
      row({ cacheReadTokens: 10, costUncachedUsd: null, costTotalUsd: null }),
      row({}),
    ]);
    expect(sums).toEqual([
      { kind: 'exact_cache', rows: 1, uncachedUsd: 0.5, costUsd: 0 },
      { kind: 'prompt_cache', rows: 2, uncachedUsd: 2, costUsd: 1.5 },
    ]);
  });

  it('sums routing savings over rows with both costs known', () => {
    expect(routingSavingsOfRows([
      { requestedModelCostUsd: 1, costUsd: 0.25 },
      { requestedModelCostUsd: 0.5, costUsd: 0.5 },
      { requestedModelCostUsd: null, costUsd: 0.1 },
    ])).toEqual({ kind: 'routing', savedUsd: 0.75, rows: 2 });
  });
});
