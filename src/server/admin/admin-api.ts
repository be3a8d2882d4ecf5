/**
 * The admin API (/admin/v1/*): authenticated with the admin token, JSON in and out, never through the model pipeline.
 * A fixed route table (spend, logs, budgets and keys, plans, analytics: outcomes, forecast, whales, waste); the router matches the path, then the method (405 with
 * Allow when only the method is wrong), checks the token, rejects query parameters the route does not document, and
 * renders errors as {error: {code, message, param}}. GET /admin/v1/openapi.json describes every route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminConfig, PlanConfig } from '../../spec/config/control-plane-schema.js';
import { seedPlans } from '../../stores/sqlite/admin-plans.js';
import { createAdminAuth } from './admin-auth.js';
import { AdminError, sendAdminError, sendAdminJson } from './admin-error.js';
import { analyticsRoutes, analyticsSchemas } from './analytics-routes.js';
import { AdminQuery } from './admin-params.js';
import { obj, str, type AdminDeps, type AdminRoute, type Method } from './admin-route.js';
import { healthRoutes, healthSchemas, type HealthRoutesSource } from './health-routes.js';
import { logRoutes, logSchemas } from './log-routes.js';
import { manageRoutes, manageSchemas } from './manage-routes.js';
import { buildOpenApi } from './openapi.js';
import { planRoutes, planSchemas } from './plan-routes.js';
import { metricsSchema, spendRoutes } from './spend-routes.js';

export const ADMIN_PREFIX = '/admin/v1';

export interface AdminApiOptions extends Omit<AdminDeps, 'timezone'> {
  admin: AdminConfig;
  /** The admin token: the value of the variable admin.token_env names (undefined = API disabled, 503). */
  token: string | undefined;
  /** jevons.yaml plans and customers, seeded into the plans tables at creation. */
  plans: readonly PlanConfig[];
  customers: Readonly<Record<string, string>>;
  version?: string;
  /** Routing execution's provider health circuits for GET /providers/health; absent = that route answers 404. */
  health?: HealthRoutesSource;
}

export type AdminHandler = (request: IncomingMessage, response: ServerResponse) => void;

const openApiRoute: AdminRoute = { method: 'GET', path: '/openapi.json', summary: 'This document (OpenAPI 3.1)', response: { type: 'object' }, handle: async () => null };

function routesOf(health: HealthRoutesSource | undefined): AdminRoute[] {
  return [...spendRoutes, ...logRoutes, ...manageRoutes, ...planRoutes, ...analyticsRoutes, ...healthRoutes(health), openApiRoute];
}

/** Every route, the OpenAPI one included. Exported for the documentation test. */
export const adminRoutes: readonly AdminRoute[] = routesOf(undefined);

/** `/requests/{id}` -> a matcher returning the decoded `{name}` values, or null. */
function compile(path: string): (segments: readonly string[]) => Record<string, string> | null {
  const parts = path.split('/').slice(1);
  return (segments) => {
    if (segments.length !== parts.length) return null;
    const values: Record<string, string> = {};
    for (let index = 0; index < parts.length; index += 1) {
      const part = parts[index] ?? '';
      const segment = segments[index] ?? '';
      if (part.startsWith('{')) {
        if (segment === '') return null;
        values[part.slice(1, -1)] = segment;
      } else if (part !== segment) return null;
    }
    return values;
  };
}

function decodeSegments(path: string): string[] {
  try {
    return path.split('/').slice(1).map((segment) => decodeURIComponent(segment));
  } catch {
    throw new AdminError({ code: 'not_found', message: `No route for ${path}: malformed percent-encoding.` });
  }
}

export function createAdminApi(options: AdminApiOptions): AdminHandler {
  const deps: AdminDeps = { db: options.db, keys: options.keys, budgets: options.budgets, timezone: options.admin.timezone, now: options.now, logger: options.logger, maxBodyBytes: options.maxBodyBytes };
  seedPlans(options.db, { plans: options.plans, customers: options.customers, now: options.now() });
  const auth = createAdminAuth({ token: options.token, tokenEnv: options.admin.token_env });
  const routes = routesOf(options.health);
  const table = routes.map((route) => ({ route, match: compile(route.path) }));
  const document = buildOpenApi({ routes, version: options.version ?? '1', schemas: { Metrics: metricsSchema, ...logSchemas, ...manageSchemas, ...planSchemas, ...analyticsSchemas, ...healthSchemas, Deleted: obj({ deleted: str() }) } });
  const logInternal = (error: unknown) => options.logger.error('admin API internal error', { error: String(error instanceof Error ? error.stack : error) });

  const dispatch = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://admin.invalid');
    const relative = url.pathname.slice(ADMIN_PREFIX.length) || '/';
    const segments = decodeSegments(relative);
    const matches = table.map(({ route, match }) => ({ route, values: match(segments) })).filter((found) => found.values !== null);
    // Authenticate before revealing which routes exist beyond the prefix.
    auth.check(request.headers);
    if (matches.length === 0) throw new AdminError({ code: 'not_found', message: `No admin route ${relative}; GET ${ADMIN_PREFIX}/openapi.json lists them.` });
    const found = matches.find((candidate) => candidate.route.method === (request.method as Method));
    if (found === undefined) {
      const allow = [...new Set(matches.map((candidate) => candidate.route.method))].join(', ');
      throw new AdminError({ code: 'method_not_allowed', message: `${request.method} ${ADMIN_PREFIX}${relative}: use ${allow}.`, headers: { allow } });
    }
    const { route } = found;
    if (route === openApiRoute) return sendAdminJson(response, 200, document);
    const query = new AdminQuery(url.searchParams, (route.params ?? []).map((param) => param.name));
    const body = await route.handle({ request, query, path: found.values ?? {}, deps, now: deps.now() });
    sendAdminJson(response, route.status ?? 200, body);
  };

  return (request, response) => {
    dispatch(request, response).catch((error: unknown) => {
      if (!request.complete) request.resume();
      sendAdminError(response, error, logInternal);
    });
  };
}
