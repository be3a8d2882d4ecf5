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
 * Starts the emulator and a gateway in front of it on embedded SQLite, drives the demo traffic through the gateway,
 * and prints what the ledger recorded. Returns the running pieces so the caller can keep serving or stop.
 */
export async function runDemo(options: DemoOptions): Promise<{ gateway: RunningGateway; close(): Promise<void> }> {
  const emulator = await startEmulator({ port: 0, chunkDelayMs: 2 });
  const loaded = resolveConfig({
    source: 'demo',
    env: {},
    input: {
      server: { host: '127.0.0.1', port: options.port, auth: 'none' },
      storage: { path: options.dbPath, flush_interval_ms: 50 },
      providers: [
        { name: 'openai', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'emulated' },
        { name: 'anthropic', type: 'anthropic', base_url: emulator.url, api_key: 'emulated' },
        { name: 'gemini', type: 'gemini', base_url: emulator.url, api_key: 'emulated' },
        { name: 'local', type: 'openai-compatible', base_url: `${emulator.url}/v1`, api_key: 'emulated', price_family: 'self-hosted' },
      ],
      models: [{ name: 'local-llama', provider: 'local', model: 'llama-3.1-8b-instruct' }],
    },
  });
  const gateway = await startGateway({ loaded, env: options.env, logger: options.logger });
  options.print(`Emulated providers at ${emulator.url}; Jevons gateway at ${gateway.url} (ledger: ${options.dbPath})`);
  const since = Date.now();
  const calls = demoCalls();
  const statuses = await driveTraffic({ gatewayUrl: gateway.url, calls });
  await gateway.writer.flush();
  const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${count}× ${status}`).join(', ');
  options.print(`\nSent ${calls.length} requests through the gateway: ${summary}\n`);
  options.print(await usageReport({ ledger: gateway.ledger, since }));
  return {
    gateway,
    async close() {
      await gateway.close();
      await emulator.close();
    },
  };
}
