/**
 * GET /providers/health: the provider health circuits of routing execution (policies/routing/health,
 * docs/routing-execution.md), read-only. One entry per configured provider, in config order (a provider no attempt
 * has reached yet is closed with no history), then any other provider an attempt reached. The circuits live in memory,
 * in the gateway process that serves model calls: with several processes each has its own view.
 */
import type { CircuitState, HealthTracker, ProviderHealth } from '../../policies/routing/health/index.js';
import { AdminError } from './admin-error.js';
import { arr, bool, int, nullable, obj, ref, str, type AdminContext, type AdminRoute, type JsonSchema } from './admin-route.js';

/** What the route reads; built by the composition root (server/main.ts) from its routing execution and providers. */
export interface HealthRoutesSource {
  /** The tracker the dispatcher feeds on every attempt (`routingExecution.health`). */
  tracker: Pick<HealthTracker, 'snapshot' | 'failureThreshold' | 'openForMs'>;
  /** The configured provider names, in config order. */
  providers: () => readonly string[];
}

const stateNames: Record<CircuitState, string> = { closed: 'closed', open: 'open', 'half-open': 'half_open' };
const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());

const unseen = (provider: string): ProviderHealth => ({
  provider, state: 'closed', consecutiveFailures: 0, openedAt: null, probeAt: null, probeInFlight: false, totalFailures: 0, totalSuccesses: 0, lastFailure: null, lastSuccessAt: null,
});

/** One provider's circuit as the admin API shows it. */
export function providerHealthJson(entry: ProviderHealth): Record<string, unknown> {
  return {
    provider: entry.provider,
    state: stateNames[entry.state],
    consecutive_failures: entry.consecutiveFailures,
    total_failures: entry.totalFailures,
    total_successes: entry.totalSuccesses,
    last_failure: entry.lastFailure === null ? null : { at: iso(entry.lastFailure.at), code: entry.lastFailure.code, status: entry.lastFailure.status },
    last_success_at: iso(entry.lastSuccessAt),
    opened_at: iso(entry.openedAt),
    probe_at: iso(entry.probeAt),
    probe_in_flight: entry.probeInFlight,
  };
}

/** Configured providers first (in config order), then the others the tracker has seen, by name. */
export function providerHealthList(source: HealthRoutesSource): ProviderHealth[] {
  const seen = new Map(source.tracker.snapshot().map((entry) => [entry.provider, entry] as const));
  const configured = source.providers();
  const listed = configured.map((provider) => seen.get(provider) ?? unseen(provider));
  const others = [...seen.values()].filter((entry) => !configured.includes(entry.provider)).sort((a, b) => a.provider.localeCompare(b.provider));
  return [...listed, ...others];
}

const providerHealthSchema = obj({
  provider: str('Provider name (providers[].name).'),
  state: { type: 'string', enum: ['closed', 'open', 'half_open'], description: 'closed: calls go through; open: its candidates are skipped until probe_at; half_open: one probe call decides.' },
  consecutive_failures: int('Retryable failures in a row (the circuit opens at failure_threshold).'),
  total_failures: int('Failed attempts since the process started.'),
  total_successes: int('Answered attempts (any status that is not retryable) since the process started.'),
  last_failure: nullable({ ...obj({ at: str(), code: str('The attempt error code (upstream_timeout, upstream_unreachable, upstream_server_error...), or http_<status>.'), status: int('HTTP status, 0 when no answer came.') }), description: 'The latest failure; null before the first.' }),
  last_success_at: nullable(str()),
  opened_at: nullable(str('When the circuit last opened; null when closed.')),
  probe_at: nullable(str('Open: when the next call may probe the provider; null otherwise.')),
  probe_in_flight: bool('Half-open: the one probe call is under way, every other call skips the provider.'),
});

export const healthSchemas: Record<string, JsonSchema> = { ProviderHealth: providerHealthSchema };

/** The route, reading `source`; without one (an admin API outside a gateway process) it answers 404. */
export function healthRoutes(source: HealthRoutesSource | undefined): AdminRoute[] {
  const handle = async (context: AdminContext): Promise<unknown> => {
    if (source === undefined) throw new AdminError({ code: 'not_found', message: 'Provider health is kept by the gateway process that serves model calls; this admin API runs without one.' });
    return {
      at: new Date(context.now).toISOString(),
      failure_threshold: source.tracker.failureThreshold,
      open_for_ms: source.tracker.openForMs,
      providers: providerHealthList(source).map(providerHealthJson),
    };
  };
  return [
    {
      method: 'GET',
      path: '/providers/health',
      summary: 'Provider health circuits: state, failures, last failure, when an open circuit probes again',
      description: 'The circuits routing execution keeps per provider (docs/routing-execution.md), in memory, per gateway process. Configured providers in config order, then any other provider an attempt reached.',
      response: obj({
        at: str('When the snapshot was taken.'),
        failure_threshold: int('routing.health.failure_threshold.'),
        open_for_ms: int('routing.health.open_for, in ms.'),
        providers: arr(ref('ProviderHealth')),
      }),
      handle,
    },
  ];
}
