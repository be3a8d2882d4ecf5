import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LedgerRow } from '../spec/ledger.js';
import type { LedgerStore } from '../spec/ports.js';
import { createLedgerWriter, LedgerWriterError, type LedgerWriterOptions, type TimerHandle } from './ledger-writer.js';

function row(n: number): LedgerRow {
  return {
    id: `row-${n}`, requestId: `req-${n}`, attempt: 1, startedAt: 1_000 + n, firstByteAt: null, endedAt: 2_000 + n,
    dialect: 'openai', endpoint: 'chat', provider: 'openai', requestedModel: 'gpt-4o', servedModel: null, status: 200,
    errorCode: null, streamed: false, clientAborted: false,
    attribution: { keyId: null, team: null, app: null, feature: null, user: null, customer: null, session: null, tags: {} },
    inputTokens: 1, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 1, reasoningTokens: 0,
    usageEstimated: false, costInputUsd: null, costCacheReadUsd: null, costCacheWriteUsd: null, costOutputUsd: null,
    costTotalUsd: null, priceRef: null, configHash: 'h', inputAudioTokens: 0, inputImageTokens: 0, cacheReadAudioTokens: 0,
    outputAudioTokens: 0, outputImageTokens: 0, serviceTier: 'standard', costRequestUsd: null, previousCostTotalUsd: null,
    previousPriceRef: null, repricedAt: null, cacheSource: null, costUncachedUsd: null,
    routeTier: null, routeReason: null, routeScore: null, routeClassifier: null, routeCandidates: null, shadowTier: null,
    shadowProvider: null, shadowModel: null, shadowCostUsd: null, followsReason: null, baselineProvider: null, baselineModel: null, baselineCostUsd: null,
  };
}

/** A LedgerStore that records batches; `failures` appends fail first; `gate` holds appends open when set. */
function fakeStore(options: { failures?: number; gate?: () => Promise<void> } = {}) {
  const batches: string[][] = [];
  let failuresLeft = options.failures ?? 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const store: LedgerStore = {
    async append(rows) {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (options.gate) await options.gate();
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('SQLITE_BUSY: database is locked');
        }
        batches.push(rows.map((r) => r.id));
      } finally {
        inFlight -= 1;
      }
    },
    usage: async () => [],
    byRequest: async () => [],
    recent: async () => [],
    deleteBefore: async () => 0,
    close: async () => {},
  };
  return { store, batches, written: () => batches.flat(), maxInFlight: () => maxInFlight };
}

