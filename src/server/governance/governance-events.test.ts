import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import { openSqliteStores } from '../../stores/sqlite/open-sqlite-stores.js';
import { createGovernanceEvents } from './governance-events.js';

const budget: BudgetConfig = { name: 'global-daily', scope: {}, period: 'daily', timezone: 'UTC', limit_usd: 10, action: 'block', alerts: [0.7], forecast_alert: false };
const day = Date.UTC(2026, 0, 5);
const update = (spentUsd: number) => ({ budget: 'global-daily', scope: '', periodStart: day, periodEnd: day + 86_400_000, spentUsd, spentTokens: 0, limitUsd: 10, limitTokens: null, at: day + 3_600_000 });
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('governance events', () => {
  it('stores an alert, delivers it to the webhook, and does not fire it again after a restart', async () => {
    const bodies: unknown[] = [];
    const server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => {
        bodies.push(JSON.parse(text));
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const stores = openSqliteStores({ path: ':memory:' });
    let id = 0;
    const start = () =>
      createGovernanceEvents({ db: stores.db, budgets: [budget], webhooks: [{ url, format: 'slack', timeout_ms: 2_000 }], env: {}, logger: quiet, now: () => day, newId: () => `ev-${++id}` });
    try {
      const first = start();
      first.onSpend(update(8));
      await first.close();
      const second = start();
      second.onSpend(update(9));
      await second.close();
      const stored = await first.store.list({});
      expect(stored.map((event) => [event.id, event.kind, event.details.threshold])).toEqual([['ev-1', 'budget_alert', 0.7]]);
      expect(first.recent().map((event) => event.id)).toEqual(['ev-1']);
      await expect.poll(() => bodies.length).toBe(1);
      expect(bodies[0]).toMatchObject({ text: expect.stringContaining('Budget alert: budget global-daily reached 70%') as string });
    } finally {
      await stores.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
