import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import type { GovernanceEvent } from '../../spec/governance.js';
import { createSqliteEventStore } from '../../stores/sqlite/event-store.js';
import { openSqliteStores } from '../../stores/sqlite/index.js';
import { registerBreakersCommand, type BreakersReport } from './breakers.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-breakers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MINUTE = 60_000;
const now = Date.UTC(2026, 10, 11, 12);

const config = `
breakers:
  - { name: agent-loops, window: 10m }
  - { name: agent-cost, max_cost_usd: 5, action: warn }
`;

const trip = (overrides: Partial<GovernanceEvent> & { id: string; at: number }): GovernanceEvent => ({
  kind: 'breaker_trip',
  name: 'agent-loops',
  scope: 'session=s-1',
  session: 's-1',
  requestId: `req-${overrides.id}`,
  reason: 'breaker "agent-loops", session "s-1": the same tool call (search {"q":"x"}) 3 times; request refused',
  costUsd: 0.25,
  details: { kind: 'repeated_tool_call', trippedAt: overrides.at, until: overrides.at + 10 * MINUTE },
  ...overrides,
});

async function setup() {
  const base = join(dir, `case-${Math.random().toString(36).slice(2)}`);
  const db = `${base}.db`;
  const yaml = `${base}.yaml`;
  writeFileSync(yaml, config);
  const stores = openSqliteStores({ path: db });
  const firstTrip = now - 4 * MINUTE;
  await createSqliteEventStore(stores.db).append([
    // s-1 tripped 4 minutes ago (10 minute window): still open; two more requests were refused since.
    trip({ id: 't1', at: firstTrip }),
    trip({ id: 't2', at: now - 3 * MINUTE, costUsd: 0.5, details: { kind: 'repeated_tool_call', trippedAt: firstTrip, until: firstTrip + 10 * MINUTE } }),
    trip({ id: 't3', at: now - 2 * MINUTE, costUsd: null, details: { kind: 'repeated_tool_call', trippedAt: firstTrip, until: firstTrip + 10 * MINUTE } }),
    // s-2 tripped 20 minutes ago: closed again.
    trip({ id: 't4', at: now - 20 * MINUTE, session: 's-2', scope: 'session=s-2' }),
    // A warn breaker without `until` in its details: open for 15 minutes (no window).
    trip({ id: 'w1', at: now - 5 * MINUTE, kind: 'breaker_warn', name: 'agent-cost', session: 'k-9', scope: 'key=k-9', costUsd: 1.5, reason: 'session over $5', details: { kind: 'max_cost' } }),
    // Older than --since.
    trip({ id: 'old', at: now - 2 * 24 * 60 * MINUTE, session: 's-0' }),
    // Not a breaker event.
    { ...trip({ id: 'r1', at: now - MINUTE }), kind: 'rate_limited', name: 'rpm' },
  ]);
  await stores.close();
  return { db, yaml };
}

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  const out: string[] = [];
  registerBreakersCommand(program, { env: {}, print: (text) => out.push(text), now: () => now });
  await program.parseAsync(['breakers', ...args], { from: 'user' });
  return out.join('\n');
}

describe('jevons breakers list', () => {
  it('lists trips newest first and the sessions currently tripped', async () => {
    const { db, yaml } = await setup();
    const report = JSON.parse(await run(['list', '--json', '-c', yaml, '--db', db])) as BreakersReport;
    expect(report.trips.map((t) => t.requestId)).toEqual(['req-t3', 'req-t2', 'req-t1', 'req-w1', 'req-t4']);
    expect(report.trips[0]).toEqual({
      at: now - 2 * MINUTE, breaker: 'agent-loops', session: 's-1', action: 'block', kind: 'repeated_tool_call',
      reason: 'breaker "agent-loops", session "s-1": the same tool call (search {"q":"x"}) 3 times; request refused',
      costStoppedUsd: null, requestId: 'req-t3', trippedAt: now - 4 * MINUTE, until: now + 6 * MINUTE,
    });
    expect(report.tripped).toEqual([
      { breaker: 'agent-loops', session: 's-1', action: 'block', kind: 'repeated_tool_call', reason: expect.stringContaining('3 times') as string, trippedAt: now - 4 * MINUTE, until: now + 6 * MINUTE, requests: 3, costStoppedUsd: 0.75 },
      { breaker: 'agent-cost', session: 'k-9', action: 'warn', kind: 'max_cost', reason: 'session over $5', trippedAt: now - 5 * MINUTE, until: now + 10 * MINUTE, requests: 1, costStoppedUsd: 1.5 },
    ]);
  });

  it('prints tables, honours --since, and says when nothing is tripped', async () => {
    const { db, yaml } = await setup();
    const text = await run(['list', '-c', yaml, '--db', db]);
    expect(text).toMatch(/^Currently tripped \(2\):\nbreaker +session +action +tripped at +until +requests +cost stopped +reason/);
    expect(text).toMatch(/agent-loops +s-1 +block +2026-11-11T11:56:00Z +2026-11-11T12:06:00Z +3 +\$0\.7500 +breaker "agent-loops"/);
    expect(text).toContain('Breaker events since 2026-11-10T12:00:00Z (5, newest first):');
    expect(text).toMatch(/2026-11-11T11:58:00Z +agent-loops +s-1 +block +repeated_tool_call +unknown/);
    const later = await run(['list', '--since', '3m', '-c', yaml, '--db', db]);
    expect(later).toContain('Breaker events since 2026-11-11T11:57:00Z (2, newest first):');
    // The trip itself is older than --since: the session still shows its trip time and the requests seen since.
    expect(later).toMatch(/agent-loops +s-1 +block +2026-11-11T11:56:00Z +2026-11-11T12:06:00Z +2 +\$0\.5000/);
    const none = await run(['list', '--since', '2026-11-11T11:59:00Z', '-c', yaml, '--db', db]);
    expect(none).toBe('No session is currently tripped.\n\nNo breaker events since 2026-11-11T11:59:00Z.');
  });

  it('rejects a bad --since and a missing database', async () => {
    const { yaml } = await setup();
    await expect(run(['list', '--since', 'yesterday', '-c', yaml, '--db', join(dir, 'x.db')])).rejects.toThrow('--since: expected an ISO date (2026-11-01) or a span like 24h / 7d, got "yesterday"');
    await expect(run(['list', '-c', yaml, '--db', join(dir, 'missing.db')])).rejects.toThrow('missing.db: no such database file');
  });
});
