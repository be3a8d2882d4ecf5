import type { Database } from 'better-sqlite3';
import { migrations as knownMigrations, type Migration } from './migrations/index.js';

/** The database was written by a newer Jevons whose schema this version does not know. */
export class DatabaseTooNewError extends Error {
  readonly found: number;
  readonly known: number;

  constructor(options: { path: string; found: number; known: number }) {
    super(
      `${options.path}: schema version ${options.found} was written by a newer version of Jevons (this one knows up to ` +
        `version ${options.known}). Upgrade Jevons, or point storage.path at another file.`,
    );
    this.name = 'DatabaseTooNewError';
    this.found = options.found;
    this.known = options.known;
  }
}

function userVersion(db: Database): number {
  const version: unknown = db.pragma('user_version', { simple: true });
  return typeof version === 'number' ? version : 0;
}

/**
 * Brings the schema up to date: runs the pending migrations in order inside ONE immediate transaction and records
 * the new version in `PRAGMA user_version` (part of the same transaction, so a failure leaves the file untouched).
 * The write lock is taken before the version is read, so two processes opening a fresh file do not both migrate.
 * Returns the schema version now in force. Throws DatabaseTooNewError rather than touching a newer schema.
 */
export function migrate(options: { db: Database; path: string; migrations?: readonly Migration[] }): number {
  const { db } = options;
  const migrations = options.migrations ?? knownMigrations;
  const known = migrations.at(-1)?.version ?? 0;
  const run = db.transaction(() => {
    const found = userVersion(db);
    if (found > known) throw new DatabaseTooNewError({ path: options.path, found, known });
    for (const migration of migrations) {
      if (migration.version <= found) continue;
      db.exec(migration.sql);
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    }
    return userVersion(db);
  });
  return run.immediate();
}
