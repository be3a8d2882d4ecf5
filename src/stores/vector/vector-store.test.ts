import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalEmbedder } from '../../policies/cache/semantic/local-embedder.js';
import { createSemanticCacheEngine } from '../../policies/cache/semantic/engine.js';
import type { SemanticVectorStore, ShadowHitStore } from '../../spec/semantic-cache.js';
import { migrate } from '../sqlite/migrate.js';
import { createSqliteShadowHitStore } from './shadow-hit-store.js';
import { createVectorStore } from './vector-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openDb(path: string) {
  const db = new BetterSqlite3(path);
  migrate({ db, path });
  return db;
}

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jevons-vector-'));
  dirs.push(dir);
  return join(dir, 'jevons.db');
}

const bytes = (text: string) => new TextEncoder().encode(text);
const unit = (...values: number[]) => {
  const norm = Math.hypot(...values);
  return Float32Array.from(values.map((value) => value / norm));
};

describe('vector store', () => {
  it('implements the SemanticVectorStore and ShadowHitStore ports', () => {
    const db = openDb(':memory:');
    const store: SemanticVectorStore = createVectorStore({ db, embedderId: 'e' });
    const shadow: ShadowHitStore = createSqliteShadowHitStore(db);
    expect(store.size()).toBe(0);
    expect(typeof shadow.record).toBe('function');
    db.close();
  });

  it('survives a restart: add, close, reopen, lookup finds it', async () => {
    const path = tempPath();
    const embedder = createLocalEmbedder();
    let db = openDb(path);
    let engine = createSemanticCacheEngine({ embedder, store: createVectorStore({ db, embedderId: embedder.id }), maxEntries: 10, now: () => 1_000 });
    await engine.add({ partition: 'p', text: 'How do I reset my password?', payload: bytes('Use the reset link.'), expiresAt: 10_000 });
    await engine.close();
    db.close();

    db = openDb(path);
    engine = createSemanticCacheEngine({ embedder, store: createVectorStore({ db, embedderId: embedder.id }), maxEntries: 10, now: () => 2_000 });
    const hit = await engine.lookup({ partition: 'p', text: 'how do i reset my password', threshold: 0.9, now: 2_000 });
    expect(new TextDecoder().decode(hit?.payload)).toBe('Use the reset link.');
    expect(hit?.storedAt).toBe(1_000);
    expect(await engine.lookup({ partition: 'other', text: 'how do i reset my password', threshold: 0.5, now: 2_000 })).toBeNull();
    db.close();
  });

  it('drops rows of another embedder and expired rows at start', async () => {
    const path = tempPath();
    let db = openDb(path);
    const store = createVectorStore({ db, embedderId: 'old' });
    store.add({ partition: 'p', text: 'a', payload: bytes('a'), vector: unit(1, 0), storedAt: 1, expiresAt: 100 });
    db.close();
    db = openDb(path);
    expect(createVectorStore({ db, embedderId: 'new' }).size()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM semantic_cache_entries').pluck().get()).toBe(0);
    const fresh = createVectorStore({ db, embedderId: 'new' });
    fresh.add({ partition: 'p', text: 'b', payload: bytes('b'), vector: unit(1, 0), storedAt: 1, expiresAt: 100 });
    createSemanticCacheEngine({ embedder: createLocalEmbedder(), store: createVectorStore({ db, embedderId: 'new' }), maxEntries: 5, now: () => 200 });
    expect(db.prepare('SELECT count(*) FROM semantic_cache_entries').pluck().get()).toBe(0);
    db.close();
  });

  it('removes and evicts in both the index and the database; reuses deleted slots', () => {
    const db = openDb(':memory:');
    const store = createVectorStore({ db, embedderId: 'e', hnsw: { initialCapacity: 2 } });
    const ids = [unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)].map((vector, i) => store.add({ partition: 'p', text: `t${i}`, payload: bytes(`v${i}`), vector, storedAt: i, expiresAt: 1_000 }));
    expect(store.oldest(2)).toEqual(ids.slice(0, 2));
    store.remove([ids[0] ?? 0]);
    expect(store.search({ partition: 'p', vector: unit(1, 0, 0), k: 3 }).map((c) => c.text)).not.toContain('t0');
    expect(store.payload(ids[0] ?? 0)).toBeNull();
    const again = store.add({ partition: 'p', text: 't3', payload: bytes('v3'), vector: unit(1, 0, 0), storedAt: 3, expiresAt: 1_000 });
    expect(again).toBeGreaterThan(ids[2] ?? 0);
    expect(store.search({ partition: 'p', vector: unit(1, 0, 0), k: 1 })[0]?.text).toBe('t3');
    expect(new TextDecoder().decode(store.payload(again) ?? new Uint8Array())).toBe('v3');
    expect(store.expired(1_000)).toHaveLength(3);
    expect(store.size()).toBe(3);
    db.close();
  });

  it('rejects a vector of another length', () => {
    const store = createVectorStore({ embedderId: 'e' });
    store.add({ partition: 'p', text: 'a', payload: bytes('a'), vector: unit(1, 0), storedAt: 1, expiresAt: 100 });
    expect(() => store.add({ partition: 'q', text: 'b', payload: bytes('b'), vector: unit(1, 0, 0), storedAt: 1, expiresAt: 100 })).toThrow(RangeError);
    expect(store.size()).toBe(1);
  });
});

describe('shadow hit store', () => {
  it('records hits and lists them newest first, by time and feature', async () => {
    const db = openDb(':memory:');
    const shadow = createSqliteShadowHitStore(db);
    const hit = { id: 'h1', at: 100, requestId: 'req-1', feature: 'support', model: 'gpt-4o-mini', similarity: 0.93, question: 'q?', matchedQuestion: 'Q?', answer: 'A.', partition: 'p' };
    await shadow.record(hit);
    await shadow.record({ ...hit, id: 'h2', at: 200, feature: 'search', requestId: null });
    await shadow.record(hit);
    expect((await shadow.list({})).map((h) => h.id)).toEqual(['h2', 'h1']);
    expect(await shadow.list({ feature: 'support' })).toEqual([hit]);
    expect((await shadow.list({ since: 150 })).map((h) => h.id)).toEqual(['h2']);
    expect(await shadow.list({ limit: 1 })).toHaveLength(1);
    db.close();
  });
});
