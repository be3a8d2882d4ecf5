/**
 * COMPOSITION ROOT: the only place that picks concrete stores, providers and the price catalog, and the only place
 * that declares the order of the policies.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attribute } from '../policies/attribute.js';
import { authenticate, hashSecret } from '../policies/authenticate.js';
import { meter } from '../policies/meter.js';
import { createShadowPricer } from '../policies/routing/shadow-cost.js';
import { route } from '../policies/route.js';
import { compose, type Call, type Policy } from '../pipeline/call.js';
import { createLedgerWriter, type LedgerWriter } from '../pipeline/ledger-writer.js';
import { createModelCatalog, type ModelCatalog } from '../pipeline/model-catalog.js';
import { priceUsage, type PriceCatalog } from '../pricing/index.js';
import { priceCatalogFromConfig } from '../providers/price-family.js';
import type { Dialect } from '../spec/canonical.js';
import type { Environment, LoadedConfig } from '../spec/config/load-config.js';
import type { BudgetSpendUpdate } from '../spec/governance.js';
import { ConfigError } from '../spec/config/load-config.js';
import type { KeyStore, LedgerStore, VirtualKey } from '../spec/ports.js';
import { openSqliteStores } from '../stores/sqlite/index.js';
import { countChatTokens, countTextTokens, estimateChatTokens } from '../tokens/index.js';
import { createRequestListener } from './app.js';
import { createAdminApi } from './admin/admin-api.js';
import { createEstimateEndpoint, estimateCall } from './estimate-endpoint.js';
import { createContextWindowLookup, type CostEstimate } from '../policies/estimate-cost.js';
import { createMemoryCounterStore } from '../stores/memory/index.js';
import { createGovernanceEvents } from './governance/governance-events.js';
import { createDispatcher } from './dispatch/dispatch.js';
import type { DispatchDeps } from './dispatch/dispatch-deps.js';
import { createRoutingExecution } from './dispatch/attempts.js';
import { postWebhook } from './dispatch/webhook-post.js';
import { createIdGenerator } from './ids.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { createRequestTracer, type RequestTracer } from './telemetry.js';
import type { Logger } from './logger.js';
import { createProviderRuntimes, type ProviderRuntime } from './upstream/provider-runtime.js';
import { unpricedGate } from '../policies/unpriced-gate.js';
import { breakers } from '../policies/breakers/breaker-policy.js';
import { rateLimits } from '../policies/rate-limits/rate-limit-policy.js';
import { budgets } from '../policies/budgets/budget-policy.js';
import { ledgerSpend } from '../stores/sqlite/ledger-spend.js';
import { promptCache } from '../policies/prompt-cache/index.js';
import { cacheDiagnosis } from '../policies/cache/diagnosis/index.js';
import { createCacheFindingsWriter } from '../stores/sqlite/cache-findings.js';
import { startBudgetOverridesPoller, type BudgetOverridesPoller } from './governance/budget-overrides-poller.js';
import { responseCache } from '../policies/cache/response-cache-policy.js';
import { anyEnabled } from '../policies/cache/cache-rules.js';
import { createMemoryCacheStore } from '../stores/memory/index.js';
import { replayAnswer } from './cache/replay.js';
import { createUncachedPricer } from './cache/uncached-price.js';
import { createRoutingRuntime } from '../policies/routing/routing-runtime.js';
import { dialects } from './dispatch/codecs.js';
import { outcomeHeader } from '../policies/outcome-header.js';
import { createOutcomeWriter } from '../stores/sqlite/outcome-store.js';
import { createOutcomesEndpoint } from './outcomes-endpoint.js';

export interface GatewayOptions {
  loaded: LoadedConfig;
  env: Environment;
  logger: Logger;
  /** Override server.port (0 = any free port). */
  port?: number;
  now?: () => number;
}

export interface RunningGateway {
  url: string;
  port: number;
  ledger: LedgerStore;
  keys: KeyStore;
  writer: LedgerWriter;
  /** Stops accepting, waits for in-flight requests, flushes the ledger, closes stores and pools. */
  close(): Promise<void>;
}

/** Keys declared in jevons.yaml (secret from an environment variable), checked before the key store. */
function configKeys(loaded: LoadedConfig, env: Environment, now: number): { byHash: Map<string, VirtualKey>; problems: string[] } {
  const byHash = new Map<string, VirtualKey>();
  const problems: string[] = [];
  loaded.config.keys.forEach((key, index) => {
    const secret = env[key.secret_env];
    if (!secret) return void problems.push(`keys[${index}].secret_env: environment variable ${key.secret_env} is not set`);
    byHash.set(hashSecret(secret), {
      id: `config:${key.name}`,
      name: key.name,
      prefix: secret.slice(0, 6),
      createdAt: now,
      revokedAt: null,
      defaults: { team: key.team ?? null, app: key.app ?? null, feature: key.feature ?? null, customer: key.customer ?? null },
    });
  });
  return { byHash, problems };
}

