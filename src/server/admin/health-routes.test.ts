import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createHealthTracker } from '../../policies/routing/health/index.js';
import { AdminError } from './admin-error.js';
import { AdminQuery } from './admin-params.js';
import type { AdminContext, AdminDeps, AdminRoute, JsonSchema } from './admin-route.js';
import { healthRoutes, healthSchemas, type HealthRoutesSource } from './health-routes.js';
import { buildOpenApi } from './openapi.js';

const T0 = Date.parse('2026-05-04T10:00:00Z');

function setup() {
  const clock = { now: T0 };
  const tracker = createHealthTracker({ failureThreshold: 2, openForMs: 30_000, now: () => clock.now });
  const source: HealthRoutesSource = { tracker, providers: () => ['openai', 'anthropic', 'gemini'] };
  const [route] = healthRoutes(source);
  if (route === undefined) throw new Error('no route');
  return { clock, tracker, route };
}

/** Runs the handler as the admin router does: the query checked against the route's documented parameters. */
async function get(route: AdminRoute, now: number, query = ''): Promise<Record<string, unknown>> {
  const context: AdminContext = {
    request: {} as IncomingMessage,
    query: new AdminQuery(new URLSearchParams(query), (route.params ?? []).map((param) => param.name)),
    path: {},
    deps: {} as AdminDeps,
    now,
  };
  return (await route.handle(context)) as Record<string, unknown>;
}

/** Checks a value against the small JSON Schema subset the admin routes document with (obj / arr / nullable / ref). */
function conforms(value: unknown, schema: JsonSchema, path = '$'): void {
  if (typeof schema.$ref === 'string') return conforms(value, healthSchemas[schema.$ref.split('/').at(-1) ?? ''] ?? {}, path);
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  if (value === null) return void expect(types, `${path} may be null`).toContain('null');
  const kind = Array.isArray(value) ? 'array' : Number.isInteger(value) && types.includes('integer') ? 'integer' : typeof value === 'number' ? 'number' : typeof value;
  expect(types, path).toContain(kind);
  if (Array.isArray(schema.enum)) expect(schema.enum, path).toContain(value);
  if (kind === 'array') (value as unknown[]).forEach((item, index) => conforms(item, schema.items as JsonSchema, `${path}[${index}]`));
  if (kind === 'object') {
    const properties = schema.properties as Record<string, JsonSchema>;
    expect(Object.keys(value as object).sort(), path).toEqual(Object.keys(properties).sort());
    for (const [name, property] of Object.entries(properties)) conforms((value as Record<string, unknown>)[name], property, `${path}.${name}`);
  }
}

describe('GET /admin/v1/providers/health', () => {
  it('lists every configured provider, closed with no history before any attempt', async () => {
    const { route } = setup();
    const body = await get(route, T0);
    expect(body).toEqual({
      at: '2026-05-04T10:00:00.000Z',
      failure_threshold: 2,
      open_for_ms: 30_000,
      providers: ['openai', 'anthropic', 'gemini'].map((provider) => ({
        provider, state: 'closed', consecutive_failures: 0, total_failures: 0, total_successes: 0, last_failure: null, last_success_at: null, opened_at: null, probe_at: null, probe_in_flight: false,
      })),
    });
    conforms(body, route.response);
  });

  it('shows an open circuit with its last failure and when it probes, then half-open with the probe in flight', async () => {
    const { clock, tracker, route } = setup();
    tracker.record('openai', 'success');
    clock.now += 1_000;
    tracker.record('openai', 'failure', { code: 'upstream_timeout', status: 0 });
    clock.now += 1_000;
    tracker.record('openai', 'failure', { code: 'upstream_server_error', status: 503 });
    const open = await get(route, clock.now);
    conforms(open, route.response);
    expect((open.providers as unknown[])[0]).toEqual({
      provider: 'openai', state: 'open', consecutive_failures: 2, total_failures: 2, total_successes: 1,
      last_failure: { at: '2026-05-04T10:00:02.000Z', code: 'upstream_server_error', status: 503 },
      last_success_at: '2026-05-04T10:00:00.000Z', opened_at: '2026-05-04T10:00:02.000Z', probe_at: '2026-05-04T10:00:32.000Z', probe_in_flight: false,
    });
    clock.now += 30_000;
    expect(tracker.tryAcquire('openai')).toBe(true);
    const probing = await get(route, clock.now);
    expect((probing.providers as unknown[])[0]).toMatchObject({ state: 'half_open', probe_at: null, probe_in_flight: true, opened_at: '2026-05-04T10:00:02.000Z' });
    conforms(probing, route.response);
  });

  it('lists a provider the tracker saw but the config does not name after the configured ones', async () => {
    const { tracker, route } = setup();
    tracker.record('retired', 'failure', { code: 'upstream_unreachable', status: 0 });
    const body = await get(route, T0);
    expect((body.providers as Array<{ provider: string }>).map((entry) => entry.provider)).toEqual(['openai', 'anthropic', 'gemini', 'retired']);
  });

  it('takes no query parameter', async () => {
    const { route } = setup();
    await expect(get(route, T0, 'provider=openai')).rejects.toMatchObject({ status: 400, param: 'provider' });
  });

  it('answers 404 from an admin API that runs without a gateway', async () => {
    const [route] = healthRoutes(undefined);
    if (route === undefined) throw new Error('no route');
    const error = await get(route, T0).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdminError);
    expect(error).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('is documented in the OpenAPI document: path, method, response schema and its component', () => {
    const routes = healthRoutes(undefined);
    const document = buildOpenApi({ routes, schemas: healthSchemas, version: 'test' }) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };
    const operation = document.paths['/admin/v1/providers/health']?.get;
    expect(operation?.responses).toHaveProperty('200');
    for (const match of JSON.stringify(document).matchAll(/#\/components\/schemas\/(\w+)/g)) expect(document.components.schemas).toHaveProperty(match[1] as string);
  });
});
