/**
 * Budgets and keys. GET /budgets is what `jevons budgets list --json` computes (server/governance/budget-list.ts);
 * PUT /budgets/{name} and POST /budgets/{name}/reset write the same override and reset rows as `jevons budgets set|reset`
 * (a running gateway applies them at its next poll, within 2 s). Keys are created with createKey, as the CLI does (the secret
 * is returned once and only its hash is stored) and revoked through the KeyStore.
 */
import { z } from 'zod';
import { listBudgets, localTime, parseBudgetScope, type BudgetListEntry } from '../governance/budget-list.js';
import { createKey } from '../virtual-keys.js';
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import type { VirtualKey } from '../../spec/ports.js';
import { resetBudget, setBudgetOverride } from '../../stores/sqlite/budget-overrides.js';
import { AdminError } from './admin-error.js';
import { encodeCursor, readJsonBody } from './admin-params.js';
import { arr, bool, cursorParam, int, limitParam, nullable, num, obj, page, ref, str, type AdminContext, type AdminRoute } from './admin-route.js';

const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());

function budgetJson(entry: BudgetListEntry): Record<string, unknown> {
  return {
    budget: entry.budget,
    scope: entry.scope,
    period: entry.period,
    timezone: entry.timezone,
    period_start: iso(entry.periodStart),
    period_end: iso(entry.periodEnd),
    counted_from: iso(entry.countedFrom),
    limit_usd: entry.limitUsd,
    limit_tokens: entry.limitTokens,
    overridden: entry.overridden,
    spent_usd: entry.spentUsd,
    spent_tokens: entry.spentTokens,
    remaining_usd: entry.remainingUsd,
    remaining_tokens: entry.remainingTokens,
    utilisation: entry.limitUsd !== null && entry.limitUsd > 0 ? entry.spentUsd / entry.limitUsd : entry.limitTokens !== null && entry.limitTokens > 0 ? entry.spentTokens / entry.limitTokens : null,
    unpriced_rows: entry.unpricedRows,
    action: entry.action,
    alerts_fired: entry.alertsFired,
  };
}

function findBudget(context: AdminContext): BudgetConfig {
  const name = context.path.name ?? '';
  const budget = context.deps.budgets.find((candidate) => candidate.name === name);
  if (budget === undefined) {
    const known = context.deps.budgets.map((candidate) => candidate.name);
    throw new AdminError({ code: 'not_found', param: 'name', message: `name: no budget named ${JSON.stringify(name)} (budgets: ${known.join(', ') || 'none configured'})` });
  }
  return budget;
}

/** Offset paging over a list computed in memory (budgets, keys, plans, customers: small lists). */
export function pageOf<T>(items: readonly T[], context: AdminContext): { data: T[]; next_cursor: string | null } {
  const limit = context.query.limit();
  const offset = context.query.cursor(z.object({ o: z.number().int().nonnegative() }))?.o ?? 0;
  return { data: items.slice(offset, offset + limit), next_cursor: offset + limit < items.length ? encodeCursor({ o: offset + limit }) : null };
}

const budgetEntries = async (context: AdminContext, budgets: readonly BudgetConfig[]) => (await listBudgets({ db: context.deps.db, budgets, now: context.now })).map(budgetJson);

const positive = z.number().positive();
const overrideBody = z
  .object({ limit_usd: positive.nullable().optional(), limit_tokens: positive.int().nullable().optional() })
  .strict()
  .refine((body) => body.limit_usd != null || body.limit_tokens != null, { message: 'give limit_usd, limit_tokens or both (positive numbers)', path: ['limit_usd'] });

async function putBudget(context: AdminContext): Promise<unknown> {
  const budget = findBudget(context);
  const body = await readJsonBody(context.request, overrideBody, context.deps.maxBodyBytes);
  setBudgetOverride(context.deps.db, { name: budget.name, limitUsd: body.limit_usd ?? null, limitTokens: body.limit_tokens ?? null, updatedAt: context.now });
  return { data: await budgetEntries(context, [budget]) };
}

