/**
 * `jevons breakers list [--since 24h] [--json]`: agent circuit-breaker trips from the events table (breaker_trip,
 * breaker_warn, breaker_shadow), newest first, with the session, the reason and the cost each stopped, and the
 * sessions currently tripped.
 *
 * "Currently tripped": a session whose latest breaker event says it stays open past now, i.e. `details.until` (the
 * instant the breaker lets the session through again, set by the breaker when it trips) is in the future. Events
 * without `until` count as open for the breaker's `window` after the trip, or 15 minutes when it has none (the
 * breaker's own rule). Sessions under a warn or shadow breaker are listed too, with that action: they are served.
 * The CLI runs in another process than the gateway, so this is what the gateway has stored (events are written at
 * most 100 ms after they happen), not its memory.
 */
import { existsSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { TRIP_MS_WITHOUT_WINDOW } from '../../policies/breakers/breaker-policy.js';
import type { BreakerConfig } from '../../spec/config/governance-schema.js';
import type { Environment } from '../../spec/config/load-config.js';
import type { GovernanceEvent } from '../../spec/governance.js';
import type { EventStore } from '../../spec/ports.js';
import { createSqliteEventStore } from '../../stores/sqlite/event-store.js';
import { openSqliteStores } from '../../stores/sqlite/index.js';
import { loadConfig } from '../load.js';
import { formatTable, usd } from '../table.js';
import { parseSince } from './usage.js';

export interface BreakerTrip {
  at: number;
  breaker: string;
  session: string | null;
  /** block, warn or shadow (from the event kind). */
  action: 'block' | 'warn' | 'shadow';
  /** What tripped it: a loop kind, max_cost, retry_cap, ... */
  kind: string | null;
  reason: string;
  /** Estimated cost of the request it stopped (null when unknown). */
  costStoppedUsd: number | null;
  requestId: string | null;
  /** When the breaker tripped (a refused request after the trip carries the trip's time). */
  trippedAt: number;
  /** When the session is let through again. */
  until: number;
}

export interface TrippedSession {
  breaker: string;
  session: string | null;
  action: BreakerTrip['action'];
  kind: string | null;
  reason: string;
  trippedAt: number;
  until: number;
  /** Requests caught since the trip, and their cost stopped. */
  requests: number;
  costStoppedUsd: number;
}

export interface BreakersReport {
  since: number;
  now: number;
  tripped: TrippedSession[];
  trips: BreakerTrip[];
}

const actionOf: Record<string, BreakerTrip['action']> = { breaker_trip: 'block', breaker_warn: 'warn', breaker_shadow: 'shadow' };
const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function tripOf(event: GovernanceEvent, breakers: readonly BreakerConfig[]): BreakerTrip {
  const trippedAt = number(event.details.trippedAt) ?? event.at;
  const window = breakers.find((breaker) => breaker.name === event.name)?.window ?? TRIP_MS_WITHOUT_WINDOW;
  return {
    at: event.at,
    breaker: event.name,
    session: event.session,
    action: actionOf[event.kind] ?? 'block',
    kind: typeof event.details.kind === 'string' ? event.details.kind : null,
    reason: event.reason,
    costStoppedUsd: event.costUsd,
    requestId: event.requestId,
    trippedAt,
    until: number(event.details.until) ?? trippedAt + window,
  };
}

export async function breakersReport(options: { events: Pick<EventStore, 'list'>; breakers: readonly BreakerConfig[]; since: number; now: number }): Promise<BreakersReport> {
  const events = await options.events.list({ kinds: ['breaker_trip', 'breaker_warn', 'breaker_shadow'], since: options.since, limit: 100_000 });
  const trips = events.map((event) => tripOf(event, options.breakers));
  const latest = new Map<string, TrippedSession>();
  // Oldest first, so the latest event of a session decides and counts accumulate since its trip.
  for (const trip of [...trips].reverse()) {
    const key = `${trip.breaker}\u0000${trip.session ?? ''}`;
    const open = latest.get(key);
    if (open !== undefined && open.trippedAt === trip.trippedAt) {
      open.requests += 1;
      open.costStoppedUsd += trip.costStoppedUsd ?? 0;
      open.reason = trip.reason;
      continue;
    }
    latest.set(key, { breaker: trip.breaker, session: trip.session, action: trip.action, kind: trip.kind, reason: trip.reason, trippedAt: trip.trippedAt, until: trip.until, requests: 1, costStoppedUsd: trip.costStoppedUsd ?? 0 });
  }
  const tripped = [...latest.values()].filter((session) => session.until > options.now).sort((a, b) => b.trippedAt - a.trippedAt);
  return { since: options.since, now: options.now, tripped, trips };
}

const iso = (at: number): string => new Date(at).toISOString().replace('.000Z', 'Z');

export function formatBreakersReport(report: BreakersReport): string {
  const lines: string[] = [];
  if (report.tripped.length === 0) lines.push('No session is currently tripped.');
  else {
    lines.push(`Currently tripped (${report.tripped.length}):`);
    lines.push(
      formatTable(
        ['breaker', 'session', 'action', 'tripped at', 'until', 'requests', 'cost stopped', 'reason'],
        report.tripped.map((s) => [s.breaker, s.session ?? '-', s.action, iso(s.trippedAt), iso(s.until), s.requests, usd(s.costStoppedUsd), s.reason]),
      ),
    );
  }
  lines.push('');
  if (report.trips.length === 0) lines.push(`No breaker events since ${iso(report.since)}.`);
  else {
    lines.push(`Breaker events since ${iso(report.since)} (${report.trips.length}, newest first):`);
    lines.push(
      formatTable(
        ['when', 'breaker', 'session', 'action', 'kind', 'cost stopped', 'reason'],
        report.trips.map((t) => [iso(t.at), t.breaker, t.session ?? '-', t.action, t.kind ?? '-', t.costStoppedUsd === null ? 'unknown' : usd(t.costStoppedUsd), t.reason]),
      ),
    );
  }
  return lines.join('\n');
}

export interface BreakersDeps {
  env: NodeJS.ProcessEnv | Environment;
  print: (text: string) => void;
  now?: () => number;
}

export function registerBreakersCommand(program: Command, deps: BreakersDeps): void {
  const now = deps.now ?? Date.now;
  program
    .command('breakers')
    .description('Agent circuit breakers (docs/governance.md)')
    .command('list')
    .description('Breaker trips (session, reason, cost stopped) and the sessions currently tripped')
    .option('--since <when>', 'ISO date or span (30m, 24h, 7d)', '24h')
    .option('--json', 'print JSON instead of tables')
    .option('-c, --config <path>', 'jevons.yaml (breakers and storage.path)')
    .option('--db <path>', 'database file (overrides the config)')
    .action(async (options: { since: string; json?: boolean; config?: string; db?: string }) => {
      const at = now();
      let since: number;
      try {
        since = parseSince(options.since, at) ?? at - 86_400_000;
      } catch (error) {
        throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
      }
      const loaded = loadConfig({ path: options.config, env: deps.env });
      const path = options.db ?? loaded.config.storage.path;
      if (!existsSync(path)) throw new Error(`${path}: no such database file (set --db, or storage.path in the config)`);
      const stores = openSqliteStores({ path });
      try {
        const report = await breakersReport({ events: createSqliteEventStore(stores.db), breakers: loaded.config.breakers, since, now: at });
        deps.print(options.json ? JSON.stringify(report, null, 2) : formatBreakersReport(report));
      } finally {
        await stores.close();
      }
    });
}
