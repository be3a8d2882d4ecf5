import { describe, expect, it } from 'vitest';
import type { GovernanceEvent } from '../../spec/governance.js';
import { createSqliteEventStore } from './event-store.js';
import { clearBudgetOverride, loadBudgetOverrides, resetBudget, setBudgetOverride, spendStart } from './budget-overrides.js';
import { openSqliteStores } from './open-sqlite-stores.js';

const t0 = Date.UTC(2026, 0, 10);

const event = (overrides: Partial<GovernanceEvent>): GovernanceEvent => ({
  id: 'e1',
  at: t0,
  kind: 'budget_alert',
  name: 'team-monthly',
  scope: 'team=search',
  session: null,
  requestId: null,
  reason: 'reached 70%',
  costUsd: 70,
  details: { alertKey: 'team-monthly|team=search|1|0.7|usd', threshold: 0.7, unit: 'usd', periodEnd: Number.POSITIVE_INFINITY },
  ...overrides,
});

function open() {
  const stores = openSqliteStores({ path: ':memory:' });
  return { stores, events: createSqliteEventStore(stores.db) };
}

describe('sqlite event store', () => {
  it('round-trips events, newest first, with filters', async () => {
    const { stores, events } = open();
    const trip = event({ id: 'e2', at: t0 + 1_000, kind: 'breaker_trip', name: 'agent', scope: null, session: 's-1', requestId: 'r-9', costUsd: null, details: { loop: 'tool_cycle', nested: { a: [1, 2] } } });
    await events.append([event({}), trip, event({ id: 'e3', at: t0 + 2_000, kind: 'rate_limited', name: 'rpm' })]);
    const all = await events.list({});
    expect(all.map((e) => e.id)).toEqual(['e3', 'e2', 'e1']);
    expect(all[1]).toEqual(trip);
    // Infinity is not JSON: stored as null instead of failing the batch.
    expect(all[2]?.details.periodEnd).toBeNull();
    expect((await events.list({ kinds: ['breaker_trip', 'rate_limited'] })).map((e) => e.id)).toEqual(['e3', 'e2']);
    expect((await events.list({ name: 'team-monthly' })).map((e) => e.id)).toEqual(['e1']);
    expect((await events.list({ since: t0 + 1_000, until: t0 + 2_000 })).map((e) => e.id)).toEqual(['e2']);
    expect((await events.list({ limit: 1 })).map((e) => e.id)).toEqual(['e3']);
    expect(await events.list({ kinds: [] })).toEqual([]);
    await stores.close();
  });

  it('ignores an id appended twice and writes a batch all or nothing', async () => {
    const { stores, events } = open();
    await events.append([event({})]);
    await events.append([event({ reason: 'changed' })]);
    expect((await events.list({})).map((e) => e.reason)).toEqual(['reached 70%']);
    const broken = { ...event({ id: 'e9' }), kind: null } as unknown as GovernanceEvent;
    await expect(events.append([event({ id: 'e8' }), broken])).rejects.toThrow(/NOT NULL/);
    expect((await events.list({})).map((e) => e.id)).toEqual(['e1']);
    await stores.close();
  });

  it('answers whether an alert key was stored since a time', async () => {
    const { stores, events } = open();
    await events.append([event({}), event({ id: 'e2', kind: 'budget_blocked', details: { alertKey: 'blocked-key' } })]);
    const key = 'team-monthly|team=search|1|0.7|usd';
    expect(await events.alertFired({ name: 'team-monthly', alertKey: key, since: t0 })).toBe(true);
    expect(await events.alertFired({ name: 'team-monthly', alertKey: key, since: t0 + 1 })).toBe(false);
    expect(await events.alertFired({ name: 'other', alertKey: key, since: 0 })).toBe(false);
    expect(await events.alertFired({ name: 'team-monthly', alertKey: 'team-monthly|team=search|1|0.9|usd', since: 0 })).toBe(false);
    // Only alert kinds are fired markers.
    expect(await events.alertFired({ name: 'team-monthly', alertKey: 'blocked-key', since: 0 })).toBe(false);
    await stores.close();
  });

  it('names the column when a stored row is malformed', async () => {
    const { stores, events } = open();
    stores.db.prepare("INSERT INTO events (id, at, kind, name, reason, details) VALUES ('bad', 1, 'budget_alert', 'b', 'r', '{oops')").run();
    await expect(events.list({})).rejects.toThrow(/details: not valid JSON/);
    await stores.close();
  });
});

describe('budget overrides', () => {
  it('sets, replaces and clears limits; records resets per scope', () => {
    const { stores } = open();
    setBudgetOverride(stores.db, { name: 'team-monthly', limitUsd: 50, limitTokens: null, updatedAt: t0 });
    setBudgetOverride(stores.db, { name: 'team-monthly', limitUsd: 80, limitTokens: 1_000, updatedAt: t0 + 1 });
    resetBudget(stores.db, { name: 'team-monthly', scope: 'team=search', resetAt: t0 + 5 });
    resetBudget(stores.db, { name: 'team-monthly', scope: '', resetAt: t0 + 2 });
    resetBudget(stores.db, { name: 'team-monthly', scope: '', resetAt: t0 + 3 });
    const overrides = loadBudgetOverrides(stores.db);
    expect(overrides).toEqual({
      limits: [{ name: 'team-monthly', limitUsd: 80, limitTokens: 1_000, updatedAt: t0 + 1 }],
      resets: [
        { name: 'team-monthly', scope: '', resetAt: t0 + 3 },
        { name: 'team-monthly', scope: 'team=search', resetAt: t0 + 5 },
      ],
    });
    expect(spendStart(overrides, { name: 'team-monthly', scope: 'team=search', periodStart: t0 })).toBe(t0 + 5);
    expect(spendStart(overrides, { name: 'team-monthly', scope: 'team=ads', periodStart: t0 })).toBe(t0 + 3);
    // A reset before the period started does not matter any more.
    expect(spendStart(overrides, { name: 'team-monthly', scope: 'team=ads', periodStart: t0 + 10 })).toBe(t0 + 10);
    expect(spendStart(overrides, { name: 'other', scope: '', periodStart: t0 })).toBe(t0);
    expect(clearBudgetOverride(stores.db, 'team-monthly')).toBe(true);
    expect(clearBudgetOverride(stores.db, 'team-monthly')).toBe(false);
    expect(loadBudgetOverrides(stores.db).limits).toEqual([]);
    void stores.close();
  });
});