function writerWith(store: LedgerStore, extra: Partial<LedgerWriterOptions> = {}) {
  const errors: { error: unknown; rows: number }[] = [];
  const writer = createLedgerWriter({ store, onError: (error, rows) => void errors.push({ error, rows }), ...extra });
  return { writer, errors };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createLedgerWriter', () => {
  it('runs no timer while idle, one after the first row, none again once flushed', async () => {
    const { store } = fakeStore();
    const { writer } = writerWith(store);
    expect(vi.getTimerCount()).toBe(0);
    writer.enqueue(row(1));
    writer.enqueue(row(2));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(writer.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushes flushIntervalMs after the first pending row, in one batch', async () => {
    const { store, batches } = fakeStore();
    const { writer } = writerWith(store, { flushIntervalMs: 100 });
    writer.enqueue(row(1));
    await vi.advanceTimersByTimeAsync(60);
    writer.enqueue(row(2));
    await vi.advanceTimersByTimeAsync(39);
    expect(batches).toEqual([]);
    expect(writer.pending).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([['row-1', 'row-2']]);
  });

  it('flushes as soon as maxBatchRows are pending, outside the caller turn, in batches of maxBatchRows', async () => {
    const { store, batches } = fakeStore();
    const { writer } = writerWith(store, { maxBatchRows: 3, flushIntervalMs: 10_000 });
    for (let i = 1; i <= 7; i++) writer.enqueue(row(i));
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps a failed batch and retries it on the next flush with backoff; rows are written once', async () => {
    const { store, batches } = fakeStore({ failures: 2 });
    const { writer, errors } = writerWith(store, { flushIntervalMs: 100 });
    writer.enqueue(row(1));
    writer.enqueue(row(2));
    await vi.advanceTimersByTimeAsync(100);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.rows).toBe(2);
    expect(errors[0]?.error).toBeInstanceOf(LedgerWriterError);
    expect(errors[0]?.error).toMatchObject({ kind: 'append_failed', willRetry: true });
    expect(writer.pending).toBe(2);
    writer.enqueue(row(3)); // waits for the scheduled retry, no extra timer
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(errors).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([['row-1', 'row-2', 'row-3']]);
    expect(writer.pending).toBe(0);
    expect(writer.dropped).toBe(0);
  });

  it('gives a batch up after maxAttempts and reports the rows as dropped', async () => {
    const { store, written } = fakeStore({ failures: 2 });
    const { writer, errors } = writerWith(store, { maxAttempts: 2, maxBatchRows: 2 });
    writer.enqueue(row(1));
    writer.enqueue(row(2));
    writer.enqueue(row(3));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(errors.map((e) => [e.rows, (e.error as LedgerWriterError).willRetry])).toEqual([[2, true], [2, false]]);
    expect(written()).toEqual(['row-3']);
    expect(writer.dropped).toBe(2);
  });

  it('never has two appends in flight', async () => {
    const { store, written, maxInFlight } = fakeStore({ gate: () => new Promise((resolve) => setTimeout(resolve, 30)) });
    const { writer } = writerWith(store, { maxBatchRows: 5, flushIntervalMs: 10 });
    for (let i = 0; i < 50; i++) {
      writer.enqueue(row(i));
      if (i % 7 === 0) void writer.flush();
      await vi.advanceTimersByTimeAsync(3);
    }
    const closed = writer.close();
    await vi.advanceTimersByTimeAsync(1_000);
    await closed;
    expect(maxInFlight()).toBe(1);
    expect(written()).toEqual(Array.from({ length: 50 }, (_, i) => `row-${i}`));
  });

  it('flush() writes everything queued and resolves after it', async () => {
    const { store, written } = fakeStore();
    const { writer } = writerWith(store);
    for (let i = 0; i < 1_201; i++) writer.enqueue(row(i));
    await writer.flush();
    expect(written()).toHaveLength(1_201);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() flushes, retries at once within the bound, stops the timer and refuses later rows', async () => {
    const { store, written } = fakeStore({ failures: 1 });
    const { writer, errors } = writerWith(store);
    writer.enqueue(row(1));
    writer.enqueue(row(2));
    await writer.close();
    expect(written()).toEqual(['row-1', 'row-2']);
    expect(vi.getTimerCount()).toBe(0);
    writer.enqueue(row(3));
    expect(errors.map((e) => (e.error as LedgerWriterError).kind)).toEqual(['append_failed', 'closed']);
    expect(writer.dropped).toBe(1);
    await writer.close();
  });

  it('keeps the oldest rows beyond maxPendingRows and reports the new ones as dropped', async () => {
    const { store, written } = fakeStore();
    const { writer, errors } = writerWith(store, { maxPendingRows: 5, maxBatchRows: 100 });
    for (let i = 1; i <= 8; i++) writer.enqueue(row(i));
    expect(writer.pending).toBe(5);
    await vi.advanceTimersByTimeAsync(100);
    expect(written()).toEqual(['row-1', 'row-2', 'row-3', 'row-4', 'row-5']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ rows: 3, error: { kind: 'queue_full' } });
    expect(writer.dropped).toBe(3);
  });

  it('survives an onError that throws', async () => {
    const { store } = fakeStore({ failures: 1 });
    const writer = createLedgerWriter({ store, onError: () => { throw new Error('logger down'); } });
    writer.enqueue(row(1));
    await vi.advanceTimersByTimeAsync(100);
    await writer.close();
    expect(() => writer.enqueue(row(2))).not.toThrow();
  });

  it('rejects nonsensical options when built', () => {
    const { store } = fakeStore();
    expect(() => writerWith(store, { maxBatchRows: 0 })).toThrow(/maxBatchRows/);
    expect(() => writerWith(store, { flushIntervalMs: -1 })).toThrow(RangeError);
  });

  it('uses the injected timer functions and unrefs the timer', async () => {
    vi.useRealTimers();
    const handles: TimerHandle[] = [];
    const { store, written } = fakeStore();
    const { writer } = writerWith(store, {
      flushIntervalMs: 5,
      setTimer: (callback, delayMs) => {
        const handle = setTimeout(callback, delayMs);
        handles.push(handle);
        return handle;
      },
      clearTimer: (handle) => clearTimeout(handle),
    });
    writer.enqueue(row(1));
    expect(handles).toHaveLength(1);
    expect(handles[0]?.hasRef()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(written()).toEqual(['row-1']);
    await writer.close();
  });
});
