import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyDefaults } from '../../spec/ports.js';
import { openSqliteStores, type SqliteStores } from './open-sqlite-stores.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let time = 1_700_000_000_000;
let path = '';
let stores: SqliteStores;
let fileNumber = 0;
beforeEach(() => {
  path = join(dir, `keys-${++fileNumber}.db`);
  stores = openSqliteStores({ path, now: () => time, keyCache: { maxEntries: 10, ttlMs: 30_000 } });
});
afterEach(async () => {
  await stores.close();
});

const defaults: KeyDefaults = { team: 'growth', app: null, feature: 'search', customer: null };
const input = (n: number) => ({ id: `key-${n}`, name: `key ${n}`, prefix: `jv-abc${n}`, secretHash: `hash-${n}`, createdAt: time + n, defaults });

/** Changes the file behind the store's back, as another process (the CLI) would. */
function otherProcess<T>(work: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(path);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

describe('SQLite KeyStore', () => {
  it('creates, finds by hash and lists keys; never stores the secret itself', async () => {
    const created = await stores.keys.create(input(1));
    expect(created).toEqual({ id: 'key-1', name: 'key 1', prefix: 'jv-abc1', createdAt: time + 1, revokedAt: null, defaults });
    await stores.keys.create(input(2));
    expect(await stores.keys.findByHash('hash-1')).toEqual(created);
    expect(await stores.keys.findByHash('hash-unknown')).toBeNull();
    expect((await stores.keys.list()).map((k) => k.id)).toEqual(['key-1', 'key-2']);
    const columns = otherProcess((db) => db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('keys'));
    expect(columns).toEqual(['id', 'name', 'prefix', 'secret_hash', 'created_at', 'revoked_at', 'defaults']);
  });

  it('rejects a second key with the same secret hash', async () => {
    await stores.keys.create(input(1));
    await expect(stores.keys.create({ ...input(2), secretHash: 'hash-1' })).rejects.toThrow(/UNIQUE/);
  });

  it('revokes an active key once; the revoked key is still found, marked revoked', async () => {
    await stores.keys.create(input(1));
    expect(await stores.keys.revoke('key-1', time + 5)).toBe(true);
    expect(await stores.keys.revoke('key-1', time + 6)).toBe(false);
    expect(await stores.keys.revoke('key-404', time)).toBe(false);
    expect(await stores.keys.findByHash('hash-1')).toMatchObject({ id: 'key-1', revokedAt: time + 5 });
  });

  it('serves findByHash from the cache until the TTL passes', async () => {
    await stores.keys.create(input(1));
    expect((await stores.keys.findByHash('hash-1'))?.name).toBe('key 1');
    otherProcess((db) => db.prepare("UPDATE keys SET name = 'renamed' WHERE id = 'key-1'").run());
    time += 29_999;
    expect((await stores.keys.findByHash('hash-1'))?.name).toBe('key 1');
    time += 1;
    expect((await stores.keys.findByHash('hash-1'))?.name).toBe('renamed');
  });

  it('drops a key from the cache when it is revoked', async () => {
    await stores.keys.create(input(1));
    expect((await stores.keys.findByHash('hash-1'))?.revokedAt).toBeNull();
    await stores.keys.revoke('key-1', time);
    expect((await stores.keys.findByHash('hash-1'))?.revokedAt).toBe(time);
  });

  it('does not cache misses, so a key created elsewhere works at once', async () => {
    expect(await stores.keys.findByHash('hash-7')).toBeNull();
    otherProcess((db) =>
      db.prepare("INSERT INTO keys (id, name, prefix, secret_hash, created_at, defaults) VALUES ('key-7', 'cli', 'jv-7', 'hash-7', 1, '{}')").run(),
    );
    expect(await stores.keys.findByHash('hash-7')).toEqual({
      id: 'key-7', name: 'cli', prefix: 'jv-7', createdAt: 1, revokedAt: null, defaults: { team: null, app: null, feature: null, customer: null },
    });
  });

  it('hands out copies: mutating a found key does not change the cached one', async () => {
    await stores.keys.create(input(1));
    const found = await stores.keys.findByHash('hash-1');
    if (found === null) throw new Error('key not found');
    found.defaults.team = 'mutated';
    expect((await stores.keys.findByHash('hash-1'))?.defaults.team).toBe('growth');
  });
});
