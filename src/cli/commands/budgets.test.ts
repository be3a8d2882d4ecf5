import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import type { GovernanceEvent } from '../../spec/governance.js';
import { day0, ledgerRow } from '../../stores/sqlite/__fixtures__/ledger-rows.js';
import { createSqliteEventStore } from '../../stores/sqlite/event-store.js';
import { loadBudgetOverrides } from '../../stores/sqlite/budget-overrides.js';
import { openSqliteStores } from '../../stores/sqlite/index.js';
import type { BudgetListEntry } from '../../server/governance/budget-list.js';
import { registerBudgetsCommand } from './budgets.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-budgets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2026-11-11T05:00:00Z. */
const now = day0 + 10 * DAY + 5 * HOUR;
/** Each fixture row: $0.0077875 and 1,734 tokens. */
const ROW_USD = 0.0077875;

const config = `
budgets:
  - { name: team-monthly, scope: { team: "*" }, period: monthly, timezone: Europe/Paris, limit_usd: 0.02 }
  - { name: global-daily, period: daily, limit_usd: 1, limit_tokens: 10000, action: shadow }
  - { name: growth-lifetime, scope: { team: growth }, period: lifetime, limit_usd: 5 }
  - { name: per-env, scope: { tags: { env: "*" } }, period: rolling, window: 1h, limit_tokens: 5000, action: cap, cap_max_tokens: 100 }
  - { name: quiet-user, scope: { user: "*" , team: nobody }, period: weekly, limit_usd: 1 }
`;

let fileNumber = 0;
async function setup() {
  const base = join(dir, `case-${++fileNumber}`);
  const db = `${base}.db`;
  const yaml = `${base}.yaml`;
  writeFileSync(yaml, config);
  const stores = openSqliteStores({ path: db });
  await stores.ledger.append([
    // 23:30 UTC on Oct 31 is already November in Paris: in the Paris month, not in the UTC day.
    ledgerRow({ id: 'paris-november', startedAt: day0 - 30 * 60_000, attribution: { team: 'growth' } }),
    ledgerRow({ id: 'october', startedAt: day0 - 2 * DAY, attribution: { team: 'growth' } }),
    ledgerRow({ id: 'g1', startedAt: now - 4 * HOUR, attribution: { team: 'growth' } }),
    ledgerRow({ id: 'g2', startedAt: now - 30 * 60_000, attribution: { team: 'growth', tags: { env: 'staging' } } }),
    ledgerRow({ id: 's1', startedAt: now - 2 * HOUR, attribution: { team: 'search' } }),
    ledgerRow({ id: 'unpriced', startedAt: now - 3 * HOUR, attribution: { team: 'search' }, costTotalUsd: null, priceRef: null }),
  ]);
  const alert = (id: string, threshold: number, at: number): GovernanceEvent => ({
    id, at, kind: 'budget_alert', name: 'team-monthly', scope: 'team=growth', session: null, requestId: null, reason: 'r', costUsd: 0.015,
    details: { alertKey: `k${id}`, threshold, unit: 'usd' },
  });
  await createSqliteEventStore(stores.db).append([alert('old', 0.9, day0 - 2 * DAY), alert('a1', 0.7, now - 4 * HOUR), alert('a2', 0.9, now - HOUR)]);
  await stores.close();
  return { db, yaml };
}

async function run(args: string[], at = now): Promise<string> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  const out: string[] = [];
  registerBudgetsCommand(program, { env: {}, print: (text) => out.push(text), now: () => at });
  await program.parseAsync(['budgets', ...args], { from: 'user' });
  return out.join('\n');
}

const listJson = async (db: string, yaml: string): Promise<BudgetListEntry[]> => JSON.parse(await run(['list', '--json', '-c', yaml, '--db', db])) as BudgetListEntry[];
const byScope = (entries: BudgetListEntry[], budget: string) => new Map(entries.filter((e) => e.budget === budget).map((e) => [e.scope, e]));

