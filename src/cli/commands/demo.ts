import { randomBytes } from 'node:crypto';
import { startEmulator } from '../../emulator/index.js';
import { resolveConfig, type Environment } from '../../spec/config/load-config.js';
import type { Logger } from '../../server/logger.js';
import { startGateway, type RunningGateway } from '../../server/main.js';
import { demoCalls, driveTraffic } from './demo-traffic.js';
import { usageReport } from './usage.js';

export interface DemoOptions {
  port: number;
  dbPath: string;
  env: Environment;
  logger: Logger;
  print: (text: string) => void;
}

/**
 * Budgets, plans and customers of the demo, so the dashboard has burn-downs, alerts and margins to show. The limits
 * are sized to the demo's few cents of traffic, and the budgets only record (shadow): a budget reserves the worst case
 * of a call (its whole possible output) before it is sent, so a blocking one this small would refuse demo calls. They
 * are scoped to chat features: a budget covering embeddings calls currently refuses them (its pre-flight estimate reads
 * the body as a chat request: 400 "messages: expected array").
 */
/** The demo's providers (all on the emulator at `emulatorUrl`) and its model alias. */
export const demoModels = (emulatorUrl: string) => ({
  providers: [
    { name: 'openai', type: 'openai', base_url: `${emulatorUrl}/v1`, api_key: 'emulated' },
    { name: 'anthropic', type: 'anthropic', base_url: emulatorUrl, api_key: 'emulated' },
    { name: 'gemini', type: 'gemini', base_url: emulatorUrl, api_key: 'emulated' },
    { name: 'local', type: 'openai-compatible', base_url: `${emulatorUrl}/v1`, api_key: 'emulated', price_family: 'self-hosted' },
  ],
  models: [{ name: 'local-llama', provider: 'local', model: 'llama-3.1-8b-instruct' }],
});

export const demoControlPlane = {
  budgets: [
    { name: 'code-review-monthly', scope: { feature: 'code-review' }, period: 'monthly', limit_usd: 0.5, action: 'shadow' },
    { name: 'support-chat-daily', scope: { feature: 'support-chat' }, period: 'daily', limit_usd: 0.005, action: 'shadow' },
  ],
  plans: [
    { name: 'starter', monthly_price_usd: 0.02, included_usage_usd: 0.01 },
    { name: 'pro', monthly_price_usd: 99, included_usage_usd: 20 },
  ],
  customers: { acme: 'pro', globex: 'starter' },
};

/**
 * Marks the outcome of the demo's answered support-chat requests through POST /v1/jevons/outcomes (every fourth a
 * failure, the others successes), so cost per successful outcome has something to show. Returns what was recorded.
 */
export async function recordDemoOutcomes(gateway: RunningGateway): Promise<{ successes: number; failures: number }> {
  await gateway.writer.flush();
  const answered = (await gateway.ledger.recent(1_000)).filter((row) => row.attribution.feature === 'support-chat' && row.attempt === 1 && row.status === 200);
  const outcomes = answered.map((row, index) => ({ request_id: row.requestId, outcome: index % 4 === 3 ? 'failure' : 'success' }));
  if (outcomes.length === 0) return { successes: 0, failures: 0 };
  const response = await fetch(`${gateway.url}/v1/jevons/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcomes }) });
  if (!response.ok) throw new Error(`recording the demo outcomes failed: HTTP ${response.status} ${await response.text()}`);
  const failures = outcomes.filter((outcome) => outcome.outcome === 'failure').length;
  return { successes: outcomes.length - failures, failures };
}

/**
 * Starts the emulator and a gateway in front of it on embedded SQLite, drives the demo traffic through the gateway,
 * and prints what the ledger recorded and the dashboard's address. The admin API (and so the dashboard) uses
 * JEVONS_ADMIN_TOKEN when set, otherwise a token generated for this run; it travels in the URL fragment, which the
 * browser never sends to a server. Returns the running pieces so the caller can keep serving or stop.
 */
export async function runDemo(options: DemoOptions): Promise<{ gateway: RunningGateway; adminToken: string; close(): Promise<void> }> {
  const emulator = await startEmulator({ port: 0, chunkDelayMs: 2 });
  const adminToken = options.env.JEVONS_ADMIN_TOKEN || randomBytes(24).toString('base64url');
  const loaded = resolveConfig({
    source: 'demo',
    env: {},
    input: {
      server: { host: '127.0.0.1', port: options.port, auth: 'none' },
      storage: { path: options.dbPath, flush_interval_ms: 50 },
      ...demoModels(emulator.url),
      ...demoControlPlane,
    },
  });
  const gateway = await startGateway({ loaded, env: { ...options.env, JEVONS_ADMIN_TOKEN: adminToken }, logger: options.logger });
  options.print(`Emulated providers at ${emulator.url}; Jevons gateway at ${gateway.url} (ledger: ${options.dbPath})`);
  const since = Date.now();
  const calls = demoCalls();
  const statuses = await driveTraffic({ gatewayUrl: gateway.url, calls });
  await gateway.writer.flush();
  const outcomes = await recordDemoOutcomes(gateway);
  const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${count}× ${status}`).join(', ');
  options.print(`\nSent ${calls.length} requests through the gateway: ${summary}; marked ${outcomes.successes} answers successful and ${outcomes.failures} failed (POST /v1/jevons/outcomes)\n`);
  options.print(await usageReport({ ledger: gateway.ledger, since }));
  const generated = options.env.JEVONS_ADMIN_TOKEN ? '' : ' (admin token generated for this run; set JEVONS_ADMIN_TOKEN to choose one)';
  options.print(`\nDashboard: ${gateway.url}/dashboard/#token=${encodeURIComponent(adminToken)}${generated}`);
  return {
    gateway,
    adminToken,
    async close() {
      await gateway.close();
      await emulator.close();
    },
  };
}
