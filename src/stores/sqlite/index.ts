/** The embedded stores: ledger and keys in one SQLite file. */
export { openSqliteStores, type SqliteStores, type SqliteStoresOptions } from './open-sqlite-stores.js';
export { DatabaseTooNewError, migrate } from './migrate.js';
export type { KeyCacheOptions } from './sqlite-key-store.js';
