/**
 * The OpenAPI 3.1 document of the admin API, built from the route table: every route's path, method, query
 * parameters, body and response schema come from the same objects the router dispatches on and validates with.
 */
import { obj, str, nullable, type AdminRoute, type JsonSchema } from './admin-route.js';

const errorSchema = obj({ error: obj({ code: str(), message: str(), param: nullable(str('The parameter or body field at fault.')) }) });

const errorResponses = {
  '400': { description: 'A bad parameter or body: `param` names it and the message says what was expected.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '401': { description: 'Missing or wrong admin token (virtual keys never open the admin API).', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '404': { description: 'No such route or resource.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '503': { description: 'Admin API disabled: the admin token environment variable is not set.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
};

function operation(route: AdminRoute): Record<string, unknown> {
  const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
  const queryParams = (route.params ?? []).map((param) => ({
    name: param.name.endsWith('.') ? `${param.name}{dimension}` : param.name,
    in: 'query',
    required: param.required ?? false,
    description: param.description,
    schema: param.schema,
    ...(param.name.endsWith('.') ? { explode: true, allowReserved: true } : {}),
  }));
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase())}`,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    parameters: [...pathParams, ...queryParams],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
    responses: { [String(route.status ?? 200)]: { description: 'OK', content: { 'application/json': { schema: route.response } } }, ...errorResponses },
  };
}

export function buildOpenApi(options: { routes: readonly AdminRoute[]; schemas: Record<string, JsonSchema>; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of options.routes) {
    const path = `/admin/v1${route.path}`;
    paths[path] = { ...(paths[path] ?? {}), [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Jevons admin API', version: options.version, description: 'Spend, budgets, alerts, breaker trips, savings, keys and plans over the Jevons ledger, and the analytics over it: cost per outcome, forecast, whales, waste. See docs/admin-api.md.' },
    servers: [{ url: '/' }],
    security: [{ adminToken: [] }],
    paths,
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'The value of the environment variable named by admin.token_env (default JEVONS_ADMIN_TOKEN).' } },
      schemas: { Error: errorSchema, ...options.schemas },
    },
  };
}
