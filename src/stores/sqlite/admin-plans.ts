/**
 * Plans and the customer -> plan mapping (tables of migration 0008). `seedPlans` copies jevons.yaml's `plans:` and
 * `customers:` in at start: rows that came from the file are replaced, rows changed or deleted through the admin API
 * (source 'api') are left alone, so the table wins once the API touched a plan or a customer.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { factsSql, splitRange } from './rollups.js';

export interface Plan {
  name: string;
  monthlyPriceUsd: number;
  includedUsageUsd: number | null;
  source: 'config' | 'api';
  updatedAt: number;
}

export interface CustomerPlan {
  customer: string;
  plan: string;
  source: 'config' | 'api';
  updatedAt: number;
}

const source = z.enum(['config', 'api']);
const planRow = z
  .object({ name: z.string(), monthly_price_usd: z.number(), included_usage_usd: z.number().nullable(), source, updated_at: z.number() })
  .transform((r): Plan => ({ name: r.name, monthlyPriceUsd: r.monthly_price_usd, includedUsageUsd: r.included_usage_usd, source: r.source, updatedAt: r.updated_at }));
const customerRow = z
  .object({ customer: z.string(), plan: z.string(), source, updated_at: z.number() })
  .transform((r): CustomerPlan => ({ customer: r.customer, plan: r.plan, source: r.source, updatedAt: r.updated_at }));

export function seedPlans(db: Database, options: { plans: ReadonlyArray<{ name: string; monthly_price_usd: number; included_usage_usd?: number }>; customers: Readonly<Record<string, string>>; now: number }): void {
  const upsertPlan = db.prepare(
    `INSERT INTO plans (name, monthly_price_usd, included_usage_usd, source, deleted, updated_at) VALUES (@name, @price, @included, 'config', 0, @now)
     ON CONFLICT (name) DO UPDATE SET monthly_price_usd = excluded.monthly_price_usd, included_usage_usd = excluded.included_usage_usd, updated_at = excluded.updated_at
     WHERE plans.source = 'config'`,
  );
  const upsertCustomer = db.prepare(
    `INSERT INTO customer_plans (customer, plan, source, updated_at) VALUES (@customer, @plan, 'config', @now)
     ON CONFLICT (customer) DO UPDATE SET plan = excluded.plan, updated_at = excluded.updated_at WHERE customer_plans.source = 'config'`,
  );
  db.transaction(() => {
    // Entries removed from the file since the last start go too (only those the API never touched).
    db.prepare("DELETE FROM plans WHERE source = 'config' AND name NOT IN (SELECT value FROM json_each(?))").run(JSON.stringify(options.plans.map((plan) => plan.name)));
    db.prepare("DELETE FROM customer_plans WHERE source = 'config' AND customer NOT IN (SELECT value FROM json_each(?))").run(JSON.stringify(Object.keys(options.customers)));
    for (const plan of options.plans) upsertPlan.run({ name: plan.name, price: plan.monthly_price_usd, included: plan.included_usage_usd ?? null, now: options.now });
    for (const [customer, plan] of Object.entries(options.customers)) upsertCustomer.run({ customer, plan, now: options.now });
  })();
}

export function listPlans(db: Database): Plan[] {
  return db
    .prepare('SELECT name, monthly_price_usd, included_usage_usd, source, updated_at FROM plans WHERE deleted = 0 ORDER BY name')
    .all()
    .map((record) => planRow.parse(record));
}

export function findPlan(db: Database, name: string): Plan | null {
  const record = db.prepare('SELECT name, monthly_price_usd, included_usage_usd, source, updated_at FROM plans WHERE deleted = 0 AND name = ?').get(name);
  return record === undefined ? null : planRow.parse(record);
}

export function putPlan(db: Database, plan: { name: string; monthlyPriceUsd: number; includedUsageUsd: number | null; now: number }): Plan {
  db.prepare(
    `INSERT INTO plans (name, monthly_price_usd, included_usage_usd, source, deleted, updated_at) VALUES (@name, @monthlyPriceUsd, @includedUsageUsd, 'api', 0, @now)
     ON CONFLICT (name) DO UPDATE SET monthly_price_usd = excluded.monthly_price_usd, included_usage_usd = excluded.included_usage_usd, source = 'api', deleted = 0, updated_at = excluded.updated_at`,
  ).run(plan);
  return { name: plan.name, monthlyPriceUsd: plan.monthlyPriceUsd, includedUsageUsd: plan.includedUsageUsd, source: 'api', updatedAt: plan.now };
}

/** Marks a plan deleted (a tombstone, so the next start does not seed it back); false when there was none. */
export function deletePlan(db: Database, name: string, now: number): boolean {
  return db.prepare("UPDATE plans SET deleted = 1, source = 'api', updated_at = ? WHERE name = ? AND deleted = 0").run(now, name).changes > 0;
}

/** Customers mapped to a plan (live mappings only). */
export function customersOfPlan(db: Database, plan: string): string[] {
  return db
    .prepare('SELECT customer FROM customer_plans WHERE plan = ? ORDER BY customer')
    .all(plan)
    .map((record) => z.object({ customer: z.string() }).parse(record).customer);
}

export function listCustomerPlans(db: Database): CustomerPlan[] {
  return db
    .prepare('SELECT customer, plan, source, updated_at FROM customer_plans WHERE plan IS NOT NULL ORDER BY customer')
    .all()
    .map((record) => customerRow.parse(record));
}

/** Maps a customer to a plan, or (plan null) removes the mapping, keeping a tombstone so the file does not re-seed it. */
export function putCustomerPlan(db: Database, mapping: { customer: string; plan: string | null; now: number }): void {
  db.prepare(
    `INSERT INTO customer_plans (customer, plan, source, updated_at) VALUES (@customer, @plan, 'api', @now)
     ON CONFLICT (customer) DO UPDATE SET plan = excluded.plan, source = 'api', updated_at = excluded.updated_at`,
  ).run(mapping);
}

const seenRow = z.object({ customer: z.string(), requests: z.number(), costUsd: z.number() });

/** Customers with ledger rows in [since, until), with their spend: the ones without a plan show up here. */
export function customersSeen(db: Database, range: { since: number; until: number }): Array<z.output<typeof seenRow>> {
  const split = splitRange(range.since, range.until);
  const sql = split === null
    ? `SELECT customer, SUM(attempt = 1) AS requests, TOTAL(cost_total_usd) AS costUsd FROM ledger
       WHERE started_at >= @since AND started_at < @until AND customer IS NOT NULL GROUP BY customer ORDER BY customer`
    : `SELECT customer, SUM(requests) AS requests, TOTAL(cost_total_usd) AS costUsd FROM ${factsSql(split, ['customer'])}
       WHERE customer IS NOT NULL GROUP BY customer ORDER BY customer`;
  return db
    .prepare(sql)
    .all(range)
    .map((record) => seenRow.parse(record));
}
