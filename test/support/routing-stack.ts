/**
 * A gateway for the routing-execution tests: the real HTTP surface, dispatcher, attempt loop and meter, with the
 * emulator upstream, plus a test-only routing policy standing in for the decision side: it sets `call.routing` from
 * the `x-test-route` header (JSON: {candidates: [[provider, model], ...], escalation?: [{tier, candidates}]}).
 * Waits are recorded instead of slept; the jitter is fixed; every finished Call is kept for its attempts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator } from '../../src/emulator/index.js';
import { compose, type Call, type Policy, type RouteTarget, type RoutingDecision } from '../../src/pipeline/call.js';
import { createModelCatalog } from '../../src/pipeline/model-catalog.js';
import { meter } from '../../src/policies/meter.js';
import { priceUsage } from '../../src/pricing/index.js';
import { priceCatalogFromConfig } from '../../src/providers/price-family.js';
import { resolveConfig } from '../../src/spec/config/load-config.js';
import type { LedgerRow } from '../../src/spec/ledger.js';
import { createRequestListener } from '../../src/server/app.js';
import { createRoutingExecution, type RoutingExecution } from '../../src/server/dispatch/attempts.js';
import { createDispatcher } from '../../src/server/dispatch/dispatch.js';
import type { DispatchDeps } from '../../src/server/dispatch/dispatch-deps.js';
import { postWebhook } from '../../src/server/dispatch/webhook-post.js';
import { createIdGenerator } from '../../src/server/ids.js';
import { createLogger } from '../../src/server/logger.js';
import { createProviderRuntimes } from '../../src/server/upstream/provider-runtime.js';
import { countChatTokens, countTextTokens } from '../../src/tokens/index.js';

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

export interface RoutingStack {
  emulator: Emulator;
  url: string;
  openaiBaseUrl: string;
  anthropicBaseUrl: string;
  execution: RoutingExecution;
  /** Every wait the attempt loop asked for, in ms. */
  waits: number[];
  /** Ledger rows, as the meter wrote them. */
  rows: LedgerRow[];
  /** Finished calls by request id. */
  calls: Map<string, Call>;
  /** The finished call whose response carried this request id (waits for the pipeline to unwind). */
  callOf(requestId: string | null): Promise<Call>;
  close(): Promise<void>;
}

type Pair = [string, string];

/** The `x-test-route` header for a decision: candidates in order, then tiers to escalate to. */
export function routeHeader(candidates: Pair[], escalation: Array<{ tier: string; candidates: Pair[] }> = []): Record<string, string> {
  return { 'x-test-route': JSON.stringify({ candidates, escalation }) };
}

const toTargets = (pairs: Pair[]): RouteTarget[] => pairs.map(([provider, upstreamModel]) => ({ provider, upstreamModel }));

function decisionOf(call: Call): RoutingDecision | null {
  const header = call.headers['x-test-route'];
  if (typeof header !== 'string') return null;
  const parsed = JSON.parse(header) as { candidates: Pair[]; escalation: Array<{ tier: string; candidates: Pair[] }> };
  return {
    tier: 'test',
    reason: 'test',
    score: null,
    classifierId: null,
    candidates: toTargets(parsed.candidates),
    escalation: parsed.escalation.map((tier) => ({ tier: tier.tier, candidates: toTargets(tier.candidates) })),
    shadow: null,
  };
}

export async function startRoutingStack(options: { routing?: Record<string, unknown>; providers?: (emulator: Emulator) => Array<Record<string, unknown>>; random?: () => number; now?: () => number } = {}): Promise<RoutingStack> {
  const emulator = await startEmulator({ port: 0 });
  const providers = options.providers?.(emulator) ?? [
    { name: 'openai', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-emulated' },
    { name: 'anthropic', type: 'anthropic', base_url: emulator.url, api_key: 'sk-ant-emulated' },
  ];
  const loaded = resolveConfig({ source: 'test', env: {}, input: { server: { host: '127.0.0.1', port: 0, auth: 'none' }, providers, routing: options.routing ?? {} } });
  const config = loaded.config;
  const { runtimes } = createProviderRuntimes({ providers: config.providers, env: {}, requireKeys: true });
  const catalog = priceCatalogFromConfig(config);
  const models = createModelCatalog({ providers: config.providers, models: config.models });
  const waits: number[] = [];
  const execution = createRoutingExecution({
    config: config.routing,
    now: options.now ?? Date.now,
    post: postWebhook,
    sleep: async (ms) => void waits.push(ms),
    random: options.random ?? (() => 0.5),
  });
  const deps: DispatchDeps = {
    runtimes,
    price: ({ runtime, models: ids, usage, at }) => {
      const priced = priceUsage({ catalog, providerFamily: runtime.priceFamily, models: ids, usage, at });
      return priced.kind === 'priced' ? { cost: priced.cost, ref: priced.entry.ref } : null;
    },
    countText: (text, model, family) => countTextTokens(text, model, { providerFamily: family }).tokens,
    countRequest: (request, model, family) => countChatTokens(request, model, { providerFamily: family }).tokens,
    passthroughCredentials: false,
    now: Date.now,
    routing: execution,
  };
  const rows: LedgerRow[] = [];
  const calls = new Map<string, Call>();
  const newId = createIdGenerator();
  const testRoute: Policy = async (call, next) => {
    call.target = models.resolve(call.model);
    call.routing = decisionOf(call);
    if (call.routing?.candidates[0]) call.target = call.routing.candidates[0];
    try {
      await next();
    } finally {
      calls.set(call.requestId, call);
    }
  };
  const handle = compose([testRoute, meter({ enqueue: (row) => rows.push(row), configHash: 'test', newId })], createDispatcher(deps));
  const server: Server = createServer(
    createRequestListener({ handle, maxBodyBytes: 1_000_000, newId, now: Date.now, logger: createLogger({ level: 'silent' }), listModels: () => ({}), metrics: async () => ({ contentType: 'text/plain', body: '' }) }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    emulator,
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    execution,
    waits,
    rows,
    calls,
    async callOf(requestId) {
      for (let tries = 0; tries < 100; tries++) {
        const call = requestId === null ? undefined : calls.get(requestId);
        if (call !== undefined) return call;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no finished call ${String(requestId)}`);
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all([...runtimes.values()].map((runtime) => runtime.pool.close()));
      await emulator.close();
    },
  };
}

/** The `[[emu:…]]` directive that scripts the emulator (docs/emulator.md). */
export const emu = (directive: Record<string, unknown>): string => `[[emu:${JSON.stringify(directive)}]]`;