describe('jevons budgets list', () => {
  it('shows each budget and scope value with spend this period, remaining, period and alerts fired', async () => {
    const { db, yaml } = await setup();
    const entries = await listJson(db, yaml);
    const team = byScope(entries, 'team-monthly');
    expect([...team.keys()]).toEqual(['team=growth', 'team=search']);
    const parisStart = Date.UTC(2026, 9, 31, 23);
    expect(team.get('team=growth')).toEqual({
      budget: 'team-monthly', scope: 'team=growth', period: 'monthly', timezone: 'Europe/Paris',
      periodStart: parisStart, periodEnd: Date.UTC(2026, 10, 30, 23), countedFrom: parisStart,
      limitUsd: 0.02, limitTokens: null, overridden: false,
      spentUsd: 3 * ROW_USD, spentTokens: 3 * 1_734, remainingUsd: 0, remainingTokens: null, unpricedRows: 0,
      action: 'block', alertsFired: ['70%', '90%'],
    });
    expect(team.get('team=search')).toMatchObject({ spentUsd: ROW_USD, spentTokens: 2 * 1_734, unpricedRows: 1, remainingUsd: 0.02 - ROW_USD, alertsFired: [] });

    // UTC day: the Paris-November row is yesterday.
    expect(byScope(entries, 'global-daily').get('')).toMatchObject({ spentUsd: 3 * ROW_USD, spentTokens: 4 * 1_734, remainingTokens: 10_000 - 4 * 1_734, periodStart: day0 + 10 * DAY, action: 'shadow' });
    // Lifetime: every growth row, October included.
    expect(byScope(entries, 'growth-lifetime').get('team=growth')).toMatchObject({ spentUsd: 4 * ROW_USD, periodStart: 0, periodEnd: null });
    // Rolling hour: only g2 (env staging); the other rows are older than an hour.
    expect([...byScope(entries, 'per-env').entries()].map(([scope, e]) => [scope, e.spentTokens])).toEqual([['tag.env=staging', 1_734]]);
    // A `*` budget without traffic yet.
    expect(byScope(entries, 'quiet-user').get(null)).toMatchObject({ spentUsd: 0, alertsFired: [] });
  });

  it('prints a table with the reset time in the budget time zone', async () => {
    const { db, yaml } = await setup();
    const text = await run(['list', '-c', yaml, '--db', db]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^budget +scope +limit +spent +remaining +period +resets +action +alerts fired$/);
    expect(text).toMatch(/team-monthly +team=growth +\$0\.0200 +\$0\.0234 +\$0 +2026-11-01 00:00 → 2026-12-01 00:00 +2026-12-01 00:00 Europe\/Paris +block +70%, 90%/);
    expect(text).toMatch(/team-monthly +team=search +\$0\.0200 +\$0\.007788 \+1 unpriced +\$0\.0122/);
    expect(text).toMatch(/global-daily +global +\$1\.0000 \/ 10,000 tok +\$0\.0234 \/ 6,936 tok/);
    expect(text).toMatch(/growth-lifetime +team=growth .* lifetime +never +block/);
    expect(text).toMatch(/per-env +tag\.env=staging .* rolling, since 2026-11-11 04:00 UTC +rolling +cap/);
    expect(text).toMatch(/quiet-user +\(no traffic yet\)/);
  });
});

