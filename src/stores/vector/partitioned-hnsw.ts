/**
 * Nearest-neighbour search with the partition as a hard filter: one hnswlib-node HierarchicalNSW index per
 * partition, created on the first vector of the partition and dropped when its last entry goes.
 *
 * Why one index per partition rather than one global index with a search filter: a partition is a (tenant, model,
 * system prompt, tool set) hash, so a gateway has many small partitions. hnswlib's filtered search walks the graph
 * until it has found `ef` neighbours that pass the filter; for a partition holding 0.1% of a shared index that is
 * close to a scan of the whole graph, through a JS callback per visited node (bench/semantic-cache.mjs measures it).
 * Separate indexes cost nothing extra per entry, start small (64 slots, doubled when full) and make a lookup's cost
 * depend on its own partition's size only. Deletion is markDelete; a deleted slot is reused by the next insertion.
 *
 * Inner-product space: vectors are unit length, so similarity = 1 - distance = cosine.
 */
import { createRequire } from 'node:module';
import type * as Hnswlib from 'hnswlib-node';

const require = createRequire(import.meta.url);
const { HierarchicalNSW } = require('hnswlib-node') as typeof Hnswlib;

export interface HnswOptions {
  /** Graph degree. Default 16. */
  m?: number;
  /** Candidate list size while building. Default 100. */
  efConstruction?: number;
  /** Candidate list size while searching (at least k). Default 64. */
  efSearch?: number;
  /** Slots of a new partition's index; doubled when full. Default 64. */
  initialCapacity?: number;
}

interface Partition {
  index: Hnswlib.HierarchicalNSW;
  live: number;
  /** Marked-deleted slots waiting to be reused. */
  deleted: number;
}

export interface Neighbour {
  id: number;
  similarity: number;
}

export interface PartitionedHnsw {
  add(partition: string, id: number, vector: Float32Array): void;
  remove(partition: string, id: number): void;
  search(partition: string, vector: Float32Array, k: number): Neighbour[];
  /** Number of partitions with an index (for reports and tests). */
  partitions(): number;
}

export function createPartitionedHnsw(options: HnswOptions & { dimensions?: number } = {}): PartitionedHnsw {
  const m = options.m ?? 16;
  const efConstruction = options.efConstruction ?? 100;
  const efSearch = options.efSearch ?? 64;
  const initialCapacity = options.initialCapacity ?? 64;
  const partitions = new Map<string, Partition>();
  /** Fixed by the first vector unless given: every index of the store has the same length. */
  let dimensions = options.dimensions ?? null;

  const open = (key: string, length: number): Partition => {
    const found = partitions.get(key);
    if (found) return found;
    const index = new HierarchicalNSW('ip', length);
    index.initIndex({ maxElements: initialCapacity, m, efConstruction, randomSeed: 100, allowReplaceDeleted: true });
    index.setEf(efSearch);
    const created = { index, live: 0, deleted: 0 };
    partitions.set(key, created);
    return created;
  };

  return {
    add(key, id, vector) {
      dimensions ??= vector.length;
      if (vector.length !== dimensions) throw new RangeError(`vector of length ${vector.length} in an index of dimension ${dimensions}`);
      const partition = open(key, dimensions);
      const point = Array.from(vector);
      if (partition.deleted > 0) {
        partition.index.addPoint(point, id, true);
        partition.deleted -= 1;
      } else {
        const capacity = partition.index.getMaxElements();
        if (partition.index.getCurrentCount() >= capacity) partition.index.resizeIndex(capacity * 2);
        partition.index.addPoint(point, id);
      }
      partition.live += 1;
    },
    remove(key, id) {
      const partition = partitions.get(key);
      if (!partition) return;
      if (partition.live <= 1) {
        partitions.delete(key);
        return;
      }
      partition.index.markDelete(id);
      partition.live -= 1;
      partition.deleted += 1;
    },
    search(key, vector, k) {
      const partition = partitions.get(key);
      if (!partition || k <= 0 || vector.length !== dimensions) return [];
      const wanted = Math.min(k, partition.live);
      if (partition.index.getEf() < wanted) partition.index.setEf(wanted);
      const result = partition.index.searchKnn(Array.from(vector), wanted);
      return result.neighbors.map((id, i) => ({ id, similarity: 1 - (result.distances[i] ?? 1) }));
    },
    partitions: () => partitions.size,
  };
}
