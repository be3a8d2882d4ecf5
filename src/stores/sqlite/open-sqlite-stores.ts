import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { KeyStore, LedgerStore } from '../../spec/ports.js';
import { migrate } from './migrate.js';
import { createSqliteKeyStore, type KeyCacheOptions } from './sqlite-key-store.js';
import { createSqliteLedgerStore } from './sqlite-ledger-store.js';

export interface SqliteStoresOptions {
  /** Database file; its directory is created if missing. `':memory:'` for a private in-memory database. */
  path: string;
  /** How long a write waits for another connection's lock before failing with SQLITE_BUSY. Default 5 s. */
  busyTimeoutMs?: number;
  /** Clock of the key lookup cache. Default Date.now. */
  now?: () => number;
  keyCache?: KeyCacheOptions;
}

export interface SqliteStores {
  ledger: LedgerStore;
  keys: KeyStore;
  /** The connection itself, for read-only reports and maintenance commands (reconcile, reprice). */
  db: BetterSqlite3.Database;
  /** Closes the connection shared by both stores. Idempotent; `ledger.close()` does the same. */
  close(): Promise<void>;
}

const isFile = (path: string) => path !== '' && path !== ':memory:';

/**
 * Opens (creating if needed) the embedded database and returns the ledger and key stores over ONE connection.
 * WAL lets the CLI and dashboard read while the gateway writes; synchronous=NORMAL is durable across process
 * crashes in WAL mode (a power loss may drop the last transactions, acceptable for a usage ledger); busy_timeout
 * makes concurrent writers (gateway + CLI) wait instead of failing. Pending migrations run before any use.
 * Throws DatabaseTooNewError (from ./migrate.js) when the file was written by a newer Jevons.
 */
export function openSqliteStores(options: SqliteStoresOptions): SqliteStores {
  if (isFile(options.path)) mkdirSync(dirname(options.path), { recursive: true });
  const db = new BetterSqlite3(options.path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`);
    migrate({ db, path: options.path });
  } catch (error) {
    db.close();
    throw error;
  }
  const close = async (): Promise<void> => {
    if (!db.open) return;
    try {
      // Recommended before closing a long-lived connection: refreshes planner statistics when worthwhile.
      // Best effort only: failing to optimise must not keep the file open or fail the shutdown.
      db.pragma('optimize');
    } catch {
      // ignored, see above
    }
    db.close();
  };
  return {
    ledger: createSqliteLedgerStore({ db, close }),
    keys: createSqliteKeyStore({ db, now: options.now ?? Date.now, cache: options.keyCache }),
    db,
    close,
  };
}
