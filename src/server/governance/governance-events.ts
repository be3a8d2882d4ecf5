/**
 * The governance event plumbing of the gateway in one place: the SQLite event store, the recorder every policy's
 * `recordEvent` goes through (log + recent ring + batched store writes), webhook delivery of alerts, and the budget
 * alerts fed by the budget policy's `onSpend`. The composition root (server/main.ts) creates it once and closes it
 * before the database.
 */
import type { Database } from 'better-sqlite3';
import type { Dispatcher } from 'undici';
import { createBudgetAlerts } from '../../policies/budgets/budget-alerts.js';
import type { BudgetConfig, WebhookConfig } from '../../spec/config/governance-schema.js';
import type { Environment } from '../../spec/config/load-config.js';
import type { BudgetSpendUpdate, GovernanceEvent } from '../../spec/governance.js';
import type { EventStore } from '../../spec/ports.js';
import { createSqliteEventStore } from '../../stores/sqlite/event-store.js';
import type { Logger } from '../logger.js';
import { createEventRecorder } from './event-recorder.js';
import { createWebhookDelivery } from './webhooks.js';

export interface GovernanceEventsOptions {
  db: Database;
  budgets: readonly BudgetConfig[];
  webhooks: readonly WebhookConfig[];
  env: Environment;
  logger: Logger;
  now: () => number;
  newId: () => string;
  dispatcher?: Dispatcher;
  /** Passed to the recorder; default 100 ms. */
  flushMs?: number;
}

export interface GovernanceEvents {
  store: EventStore;
  /** For every policy's `recordEvent`: never throws. */
  recordEvent(event: GovernanceEvent): void;
  /** For the budget policy's `onSpend`: threshold and forecast alerts, stored and delivered to the webhooks. */
  onSpend(update: BudgetSpendUpdate): void;
  /** The most recent events, newest first (admin API). */
  recent(limit?: number): GovernanceEvent[];
  /** Finishes pending alert lookups and writes queued events; webhook POSTs still in flight are not awaited. */
  close(): Promise<void>;
}

export function createGovernanceEvents(options: GovernanceEventsOptions): GovernanceEvents {
  const store = createSqliteEventStore(options.db);
  const recorder = createEventRecorder({ store, logger: options.logger, flushMs: options.flushMs });
  const deliver = createWebhookDelivery({ webhooks: options.webhooks, env: options.env, logger: options.logger, dispatcher: options.dispatcher });
  const alerts = createBudgetAlerts({ budgets: options.budgets, recordEvent: recorder.record, deliver, logger: options.logger, now: options.now, newId: options.newId, fired: store });
  return {
    store,
    recordEvent: recorder.record,
    onSpend: alerts.onSpend,
    recent: recorder.recent,
    async close() {
      await alerts.idle();
      await recorder.close();
    },
  };
}