async function resetBudgetRoute(context: AdminContext): Promise<unknown> {
  const budget = findBudget(context);
  const body = await readJsonBody(context.request, z.object({ scope: z.string().min(1).optional() }).strict(), context.deps.maxBodyBytes);
  let scope = '';
  if (body.scope !== undefined) {
    try {
      scope = parseBudgetScope(budget, body.scope);
    } catch (error) {
      throw new AdminError({ code: 'invalid_body', param: 'scope', message: `scope: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  resetBudget(context.deps.db, { name: budget.name, scope, resetAt: context.now });
  return { budget: budget.name, scope, counted_from: new Date(context.now).toISOString(), counted_from_local: localTime(context.now, budget.timezone), data: await budgetEntries(context, [budget]) };
}

function keyJson(key: VirtualKey): Record<string, unknown> {
  return { id: key.id, name: key.name, prefix: key.prefix, team: key.defaults.team, app: key.defaults.app, feature: key.defaults.feature, customer: key.defaults.customer, created_at: new Date(key.createdAt).toISOString(), revoked_at: iso(key.revokedAt), status: key.revokedAt === null ? 'active' : 'revoked' };
}

const attributionText = z.string().min(1).max(200).optional();
const keyBody = z.object({ name: z.string().min(1).max(200), team: attributionText, app: attributionText, feature: attributionText, customer: attributionText }).strict();

async function createKeyRoute(context: AdminContext): Promise<unknown> {
  const input = await readJsonBody(context.request, keyBody, context.deps.maxBodyBytes);
  const { key, secret } = await createKey({ keys: context.deps.keys, input, now: context.now });
  return { key: keyJson(key), secret };
}

async function revokeKey(context: AdminContext): Promise<unknown> {
  const id = context.path.id ?? '';
  if (!(await context.deps.keys.revoke(id, context.now))) throw new AdminError({ code: 'not_found', param: 'id', message: `id: no active key with id ${JSON.stringify(id)}` });
  const key = (await context.deps.keys.list()).find((candidate) => candidate.id === id);
  return { key: key === undefined ? { id } : keyJson(key) };
}

const budgetSchema = obj({
  budget: str(), scope: nullable(str('team=search; "" for a global budget; null: a `*` budget with no traffic this period.')), period: str(), timezone: str(),
  period_start: str(), period_end: nullable(str()), counted_from: str('Period start, or a later reset.'), limit_usd: nullable(num()), limit_tokens: nullable(int()), overridden: bool('Limits set through PUT /budgets/{name} or `jevons budgets set`.'),
  spent_usd: num(), spent_tokens: int(), remaining_usd: nullable(num()), remaining_tokens: nullable(int()), utilisation: nullable(num('spent / limit (USD first).')), unpriced_rows: int(), action: str(), alerts_fired: arr(str()),
});
const keySchema = obj({ id: str(), name: str(), prefix: str(), team: nullable(str()), app: nullable(str()), feature: nullable(str()), customer: nullable(str()), created_at: str(), revoked_at: nullable(str()), status: { type: 'string', enum: ['active', 'revoked'] } });
export const manageSchemas = { Budget: budgetSchema, Key: keySchema };

export const manageRoutes: AdminRoute[] = [
  { method: 'GET', path: '/budgets', summary: 'Configured budgets with their live state (one item per scope value seen this period)', params: [limitParam, cursorParam], response: page(ref('Budget')), handle: async (context) => pageOf(await budgetEntries(context, context.deps.budgets), context) },
  {
    method: 'PUT',
    path: '/budgets/{name}',
    summary: 'Override the limits of a configured budget (like `jevons budgets set`)',
    body: obj({ limit_usd: nullable(num()), limit_tokens: nullable(int()) }, []),
    response: obj({ data: arr(ref('Budget')) }),
    handle: putBudget,
  },
  { method: 'POST', path: '/budgets/{name}/reset', summary: 'Count the budget\'s spend from now for the rest of the period (like `jevons budgets reset`)', body: obj({ scope: str('One scope value, e.g. team=search; omitted: every scope value.') }, []), response: obj({ budget: str(), scope: str(), counted_from: str(), counted_from_local: str(), data: arr(ref('Budget')) }), handle: resetBudgetRoute },
  { method: 'GET', path: '/keys', summary: 'Virtual keys (stored ones; keys declared in jevons.yaml are not listed)', params: [limitParam, cursorParam], response: page(ref('Key')), handle: async (context) => pageOf((await context.deps.keys.list()).map(keyJson), context) },
  { method: 'POST', path: '/keys', status: 201, summary: 'Create a virtual key; the secret is in this response only', body: obj({ name: str(), team: str(), app: str(), feature: str(), customer: str() }, ['name']), response: obj({ key: ref('Key'), secret: str('Shown once; only its hash is stored.') }), handle: createKeyRoute },
  { method: 'DELETE', path: '/keys/{id}', summary: 'Revoke a key', response: obj({ key: ref('Key') }), handle: revokeKey },
];