function createPricer(options: { catalog: PriceCatalog; logger: Logger; metrics: GatewayMetrics }): DispatchDeps['price'] {
  const warned = new Set<string>();
  const unpriced = (runtime: ProviderRuntime, models: readonly string[], message: string, extra: Record<string, unknown> = {}): null => {
    options.metrics.countUnpriced(runtime.name, models[0] ?? '');
    const id = `${runtime.priceFamily}/${models.join('|')}/${message}`;
    if (!warned.has(id)) {
      warned.add(id);
      options.logger.warn(message, { provider: runtime.name, models, priceFamily: runtime.priceFamily, ...extra });
    }
    return null;
  };
  return ({ runtime, models, usage, at }) => {
    const priced = priceUsage({ catalog: options.catalog, providerFamily: runtime.priceFamily, models, usage, at });
    if (priced.kind === 'priced') return { cost: priced.cost, ref: priced.entry.ref };
    if (priced.entry !== null) return unpriced(runtime, models, 'model has no price for this service tier: its usage is recorded as unpriced, not $0', { serviceTier: usage.serviceTier, priceRef: priced.entry.ref });
    return unpriced(runtime, models, 'model has no price: its usage is recorded as unpriced, not $0');
  };
}

/**
 * What GET /v1/models lists: the models declared in config, then each provider's own models that route to it by
 * family (gpt-*, claude-*, gemini-*), as far as the price catalog knows them. Computed once at start.
 */
function routableModels(options: { loaded: LoadedConfig; catalog: PriceCatalog; models: ModelCatalog; runtimes: ReadonlyMap<string, ProviderRuntime> }): Array<{ id: string; provider: string }> {
  const listed = new Map<string, string>();
  for (const model of options.loaded.config.models) listed.set(model.name, model.provider);
  for (const runtime of options.runtimes.values()) {
    for (const id of options.catalog.knownModels(runtime.priceFamily)) {
      if (!listed.has(id) && options.models.resolve(id)?.provider === runtime.name) listed.set(id, runtime.name);
    }
  }
  return [...listed].map(([id, provider]) => ({ id, provider }));
}

