/**
 * The semantic cache's store (the SemanticVectorStore port of src/spec/semantic-cache.ts): vectors in
 * per-partition hnswlib indexes (./partitioned-hnsw.ts), entries in memory, and in embedded mode every entry also in
 * SQLite (`semantic_cache_entries`, migration 0006) with its vector.
 *
 * Persistence = the rows, not the index file. At start the indexes are rebuilt from the stored vectors. Why not
 * writeIndex/readIndex: the index file and the database would be two files written at different moments, and a crash
 * between them leaves an index whose labels point at rows that are gone (or miss rows that exist); detecting and
 * repairing that is more code than rebuilding, which is exact by construction, crash-safe (SQLite is transactional)
 * and fast enough (bench/semantic-cache.mjs measures it). Rows embedded by another embedder (`embedder` column differs:
 * other model or dimensions) are deleted at start, since their vectors are not comparable.
 *
 * Payloads (the cached answers) stay in SQLite in embedded mode and are read only for the entry served; without a
 * database they are kept in memory. Question texts are kept in memory: the guards read them for every candidate.
 */
import type { Database } from 'better-sqlite3';
import type { SemanticCandidate, SemanticEntry, SemanticVectorStore } from '../../spec/semantic-cache.js';
import { createPartitionedHnsw, type HnswOptions } from './partitioned-hnsw.js';

export type VectorStoreEntry = SemanticEntry;
export type VectorStoreCandidate = SemanticCandidate;
export type VectorStore = SemanticVectorStore;

export interface VectorStoreOptions {
  /** The embedded database (migrated to version 6 or later); omitted = memory only. The store does not close it. */
  db?: Database;
  /** The embedder's id (Embedder.id): rows embedded by another embedder are dropped at start. */
  embedderId: string;
  hnsw?: HnswOptions;
}

interface Row {
  id: number;
  partition: string;
  text: string;
  vector: Buffer;
  stored_at: number;
  expires_at: number;
}

const toBlob = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
/** Copies the bytes: a Buffer from SQLite need not be 4-byte aligned for a Float32Array view. */
const fromBlob = (blob: Buffer) => new Float32Array(new Uint8Array(blob).buffer);

function isRow(value: unknown): value is Row {
  if (typeof value !== 'object' || value === null) return false;
  const row = value as Record<string, unknown>;
  return typeof row.id === 'number' && typeof row.partition === 'string' && typeof row.text === 'string' && Buffer.isBuffer(row.vector) && typeof row.stored_at === 'number' && typeof row.expires_at === 'number';
}

function sqliteBackend(db: Database, embedderId: string) {
  db.prepare('DELETE FROM semantic_cache_entries WHERE embedder <> ?').run(embedderId);
  const insert = db.prepare('INSERT INTO semantic_cache_entries (partition, text, payload, vector, embedder, stored_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const selectPayload = db.prepare('SELECT payload FROM semantic_cache_entries WHERE id = ?').pluck();
  const deleteOne = db.prepare('DELETE FROM semantic_cache_entries WHERE id = ?');
  const deleteMany = db.transaction((ids: readonly number[]) => {
    for (const id of ids) deleteOne.run(id);
  });
  return {
    *rows(): Generator<Row> {
      const select = db.prepare('SELECT id, partition, text, vector, stored_at, expires_at FROM semantic_cache_entries WHERE embedder = ? ORDER BY id');
      for (const row of select.iterate(embedderId)) if (isRow(row)) yield row;
    },
    insert(entry: Omit<VectorStoreEntry, 'id'>, payload: Uint8Array, vector: Float32Array): number {
      const result = insert.run(entry.partition, entry.text, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), toBlob(vector), embedderId, entry.storedAt, entry.expiresAt);
      return Number(result.lastInsertRowid);
    },
    payload(id: number): Uint8Array | null {
      const value: unknown = selectPayload.get(id);
      return value instanceof Uint8Array ? new Uint8Array(value) : null;
    },
    remove: (ids: readonly number[]) => deleteMany(ids),
  };
}

export function createVectorStore(options: VectorStoreOptions): VectorStore {
  const index = createPartitionedHnsw(options.hnsw);
  /** Insertion order = id order = storedAt order (ids ascend with time), which is what `oldest` needs. */
  const entries = new Map<number, VectorStoreEntry>();
  const payloads = new Map<number, Uint8Array>();
  const backend = options.db ? sqliteBackend(options.db, options.embedderId) : null;
  let nextId = 1;
  let closed = false;

  if (backend) {
    const unusable: number[] = [];
    for (const row of backend.rows()) {
      const entry = { id: row.id, partition: row.partition, text: row.text, storedAt: row.stored_at, expiresAt: row.expires_at };
      try {
        index.add(entry.partition, entry.id, fromBlob(row.vector));
        entries.set(entry.id, entry);
      } catch {
        unusable.push(row.id); // a vector of another length: cannot be searched, so it is not kept
      }
    }
    if (unusable.length > 0) backend.remove(unusable);
  }

  return {
    search({ partition, vector, k }) {
      const found: VectorStoreCandidate[] = [];
      for (const neighbour of index.search(partition, vector, k)) {
        const entry = entries.get(neighbour.id);
        if (entry) found.push({ ...entry, similarity: neighbour.similarity });
      }
      return found;
    },
    payload(id) {
      if (!entries.has(id)) return null;
      return backend ? backend.payload(id) : (payloads.get(id) ?? null);
    },
    add(input) {
      if (closed) throw new Error('semantic cache store is closed');
      const entry = { partition: input.partition, text: input.text, storedAt: input.storedAt, expiresAt: input.expiresAt };
      const id = backend ? backend.insert(entry, input.payload, input.vector) : nextId++;
      try {
        index.add(input.partition, id, input.vector);
      } catch (error) {
        backend?.remove([id]);
        throw error;
      }
      entries.set(id, { id, ...entry });
      if (!backend) payloads.set(id, input.payload);
      return id;
    },
    remove(ids) {
      const known = ids.filter((id) => entries.has(id));
      for (const id of known) {
        const entry = entries.get(id);
        if (entry) index.remove(entry.partition, id);
        entries.delete(id);
        payloads.delete(id);
      }
      if (known.length > 0) backend?.remove(known);
    },
    oldest(count) {
      const ids: number[] = [];
      for (const id of entries.keys()) {
        if (ids.length >= count) break;
        ids.push(id);
      }
      return ids;
    },
    expired(now) {
      const ids: number[] = [];
      for (const entry of entries.values()) if (entry.expiresAt <= now) ids.push(entry.id);
      return ids;
    },
    size: () => entries.size,
    async close() {
      closed = true;
    },
  };
}
