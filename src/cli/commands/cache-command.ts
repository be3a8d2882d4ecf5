/**
 * What the `jevons cache …` subcommands share: the `cache` parent command, and opening the ledger database a report
 * reads (--db, else storage.path of the config), refusing a missing file rather than creating an empty one.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Environment } from '../../spec/config/load-config.js';
import { openSqliteStores, type SqliteStores } from '../../stores/sqlite/index.js';
import { loadConfig } from '../load.js';

/** The `cache` command, created by the first subcommand registered. */
export const cacheCommand = (program: Command): Command =>
  program.commands.find((command) => command.name() === 'cache') ?? program.command('cache').description('Response and prompt caching (docs/caching.md)');

/** Runs `read` on the database the options name, closing it afterwards. */
export async function withCacheDatabase<T>(options: { config?: string; db?: string }, env: NodeJS.ProcessEnv | Environment, read: (stores: SqliteStores) => Promise<T> | T): Promise<T> {
  const path = options.db ?? loadConfig({ path: options.config, env }).config.storage.path;
  if (!existsSync(path)) throw new Error(`${path}: no such database file (set --db, or storage.path in the config)`);
  const stores = openSqliteStores({ path });
  try {
    return await read(stores);
  } finally {
    await stores.close();
  }
}
