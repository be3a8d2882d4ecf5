import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ledgerRow } from './__fixtures__/ledger-rows.js';
import { DatabaseTooNewError, migrate } from './migrate.js';
import { migrations } from './migrations/index.js';
import { openSqliteStores } from './open-sqlite-stores.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const latest = migrations.at(-1)?.version ?? 0;

function inspect(path: string) {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }),
      journal: db.pragma('journal_mode', { simple: true }),
      objects: db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all(),
    };
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('create the schema in a fresh file (and its missing parent directories) in WAL mode', async () => {
    const path = join(dir, 'nested', 'deeper', 'fresh.db');
    const stores = openSqliteStores({ path });
    await stores.close();
    const state = inspect(path);
    expect(state.version).toBe(latest);
    expect(state.journal).toBe('wal');
    expect(state.objects).toEqual([
      'budget_overrides',
      'budget_resets',
      'cache_breaker_findings', // 0007-cache-diagnosis
      'cache_shadow_hits', // 0006-semantic-cache
      'cache_shadow_hits_at',
      'customer_plans', // 0008-plans
      'events',
      'events_at',
      'events_kind_name',
      'keys',
      'ledger',
      'ledger_daily_customers', // 0012-customer-rollups
      'ledger_hourly_customers', // 0012-customer-rollups
      'ledger_hourly_features', // 0011-rollups
      'ledger_hourly_sessions', // 0012-customer-rollups
      'ledger_hourly_sessions_customer',
      'ledger_request_id',
      'ledger_route_tier', // 0010-routing
      'ledger_routed', // 0013-routing-baseline
      'ledger_session_id', // 0012-customer-rollups
      'ledger_started_at',
      'outcomes', // 0009-outcomes
      'outcomes_request_id',
      'outcomes_session_id',
      'plans', // 0008-plans
      'semantic_cache_entries', // 0006-semantic-cache
    ]);
  });

  it('leave an up-to-date file alone on re-open, keeping its rows', async () => {
    const path = join(dir, 'reopen.db');
    const first = openSqliteStores({ path });
    await first.ledger.append([ledgerRow()]);
    await first.close();
    const second = openSqliteStores({ path });
    expect(await second.ledger.recent(10)).toEqual([ledgerRow()]);
    await second.close();
    expect(inspect(path).version).toBe(latest);
  });

  it('upgrade an older file to the latest version', async () => {
    const path = join(dir, 'old.db');
    const db = new BetterSqlite3(path);
    expect(migrate({ db, path, migrations: migrations.slice(0, 1) })).toBe(1);
    db.close();
    const stores = openSqliteStores({ path });
    await stores.close();
    expect(inspect(path).version).toBe(latest);
  });

  it('refuse a file written by a newer version, without touching it', () => {
    const path = join(dir, 'newer.db');
    const db = new BetterSqlite3(path);
    db.pragma(`user_version = ${latest + 5}`);
    db.close();
    expect(() => openSqliteStores({ path })).toThrow(DatabaseTooNewError);
    expect(() => openSqliteStores({ path })).toThrow(/schema version \d+ was written by a newer version of Jevons/);
    expect(inspect(path)).toMatchObject({ version: latest + 5, objects: [] });
  });

  it('roll back every pending migration when one fails', () => {
    const path = join(dir, 'broken.db');
    const db = new BetterSqlite3(path);
    const broken = [...migrations, { version: latest + 1, name: 'broken', sql: 'CREATE TABLE x (a); THIS IS NOT SQL;' }];
    expect(() => migrate({ db, path, migrations: broken })).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'ledger'").pluck().get()).toBe(0);
    db.close();
  });

  it('work on a private in-memory database', async () => {
    const stores = openSqliteStores({ path: ':memory:' });
    await stores.ledger.append([ledgerRow()]);
    expect(await stores.ledger.byRequest('req-1')).toEqual([ledgerRow()]);
    await stores.close();
    await stores.close();
  });
});