function renderModelList(models: ReadonlyArray<{ id: string; provider: string }>, dialect: Dialect): Record<string, unknown> {
  if (dialect === 'anthropic') {
    const data = models.map((model) => ({ type: 'model', id: model.id, display_name: model.id, created_at: '1970-01-01T00:00:00Z' }));
    return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  }
  return { object: 'list', data: models.map((model) => ({ id: model.id, object: 'model', created: 0, owned_by: model.provider })) };
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { loaded, logger } = options;
  const config = loaded.config;
  const now = options.now ?? Date.now;
  const passthrough = config.server.auth === 'passthrough';
  const { runtimes, problems } = createProviderRuntimes({ providers: config.providers, env: options.env, requireKeys: !passthrough });
  const keysFromConfig = configKeys(loaded, options.env, now());
  const allProblems = [...problems, ...keysFromConfig.problems];
  if (allProblems.length > 0) throw new ConfigError(loaded.source, allProblems);

  const tracer = createTracer(loaded, options.env, runtimes);
  const stores = openSqliteStores({ path: config.storage.path });
  const metrics = createMetrics();
  const writer = createLedgerWriter({
    // Request metrics and spans are read from the rows as they are written: off the request path
    // (src/server/metrics.ts, src/server/telemetry.ts).
    store: {
      ...stores.ledger,
      async append(rows) {
        await stores.ledger.append(rows);
        metrics.observeRows(rows);
        tracer?.exportRows(rows);
      },
    },
    flushIntervalMs: config.storage.flush_interval_ms,
    maxBatchRows: config.storage.flush_max_rows,
    onError: (error, rows) => logger.error('ledger write failed', { rows, error: String(error) }),
  });
  const catalog = priceCatalogFromConfig(config);
  const models = createModelCatalog({ providers: config.providers, models: config.models });
  const newId = createIdGenerator(now);
  const deps: DispatchDeps = {
    runtimes,
    price: createPricer({ catalog, logger, metrics }),
    countText: (text, model, family) => countTextTokens(text, model, { providerFamily: family }).tokens,
    countRequest: (request, model, family) => countChatTokens(request, model, { providerFamily: family }).tokens,
    passthroughCredentials: passthrough,
    now,
  };
  const isPriced = (provider: string, model: string) => {
    const runtime: ProviderRuntime | undefined = runtimes.get(provider);
    return runtime !== undefined && catalog.lookup({ providerFamily: runtime.priceFamily, model }) !== null;
  };
  // --- routing ---
  // Tiers, rules, x-jevons-tier, jevons/auto, reasoning budgets and shadow mode (src/policies/routing, docs/routing.md).
  // The body is parsed to the canonical request only when automatic routing runs; with no tiers and no rules the
  // runtime is null and the route policy resolves by model name alone.
  const routing = createRoutingRuntime({
    config: config.routing,
    resolve: (model) => models.resolve(model),
    toCanonical: (call) => dialects[call.dialect].parse(call.body),
    fetch: (url, init) => fetch(url, init),
    // Shadow mode: the call's estimated input tokens at the would-be model's input price (the output is not known
    // before the answer; the row's tokens let analytics reprice the whole call at that model).
    estimateCostFor: (call, target) => {
      const runtime = runtimes.get(target.provider);
      const entry = runtime === undefined ? null : catalog.lookup({ providerFamily: runtime.priceFamily, model: target.upstreamModel });
      if (entry === null) return null;
      try {
        return (estimateOf(call).inputTokens * entry.base.inputPerMtok) / 1e6;
      } catch {
        return null;
      }
    },
  });
  if (routing.problems.length > 0) {
    await writer.close();
    await stores.close();
    throw new ConfigError(loaded.source, routing.problems);
  }
  // --- end routing ---
  // --- governance (budgets, rate limits, breakers; docs/governance.md) ---
  const counters = createMemoryCounterStore({ now });
  const contextWindow = createContextWindowLookup();
  // The pre-flight estimate the governance policies reserve with, computed once per call and only when asked.
  const estimates = new WeakMap<Call, CostEstimate>();
  const estimateOf = (call: Call): CostEstimate => {
    let found = estimates.get(call);
    if (found === undefined) {
      // The calibrated estimate (a few µs) with its safety factor, not the tokenizer (tens of µs): docs/estimate.md.
      found = estimateCall(call, { runtimes, catalog, count: estimateChatTokens, fastCount: true, now, contextWindow }).estimate;
      estimates.set(call, found);
    }
    return found;
  };
  // Events are logged, stored (events table, batched) and budget alerts delivered to the webhooks.
  const governanceEvents = createGovernanceEvents({ db: stores.db, budgets: config.budgets, webhooks: config.alerts.webhooks, env: options.env, logger, now, newId });
  const recordEvent = governanceEvents.recordEvent;
  const governance: Policy[] = [];
  // breakers (src/policies/breakers): agent circuit breakers per session, loop detection
  if (config.breakers.length > 0) governance.push(breakers({ breakers: config.breakers, estimate: estimateOf, recordEvent, now, newId }));
  // rate limits (src/policies/rate-limits)
  if (config.rate_limits.length > 0) governance.push(rateLimits({ limits: config.rate_limits, counters, estimate: estimateOf, recordEvent, now, newId }));
  // budgets (src/policies/budgets): reserve / settle against every budget in scope; restart restore from the ledger
  // `jevons budgets set|reset` reach the running gateway through the overrides poller (within 2 s).
  let budgetOverrides: BudgetOverridesPoller | null = null;
  if (config.budgets.length > 0) {
    const onSpend = (update: BudgetSpendUpdate): void => {
      governanceEvents.onSpend(update);
      metrics.observeBudget(update);
    };
    const budgetPolicy = budgets({ budgets: config.budgets, counters, estimate: estimateOf, resolveModel: (name) => models.resolve(name), restore: async (query) => ledgerSpend(stores.db, query), recordEvent, onSpend, now, newId, configSource: loaded.source, onError: (error) => logger.error('budget settlement failed', { error: String(error) }) });
    governance.push(budgetPolicy);
    budgetOverrides = startBudgetOverridesPoller({ db: stores.db, logger, onChange: (overrides) => budgetPolicy.applyOverrides(overrides) });
  }
  // --- end governance ---
  // --- cache ---
  // Response caches (src/policies/cache, docs/caching.md): installed only when some call can be cached, so the hot
  // path of a gateway without caching is unchanged. They sit inside `meter`, which records a hit's attempt like any other.
  const cachePolicies: Policy[] = [];
  // Loaded only when configured: the vector index (a native addon) and the embedders cost memory a gateway without
  // a semantic cache should not pay.
  const semantic = anyEnabled(config.cache.semantic) ? (await import('./cache/semantic-cache.js')).startSemanticCache({ loaded, models, runtimes, db: stores.db, now }) : null;
  if (anyEnabled(config.cache.exact) || semantic !== null) {
    cachePolicies.push(
      responseCache({
        exact: config.cache.exact,
        semantic: config.cache.semantic,
        store: createMemoryCacheStore({ now, maxEntries: config.cache.exact.max_entries, maxBytes: config.cache.exact.max_bytes }),
        now,
        replay: replayAnswer,
        priceUncached: createUncachedPricer(deps),
        semanticEngine: semantic?.engine ?? null,
        defaultSemanticThreshold: semantic?.defaultThreshold,
        recordShadowHit: (hit) => void semantic?.shadowHits.record({ id: newId(), ...hit, answer: hit.answerText }).catch((error: unknown) => logger.warn('semantic shadow hit not stored', { error: String(error) })),
        onError: (error, what) => logger.warn('response cache failed; served as a miss', { what, error: String(error) }),
      }),
    );
  }
  // Provider prompt caching (src/policies/prompt-cache, docs/prompt-caching.md): Anthropic breakpoints and the
  // OpenAI prompt_cache_key; innermost, so it sees the final target and a response-cache hit costs it nothing.
  const prompt = config.cache.prompt_cache;
  if (prompt.anthropic_breakpoints !== 'off' || prompt.openai_cache_key !== 'off') {
    cachePolicies.push(promptCache({ config: prompt, wireOf: (name) => runtimes.get(name)?.wire, now }));
  }
  // Cache-breaker diagnosis (src/policies/cache/diagnosis, docs/cache-diagnosis.md): an enqueue on the request path,
  // the comparison deferred; findings are flushed to SQLite every 30 s and on close.
  const diagnosis = config.cache.diagnosis.enabled
    ? cacheDiagnosis({
        config: config.cache.diagnosis,
        price: (provider, model) => {
          const runtime = runtimes.get(provider);
          const entry = runtime === undefined ? null : catalog.lookup({ providerFamily: runtime.priceFamily, model });
          return entry === null ? null : { inputPerToken: entry.base.inputPerMtok / 1e6, cacheReadPerToken: (entry.base.cacheReadPerMtok ?? entry.base.inputPerMtok) / 1e6 };
        },
        write: createCacheFindingsWriter(stores.db),
        // A prompt never has more tokens than bytes: short bodies are skipped before any estimate is computed.
        estimateTokens: (call) => (call.rawBody.length < config.cache.diagnosis.min_prompt_tokens ? 0 : estimateOf(call).inputTokens),
        onError: (error) => logger.error('cache diagnosis failed', { error: String(error) }),
      })
    : null;
  if (diagnosis !== null) cachePolicies.unshift(diagnosis);
  // --- end cache ---

  // The policy order. Every policy is (call, next) => …; see docs/architecture.md.
  const auth = authenticate({ mode: config.server.auth, findKey: async (hash) => keysFromConfig.byHash.get(hash) ?? stores.keys.findByHash(hash) });
  const policies: Policy[] = [
    auth,
    attribute(),
    // x-jevons-outcome / x-jevons-session-outcome round-trip (docs/outcomes.md): recorded after the call, never failing it.
    outcomeHeader({ record: createOutcomeWriter(stores.db), onError: (error) => logger.error('recording an outcome header failed', { error: String(error) }), now, newId }),
    route({ resolve: (model) => models.resolve(model), describe: () => models.describe(), routing: routing.runtime }),
    unpricedGate({ mode: config.pricing.unpriced, isPriced }),
    ...governance,
    meter({ enqueue: (row) => writer.enqueue(row), configHash: loaded.hash, newId, price: createShadowPricer({ catalog, priceFamilyOf: (provider) => runtimes.get(provider)?.priceFamily }) }),
    ...cachePolicies,
  ];
  // --- routing execution ---
  // Fallbacks with retries and backoff, provider health circuits and cascades with validators, run by the dispatcher
  // for calls the router decided (call.routing); docs/routing-execution.md. Health: routingExecution.health.snapshot().
  const routingExecution = createRoutingExecution({
    config: config.routing,
    now,
    post: postWebhook,
    onWebhookError: (error, url) => logger.warn('cascade webhook failed; the answer passes', { url, error: String(error) }),
  });
  deps.routing = routingExecution;
  // --- end routing execution ---
  const handle = compose(policies, createDispatcher(deps));
  // POST /v1/jevons/estimate: authenticated and routed like a model call, answered locally (docs/estimate.md).
  const estimate = createEstimateEndpoint({ authenticate: auth, resolve: (model) => models.resolve(model), describe: () => models.describe(), runtimes, catalog, count: countChatTokens, now });
  const routable = routableModels({ loaded, catalog, models, runtimes });
  const modelLists = { openai: renderModelList(routable, 'openai'), anthropic: renderModelList(routable, 'anthropic') };
  // --- dashboard ---
  // The dashboard (dashboard/, docs/dashboard.md): static files built into dist/dashboard, served at /dashboard/.
  const { createStaticFiles, findDashboardRoot } = await import('./dashboard/static-files.js');
  const dashboard = createStaticFiles({ root: findDashboardRoot() });
  // --- end dashboard ---
  // --- admin ---
  // The admin API (/admin/v1, docs/admin-api.md): its own token, read from the variable admin.token_env names.
  const admin = createAdminApi({ db: stores.db, keys: stores.keys, budgets: config.budgets, admin: config.admin, token: options.env[config.admin.token_env], plans: config.plans, customers: config.customers, now, logger, maxBodyBytes: config.server.max_body_bytes, health: { tracker: routingExecution.health, providers: () => config.providers.map((provider) => provider.name) } });
  // --- end admin ---
  // --- outcomes ---
  // POST /v1/jevons/outcomes (docs/outcomes.md): authenticated like a model call, one transaction per batch.
  const outcomes = createOutcomesEndpoint({ authenticate: auth, record: createOutcomeWriter(stores.db), now, newId, maxBodyBytes: config.server.max_body_bytes });
  // --- end outcomes ---
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, createRequestListener({ handle, maxBodyBytes: config.server.max_body_bytes, newId, now, logger, listModels: (dialect) => modelLists[dialect], metrics: () => metrics.render(), estimate, outcomes, admin, dashboard }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.server.port, config.server.host, () => resolve());
  });
  const retention = startRetention({ ledger: stores.ledger, days: config.storage.retention_days, now, logger });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`,
    port,
    ledger: stores.ledger,
    keys: stores.keys,
    writer,
    async close() {
      clearInterval(retention);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get a grace period to finish (and be metered); then their connections are cut.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      });
      await writer.close();
      await tracer?.close();
      budgetOverrides?.stop();
      await governanceEvents.close();
      await diagnosis?.close();
      await semantic?.engine.close();
      await Promise.all([...runtimes.values()].map((runtime) => runtime.pool.close()));
      await stores.close();
    },
  };
}

/** The OTLP span exporter when `telemetry.otlp_endpoint` is set (headers from the environment), else null. */
function createTracer(loaded: LoadedConfig, env: Environment, runtimes: ReadonlyMap<string, ProviderRuntime>): RequestTracer | null {
  const telemetry = loaded.config.telemetry;
  if (telemetry.otlp_endpoint === undefined) return null;
  const headers: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, variable] of Object.entries(telemetry.otlp_headers_env)) {
    const value = env[variable];
    if (value === undefined || value === '') missing.push(`telemetry.otlp_headers_env.${name}: environment variable ${variable} is not set`);
    else headers[name] = value;
  }
  if (missing.length > 0) throw new ConfigError(loaded.source, missing);
  // GenAI semantic-convention provider names for the provider types; an OpenAI-compatible host keeps its own name.
  const wellKnown: Record<string, string> = { openai: 'openai', anthropic: 'anthropic', gemini: 'gcp.gemini' };
  return createRequestTracer({
    endpoint: telemetry.otlp_endpoint,
    headers,
    serviceName: telemetry.service_name,
    providerName: (name) => {
      const runtime = runtimes.get(name);
      return (runtime === undefined ? undefined : wellKnown[runtime.type]) ?? name;
    },
  });
}

function startRetention(options: { ledger: LedgerStore; days: number; now: () => number; logger: Logger }): NodeJS.Timeout | undefined {
  if (options.days <= 0) return undefined;
  const sweep = () => {
    options.ledger
      .deleteBefore(options.now() - options.days * 86_400_000)
      .then((deleted) => deleted > 0 && options.logger.info('retention: deleted old ledger rows', { deleted }))
      .catch((error: unknown) => options.logger.error('retention sweep failed', { error: String(error) }));
  };
  sweep();
  return setInterval(sweep, 3_600_000).unref();
}
