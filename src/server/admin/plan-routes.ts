/**
 * Plans (monthly price, included usage) and the customer -> plan mapping: GET/PUT/DELETE /plans, GET/PUT /customers.
 * jevons.yaml seeds both at start; a change made here wins over the file from then on (src/stores/sqlite/admin-plans.ts).
 * GET /customers also lists customers seen in the ledger over [from, to) that have no plan, with their spend.
 */
import { z } from 'zod';
import { customersOfPlan, customersSeen, deletePlan, findPlan, listCustomerPlans, listPlans, putCustomerPlan, putPlan, type Plan } from '../../stores/sqlite/admin-plans.js';
import { AdminError } from './admin-error.js';
import { readJsonBody } from './admin-params.js';
import { cursorParam, fromParam, int, limitParam, nullable, num, obj, page, ref, str, toParam, tzParam, type AdminContext, type AdminRoute } from './admin-route.js';
import { pageOf } from './manage-routes.js';

const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const planJson = (plan: Plan): Record<string, unknown> => ({ name: plan.name, monthly_price_usd: plan.monthlyPriceUsd, included_usage_usd: plan.includedUsageUsd, source: plan.source, updated_at: new Date(plan.updatedAt).toISOString() });

const planBody = z.object({ monthly_price_usd: z.number().nonnegative(), included_usage_usd: z.number().nonnegative().nullable().optional() }).strict();

async function putPlanRoute(context: AdminContext): Promise<unknown> {
  const name = context.path.name ?? '';
  if (!namePattern.test(name)) throw new AdminError({ code: 'invalid_parameter', param: 'name', message: `name: expected letters, digits, ".", "-" and "_" (starting with a letter or digit), got ${JSON.stringify(name)}` });
  const body = await readJsonBody(context.request, planBody, context.deps.maxBodyBytes);
  return { plan: planJson(putPlan(context.deps.db, { name, monthlyPriceUsd: body.monthly_price_usd, includedUsageUsd: body.included_usage_usd ?? null, now: context.now })) };
}

async function deletePlanRoute(context: AdminContext): Promise<unknown> {
  const name = context.path.name ?? '';
  if (findPlan(context.deps.db, name) === null) throw new AdminError({ code: 'not_found', param: 'name', message: `name: no plan named ${JSON.stringify(name)}` });
  const users = customersOfPlan(context.deps.db, name);
  if (users.length > 0) {
    throw new AdminError({ code: 'conflict', param: 'name', message: `name: plan ${JSON.stringify(name)} is assigned to ${users.length} customer(s) (${users.slice(0, 5).join(', ')}${users.length > 5 ? ', …' : ''}); move them to another plan first (PUT /customers/{id})` });
  }
  deletePlan(context.deps.db, name, context.now);
  return { deleted: name };
}

async function customers(context: AdminContext): Promise<unknown> {
  const timeZone = context.query.timeZone(context.deps.timezone);
  const { from, to } = context.query.range({ timeZone, now: context.now });
  const mapped = listCustomerPlans(context.deps.db);
  const seen = new Map(customersSeen(context.deps.db, { since: from, until: to }).map((row) => [row.customer, row]));
  type Row = { customer: string; plan: string | null; source: string | null; requests: number; cost_usd: number };
  const rows: Row[] = mapped.map((mapping) => ({ customer: mapping.customer, plan: mapping.plan, source: mapping.source, requests: seen.get(mapping.customer)?.requests ?? 0, cost_usd: seen.get(mapping.customer)?.costUsd ?? 0 }));
  const known = new Set(mapped.map((mapping) => mapping.customer));
  for (const row of seen.values()) if (!known.has(row.customer)) rows.push({ customer: row.customer, plan: null, source: null, requests: row.requests, cost_usd: row.costUsd });
  rows.sort((a, b) => (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : 0));
  return pageOf(rows, context);
}

const customerBody = z.object({ plan: z.string().min(1).nullable() }).strict();

async function putCustomer(context: AdminContext): Promise<unknown> {
  const customer = context.path.id ?? '';
  const body = await readJsonBody(context.request, customerBody, context.deps.maxBodyBytes);
  if (body.plan !== null && findPlan(context.deps.db, body.plan) === null) {
    const known = listPlans(context.deps.db).map((plan) => plan.name);
    throw new AdminError({ code: 'invalid_body', param: 'plan', message: `plan: unknown plan ${JSON.stringify(body.plan)} (plans: ${known.join(', ') || 'none'})` });
  }
  putCustomerPlan(context.deps.db, { customer, plan: body.plan, now: context.now });
  return { customer, plan: body.plan };
}

const planSchema = obj({ name: str(), monthly_price_usd: num(), included_usage_usd: nullable(num()), source: { type: 'string', enum: ['config', 'api'], description: 'config: seeded from jevons.yaml; api: changed through this API (wins over the file).' }, updated_at: str() });
const customerSchema = obj({ customer: str(), plan: nullable(str('null: seen in the ledger, no plan.')), source: nullable(str()), requests: int('Requests in [from, to).'), cost_usd: num('Spend in [from, to).') });
export const planSchemas = { Plan: planSchema, Customer: customerSchema };

export const planRoutes: AdminRoute[] = [
  { method: 'GET', path: '/plans', summary: 'Plans', params: [limitParam, cursorParam], response: page(ref('Plan')), handle: async (context) => pageOf(listPlans(context.deps.db).map(planJson), context) },
  { method: 'PUT', path: '/plans/{name}', summary: 'Create or change a plan', body: obj({ monthly_price_usd: num(), included_usage_usd: nullable(num()) }, ['monthly_price_usd']), response: obj({ plan: ref('Plan') }), handle: putPlanRoute },
  { method: 'DELETE', path: '/plans/{name}', summary: 'Delete a plan no customer is assigned to', response: obj({ deleted: str() }), handle: deletePlanRoute },
  { method: 'GET', path: '/customers', summary: 'Customer -> plan, plus customers seen in the ledger without a plan', params: [fromParam('30 days before to'), toParam('now'), tzParam, limitParam, cursorParam], response: page(ref('Customer')), handle: customers },
  { method: 'PUT', path: '/customers/{id}', summary: 'Assign a customer to a plan (null: remove the assignment)', body: obj({ plan: nullable(str()) }), response: obj({ customer: str(), plan: nullable(str()) }), handle: putCustomer },
];
