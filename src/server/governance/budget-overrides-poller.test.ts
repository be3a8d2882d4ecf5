import { afterEach, describe, expect, it } from 'vitest';
import type { BudgetOverrides } from '../../stores/sqlite/budget-overrides.js';
import { resetBudget, setBudgetOverride } from '../../stores/sqlite/budget-overrides.js';
import { openSqliteStores, type SqliteStores } from '../../stores/sqlite/open-sqlite-stores.js';
import { startBudgetOverridesPoller } from './budget-overrides-poller.js';

let stores: SqliteStores | null = null;
afterEach(async () => {
  await stores?.close();
  stores = null;
});

describe('budget overrides poller', () => {
  it('reports the overrides at start and again only when they change', () => {
    stores = openSqliteStores({ path: ':memory:' });
    const seen: BudgetOverrides[] = [];
    const errors: string[] = [];
    const poller = startBudgetOverridesPoller({ db: stores.db, onChange: (o) => seen.push(o), logger: { info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) }, intervalMs: 60_000 });
    expect(seen).toEqual([{ limits: [], resets: [] }]);
    expect(poller.poll()).toBe(false);
    setBudgetOverride(stores.db, { name: 'b', limitUsd: 5, limitTokens: null, updatedAt: 1 });
    resetBudget(stores.db, { name: 'b', scope: '', resetAt: 2 });
    expect(poller.poll()).toBe(true);
    expect(seen.at(-1)).toEqual({ limits: [{ name: 'b', limitUsd: 5, limitTokens: null, updatedAt: 1 }], resets: [{ name: 'b', scope: '', resetAt: 2 }] });
    expect(poller.poll()).toBe(false);
    stores.db.exec('DROP TABLE budget_resets');
    expect(poller.poll()).toBe(false);
    expect(errors).toEqual(['budget overrides could not be read']);
    poller.stop();
  });
});
