import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { KeyDefaults, KeyStore, VirtualKey } from '../../spec/ports.js';
import { createLruTtlMap } from '../memory/lru-ttl-map.js';
import { jsonColumn } from './json-column.js';

export interface KeyCacheOptions {
  /** Keys kept in the lookup cache. Default 1,000. */
  maxEntries?: number;
  /** How long a looked-up key is trusted without asking the database. Default 30 s. */
  ttlMs?: number;
}

const nullableText = z.string().nullish().transform((value) => value ?? null);
const defaultsSchema = z.object({ team: nullableText, app: nullableText, feature: nullableText, customer: nullableText }) satisfies z.ZodType<KeyDefaults>;

const keyRecordSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    created_at: z.number(),
    revoked_at: z.number().nullable(),
    defaults: jsonColumn('defaults', defaultsSchema),
  })
  .transform((r): VirtualKey => ({ id: r.id, name: r.name, prefix: r.prefix, createdAt: r.created_at, revokedAt: r.revoked_at, defaults: r.defaults }));

const keyColumns = 'id, name, prefix, created_at, revoked_at, defaults';

/** A copy, so a caller mutating what it was given cannot alter the cached key. */
const copy = (key: VirtualKey): VirtualKey => ({ ...key, defaults: { ...key.defaults } });

/**
 * The embedded KeyStore. `findByHash` runs on every authenticated request: it reads a prepared, UNIQUE-indexed
 * statement behind a small LRU/TTL cache. Found keys (revoked ones included, so the caller can say "revoked") are
 * cached; misses are not, so a key created by another process (the CLI) works at once. `revoke` in this process
 * drops the key from the cache immediately; a revoke made by another process takes effect within ttlMs.
 */
export function createSqliteKeyStore(options: { db: Database; now: () => number; cache?: KeyCacheOptions }): KeyStore {
  const { db } = options;
  const ttlMs = options.cache?.ttlMs ?? 30_000;
  const cache = createLruTtlMap<string, VirtualKey>({ maxEntries: options.cache?.maxEntries ?? 1_000, now: options.now });
  const insert = db.prepare(
    'INSERT INTO keys (id, name, prefix, secret_hash, created_at, revoked_at, defaults) VALUES (@id, @name, @prefix, @secretHash, @createdAt, NULL, @defaults)',
  );
  const byHash = db.prepare(`SELECT ${keyColumns} FROM keys WHERE secret_hash = ?`);
  const all = db.prepare(`SELECT ${keyColumns} FROM keys ORDER BY created_at, id`);
  const revoke = db.prepare('UPDATE keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL RETURNING secret_hash');
  const revokedHash = z.object({ secret_hash: z.string() });

  return {
    async create(input) {
      const defaults = defaultsSchema.parse(input.defaults);
      insert.run({ ...input, defaults: JSON.stringify(defaults) });
      return { id: input.id, name: input.name, prefix: input.prefix, createdAt: input.createdAt, revokedAt: null, defaults };
    },
    async findByHash(secretHash) {
      const cached = cache.get(secretHash);
      if (cached !== undefined) return copy(cached);
      const record = byHash.get(secretHash);
      if (record === undefined) return null;
      const key = keyRecordSchema.parse(record);
      cache.set(secretHash, key, ttlMs);
      return copy(key);
    },
    async list() {
      return all.all().map((record) => keyRecordSchema.parse(record));
    },
    async revoke(id, at) {
      const record = revoke.get({ id, at });
      if (record === undefined) return false;
      cache.delete(revokedHash.parse(record).secret_hash);
      return true;
    },
  };
}
