/**
 * Starts the provider emulator and a gateway in front of it on a temporary SQLite ledger, on loopback ports chosen by
 * the OS. Every end-to-end test file uses one stack and closes it in afterAll.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { resolveConfig } from '../../src/spec/config/load-config.js';
import type { LedgerRow } from '../../src/spec/ledger.js';
import { createLogger } from '../../src/server/logger.js';
import { startGateway, type RunningGateway } from '../../src/server/main.js';

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

export interface Stack {
  emulator: Emulator;
  gateway: RunningGateway;
  /** Base URL for OpenAI-style clients (…/v1). */
  openaiBaseUrl: string;
  /** Base URL for Anthropic-style clients (no /v1). */
  anthropicBaseUrl: string;
  /** Flushes the ledger and returns the rows of the request with this id, in attempt order. */
  rowsOf(requestId: string): Promise<LedgerRow[]>;
  /** Flushes and returns the most recent row. */
  lastRow(): Promise<LedgerRow>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Top-level config keys replacing the defaults (`providers` replaces the whole list); a function receives the
   * emulator, for providers whose base_url must point at it. */
  config?: Record<string, unknown> | ((emulator: Emulator) => Record<string, unknown>);
  env?: Record<string, string>;
  /** When given, the gateway's log lines (JSON) are appended here instead of being discarded. */
  logs?: string[];
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const emulator = await startEmulator({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'jevons-e2e-'));
  const overrides = typeof options.config === 'function' ? options.config(emulator) : options.config;
  const loaded = resolveConfig({
    source: 'test',
    env: options.env ?? {},
    input: {
      server: { host: '127.0.0.1', port: 0, auth: 'none' },
      storage: { path: join(dir, 'ledger.db'), flush_interval_ms: 10 },
      providers: [
        { name: 'openai', type: 'openai', base_url: `${emulator.url}/v1`, api_key: 'sk-emulated' },
        { name: 'anthropic', type: 'anthropic', base_url: emulator.url, api_key: 'sk-ant-emulated' },
        { name: 'gemini', type: 'gemini', base_url: emulator.url, api_key: 'gm-emulated' },
      ],
      ...overrides,
    },
  });
  const gateway = await startGateway({ loaded, env: options.env ?? {}, logger: options.logs ? createLogger({ level: 'info', write: (line) => options.logs?.push(line) }) : createLogger({ level: 'silent' }) });
  const rowsOf = async (requestId: string) => {
    await gateway.writer.flush();
    return gateway.ledger.byRequest(requestId);
  };
  return {
    emulator,
    gateway,
    openaiBaseUrl: `${gateway.url}/v1`,
    anthropicBaseUrl: gateway.url,
    rowsOf,
    async lastRow() {
      await gateway.writer.flush();
      const [row] = await gateway.ledger.recent(1);
      if (!row) throw new Error('the ledger is empty');
      return row;
    },
    async close() {
      await gateway.close();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `[[emu:…]]` directive that scripts the emulator (docs/emulator.md). */
export const emu = (directive: Record<string, unknown>): string => `[[emu:${JSON.stringify(directive)}]]`;
