import { describe, expect, it } from 'vitest';
import type { GovernanceEvent } from '../../spec/governance.js';
import { createBudgetAlerts } from '../../policies/budgets/budget-alerts.js';
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import { createSqliteEventStore } from '../../stores/sqlite/event-store.js';
import { openSqliteStores } from '../../stores/sqlite/open-sqlite-stores.js';
import { createEventRecorder } from './event-recorder.js';

const event = (id: string): GovernanceEvent => ({ id, at: 1_000, kind: 'rate_limited', name: 'rpm', scope: 'key=k1', session: null, requestId: `r-${id}`, reason: `refused ${id}`, costUsd: null, details: {} });

function logs() {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('event recorder', () => {
  it('logs each event, batches the writes, and keeps the recent ones newest first', async () => {
    const batches: number[] = [];
    const { logger, lines } = logs();
    const recorder = createEventRecorder({ store: { append: async (events) => void batches.push(events.length) }, logger, flushMs: 10, recentSize: 3 });
    for (const id of ['a', 'b', 'c', 'd']) recorder.record(event(id));
    expect(batches).toEqual([]);
    // One batch for the four, written by the timer (no flush called).
    await expect.poll(() => batches, { timeout: 2_000 }).toEqual([4]);
    expect(lines).toEqual(['warn refused a', 'warn refused b', 'warn refused c', 'warn refused d']);
    expect(recorder.recent().map((e) => e.id)).toEqual(['d', 'c', 'b']);
    expect(recorder.recent(1).map((e) => e.id)).toEqual(['d']);
    await recorder.close();
  });

  it('flushes at maxBatch, never throws, and logs a failing store', async () => {
    const { logger, lines } = logs();
    let fail = true;
    const stored: string[] = [];
    const recorder = createEventRecorder({
      store: {
        append: async (events) => {
          if (fail) throw new Error('SQLITE_BUSY');
          stored.push(...events.map((e) => e.id));
        },
      },
      logger,
      flushMs: 60_000,
      maxBatch: 2,
      maxQueued: 3,
    });
    expect(() => recorder.record(event('a'))).not.toThrow();
    recorder.record(event('b')); // maxBatch reached: written now, and it fails
    await recorder.flush();
    expect(lines.at(-1)).toBe('error governance events could not be stored');
    fail = false;
    recorder.record(event('c'));
    await recorder.close();
    expect(stored).toEqual(['c']);
    recorder.record(event('after-close'));
    await recorder.flush();
    expect(stored).toEqual(['c']);
  });
});

describe('event recorder backlog', () => {
  it('drops events past maxQueued and says how many at the next flush', async () => {
    const { logger, lines } = logs();
    const stored: string[] = [];
    const recorder = createEventRecorder({ store: { append: async (events) => void stored.push(...events.map((e) => e.id)) }, logger, flushMs: 60_000, maxQueued: 2 });
    for (const id of ['a', 'b', 'c']) recorder.record(event(id));
    await recorder.close();
    expect(stored).toEqual(['a', 'b']);
    expect(lines.at(-1)).toBe('error governance events dropped: the event store is not keeping up');
  });
});

describe('budget alerts over the sqlite event store', () => {
  const budget: BudgetConfig = { name: 'global-daily', scope: {}, period: 'daily', timezone: 'UTC', limit_usd: 10, action: 'block', alerts: [0.5, 0.8], forecast_alert: false };
  const day = Date.UTC(2026, 0, 5);
  const update = (spentUsd: number) => ({ budget: 'global-daily', scope: '', periodStart: day, periodEnd: day + 86_400_000, spentUsd, spentTokens: 0, limitUsd: 10, limitTokens: null, at: day + 3_600_000 });

  it('does not re-fire a threshold after a restart in the same period', async () => {
    const stores = openSqliteStores({ path: ':memory:' });
    const store = createSqliteEventStore(stores.db);
    let id = 0;
    const start = () => {
      const { logger } = logs();
      const recorder = createEventRecorder({ store, logger });
      const alerts = createBudgetAlerts({ budgets: [budget], recordEvent: recorder.record, deliver: () => undefined, logger, now: () => day, newId: () => `ev-${++id}`, fired: store });
      return { alerts, recorder };
    };
    const first = start();
    first.alerts.onSpend(update(6));
    await first.alerts.idle();
    await first.recorder.close();

    const second = start();
    second.alerts.onSpend(update(7));
    second.alerts.onSpend(update(9));
    await second.alerts.idle();
    await second.recorder.close();

    const stored = await store.list({ kinds: ['budget_alert'] });
    expect(stored.map((e) => e.details.threshold)).toEqual([0.8, 0.5]);
    await stores.close();
  });
});
