#!/usr/bin/env node
/**
 * The `jevons` command. The only place, with src/spec/config, that reads process.env; everything else is given it.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../spec/config/load-config.js';
import { createLogger } from '../server/logger.js';
import { openSqliteStores } from '../stores/sqlite/index.js';
import { loadConfig } from './load.js';
import { formatKeys } from './commands/keys.js';
import { createKey } from '../server/virtual-keys.js';
import { parseSince, usageReport } from './commands/usage.js';
import { configCheck } from './commands/config-check.js';
import { registerPricesCommand } from './commands/prices.js';
import { registerRepriceCommand } from './commands/reprice.js';
import { registerReconcileCommand } from './commands/reconcile.js';
import { registerBudgetsCommand } from './commands/budgets.js';
import { registerBreakersCommand } from './commands/breakers.js';
import { registerCacheBreakersCommand } from './commands/cache-breakers.js';
import { registerCacheShadowCommand } from './commands/cache-shadow.js';

const env = process.env;
const print = (text: string) => process.stdout.write(`${text}\n`);
const logger = createLogger({ level: (env.JEVONS_LOG_LEVEL as 'info' | 'warn' | 'error' | 'silent' | undefined) ?? 'info' });

const port = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) throw new InvalidArgumentError('expected a port number 0-65535');
  return parsed;
};

/** Stops cleanly on SIGINT/SIGTERM: the ledger is flushed before exit. */
function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info('shutting down', { signal });
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

function storagePath(options: { db?: string; config?: string }): string {
  return options.db ?? loadConfig({ path: options.config, env }).config.storage.path;
}

const program = new Command('jevons').description('The cost control plane for LLM traffic.').showHelpAfterError();

program
  .command('serve')
  .description('Run the gateway against the configured providers')
  .option('-c, --config <path>', 'jevons.yaml to use')
  .option('-p, --port <port>', 'listen port (overrides server.port)', port)
  .action(async (options: { config?: string; port?: number }) => {
    const { startGateway } = await import('../server/main.js');
    const loaded = loadConfig({ path: options.config, env });
    const gateway = await startGateway({ loaded, env, logger, port: options.port });
    logger.info('jevons gateway listening', { url: gateway.url, config: loaded.source, configHash: loaded.hash, providers: loaded.config.providers.map((provider) => provider.name) });
    onShutdown(() => gateway.close());
  });

program
  .command('emulate')
  .description('Run the provider emulator (OpenAI, Anthropic and Gemini wire formats) for tests and demos')
  .option('-p, --port <port>', 'listen port', port, 18080)
  .option('--latency-ms <ms>', 'delay before response headers', Number, 0)
  .option('--chunk-delay-ms <ms>', 'delay between stream chunks', Number, 0)
  .action(async (options: { port: number; latencyMs: number; chunkDelayMs: number }) => {
    const { startEmulator } = await import('../emulator/index.js');
    const emulator = await startEmulator({ port: options.port, latencyMs: options.latencyMs, chunkDelayMs: options.chunkDelayMs });
    logger.info('provider emulator listening', { url: emulator.url });
    onShutdown(() => emulator.close());
  });

program
  .command('demo')
  .description('Start the gateway on embedded SQLite in front of the emulator, send a realistic traffic mix, show the costs')
  .option('-p, --port <port>', 'gateway port', port, 4000)
  .option('--db <path>', 'ledger file', '.jevons/demo.db')
  .option('--exit', 'stop after printing the report instead of serving on')
  .action(async (options: { port: number; db: string; exit?: boolean }) => {
    const { runDemo } = await import('./commands/demo.js');
    const demo = await runDemo({ port: options.port, dbPath: options.db, env, logger: createLogger({ level: 'error' }), print });
    if (options.exit) return demo.close();
    print(`\nThe gateway keeps serving at ${demo.gateway.url} (emulated upstreams, no API key needed). Try:`);
    print(`  curl -s ${demo.gateway.url}/v1/chat/completions -H 'content-type: application/json' -H 'x-jevons-feature: try-it' \\`);
    print(`    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`);
    print(`  npx jevons usage --db ${options.db}\nPress Ctrl-C to stop.`);
    onShutdown(() => demo.close());
  });

program
  .command('usage')
  .description('Spend by feature, model and customer from the ledger')
  .option('-c, --config <path>', 'jevons.yaml (for storage.path)')
  .option('--db <path>', 'ledger file (overrides the config)')
  .option('--since <when>', 'ISO date or span (24h, 7d)')
  .option('--by <dimensions>', 'comma-separated: feature,model,customer,team,app,user,provider,key,day', 'feature,model,customer')
  .action(async (options: { config?: string; db?: string; since?: string; by: string }) => {
    const allowed = ['feature', 'model', 'customer', 'team', 'app', 'user', 'provider', 'key', 'day'] as const;
    const by = options.by.split(',').map((part) => part.trim());
    const unknown = by.filter((part) => !(allowed as readonly string[]).includes(part));
    if (unknown.length > 0) throw new InvalidArgumentError(`--by: unknown dimension ${unknown.join(', ')} (choose from ${allowed.join(', ')})`);
    const stores = openSqliteStores({ path: storagePath(options) });
    try {
      print(await usageReport({ ledger: stores.ledger, since: parseSince(options.since, Date.now()), by: by as (typeof allowed)[number][] }));
    } finally {
      await stores.close();
    }
  });

const keys = program.command('keys').description('Manage virtual keys');
keys
  .command('create <name>')
  .description('Create a virtual key; its secret is printed once and stored only as a hash')
  .option('-c, --config <path>').option('--db <path>')
  .option('--team <team>').option('--app <app>').option('--feature <feature>').option('--customer <customer>')
  .action(async (name: string, options: { config?: string; db?: string; team?: string; app?: string; feature?: string; customer?: string }) => {
    const stores = openSqliteStores({ path: storagePath(options) });
    try {
      const { key, secret } = await createKey({ keys: stores.keys, input: { name, ...options }, now: Date.now() });
      print(`Created key ${key.id} (${key.name}). Its secret, shown only now:\n\n  ${secret}\n`);
    } finally {
      await stores.close();
    }
  });
keys
  .command('list')
  .option('-c, --config <path>').option('--db <path>')
  .action(async (options: { config?: string; db?: string }) => {
    const stores = openSqliteStores({ path: storagePath(options) });
    try {
      print(formatKeys(await stores.keys.list()));
    } finally {
      await stores.close();
    }
  });
keys
  .command('revoke <id>')
  .option('-c, --config <path>').option('--db <path>')
  .action(async (id: string, options: { config?: string; db?: string }) => {
    const stores = openSqliteStores({ path: storagePath(options) });
    try {
      if (!(await stores.keys.revoke(id, Date.now()))) throw new Error(`no active key with id ${id}`);
      print(`Revoked ${id}.`);
    } finally {
      await stores.close();
    }
  });

program
  .command('config')
  .description('Configuration tools')
  .command('check')
  .description('Validate jevons.yaml and the environment it needs; prints what would be served')
  .option('-c, --config <path>')
  .action((options: { config?: string }) => {
    const result = configCheck({ path: options.config, env });
    print(result.text);
    process.exitCode = result.ok ? 0 : 1;
  });

registerPricesCommand(program, { env, print });
registerRepriceCommand(program, { env, print });
registerReconcileCommand(program, { env, print });
registerBudgetsCommand(program, { env, print });
registerBreakersCommand(program, { env, print });
registerCacheBreakersCommand(program, { env, print });
registerCacheShadowCommand(program, { env, print });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`jevons: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