describe('jevons budgets set and reset', () => {
  it('overrides a limit until cleared', async () => {
    const { db, yaml } = await setup();
    const text = await run(['set', 'team-monthly', '--limit-usd', '0.5', '-c', yaml, '--db', db]);
    expect(text).toContain('Budget team-monthly: limit $0.5000 (configured: $0.0200)');
    expect(text).toContain('within 2 s');
    const entry = byScope(await listJson(db, yaml), 'team-monthly').get('team=growth');
    expect(entry).toMatchObject({ limitUsd: 0.5, overridden: true, remainingUsd: 0.5 - 3 * ROW_USD });
    expect(await run(['list', '-c', yaml, '--db', db])).toMatch(/team-monthly +team=growth +\$0\.5000 \(set\)/);
    await run(['set', 'global-daily', '--limit-tokens', '20000', '-c', yaml, '--db', db]);
    expect(byScope(await listJson(db, yaml), 'global-daily').get('')).toMatchObject({ limitUsd: 1, limitTokens: 20_000 });
    expect(await run(['set', 'team-monthly', '--clear', '-c', yaml, '--db', db])).toContain('override removed');
    expect(byScope(await listJson(db, yaml), 'team-monthly').get('team=growth')).toMatchObject({ limitUsd: 0.02, overridden: false });
  });

  it('rejects unknown budgets and bad values, naming what is wrong', async () => {
    const { db, yaml } = await setup();
    await expect(run(['set', 'nope', '--limit-usd', '1', '-c', yaml, '--db', db])).rejects.toThrow(
      `no budget named "nope" in ${yaml} (budgets: team-monthly, global-daily, growth-lifetime, per-env, quiet-user)`,
    );
    await expect(run(['set', 'team-monthly', '--limit-usd', 'ten', '-c', yaml, '--db', db])).rejects.toThrow('--limit-usd: expected a positive number, got "ten"');
    await expect(run(['set', 'team-monthly', '--limit-tokens', '1.5', '-c', yaml, '--db', db])).rejects.toThrow('--limit-tokens: expected a positive whole number, got "1.5"');
    await expect(run(['set', 'team-monthly', '-c', yaml, '--db', db])).rejects.toThrow('give --limit-usd, --limit-tokens (or both), or --clear');
    await expect(run(['reset', 'team-monthly', '--scope', 'user=u-1', '-c', yaml, '--db', db])).rejects.toThrow('--scope: budget team-monthly is not scoped by "user" (its scope: team=*)');
    await expect(run(['reset', 'team-monthly', '--scope', 'team', '-c', yaml, '--db', db])).rejects.toThrow('--scope: expected dimension=value (e.g. team=search), got "team"');
    await expect(run(['reset', 'growth-lifetime', '--scope', 'team=search', '-c', yaml, '--db', db])).rejects.toThrow('--scope: budget growth-lifetime only covers team=growth, not "search"');
    await expect(run(['reset', 'quiet-user', '--scope', 'user=u-1', '-c', yaml, '--db', db])).rejects.toThrow('--scope: give a value for team too');
    const stores = openSqliteStores({ path: db });
    expect(loadBudgetOverrides(stores.db)).toEqual({ limits: [], resets: [] });
    await stores.close();
  });

  it('counts spend from the reset on, for one scope value or all', async () => {
    const { db, yaml } = await setup();
    const resetAt = now - HOUR;
    expect(await run(['reset', 'team-monthly', '--scope', 'team=growth', '-c', yaml, '--db', db], resetAt)).toContain(
      'Budget team-monthly (team=growth): spend counts from 2026-11-11 05:00 Europe/Paris',
    );
    let team = byScope(await listJson(db, yaml), 'team-monthly');
    // Only g2 (30 minutes ago) is after the reset; search is untouched.
    expect(team.get('team=growth')).toMatchObject({ spentUsd: ROW_USD, countedFrom: resetAt });
    expect(team.get('team=search')).toMatchObject({ spentUsd: ROW_USD, countedFrom: Date.UTC(2026, 9, 31, 23) });
    expect(await run(['list', '-c', yaml, '--db', db])).toContain('(since reset 2026-11-11 05:00 Europe/Paris)');
    await run(['reset', 'team-monthly', '-c', yaml, '--db', db], now);
    team = byScope(await listJson(db, yaml), 'team-monthly');
    expect([...team.values()].map((e) => [e.scope, e.spentUsd, e.countedFrom])).toEqual([
      ['team=growth', 0, now],
      ['team=search', 0, now],
    ]);
  });
});
