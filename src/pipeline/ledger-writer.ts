/**
 * The ledger off the hot path: the meter hands each row to `enqueue` (synchronous, never throws), and rows are
 * appended to the LedgerStore in batches, one transaction per batch, at most one append in flight. A client
 * response therefore never waits on the ledger, and SQLite sees a few large transactions instead of one per request.
 */
import type { LedgerRow } from '../spec/ledger.js';
import type { LedgerStore } from '../spec/ports.js';

export type TimerHandle = ReturnType<typeof setTimeout>;

export interface LedgerWriter {
  /** Queues a row for the next batch. Synchronous: never throws, never awaits, never writes in the caller's turn. */
  enqueue(row: LedgerRow): void;
  /** Writes every queued row now (in batches) and resolves when done, or at the first failed append (its rows stay
   * queued for the retry). Never rejects: failures go to onError. */
  flush(): Promise<void>;
  /** Stops the timer and writes everything queued, retrying failed batches at once up to the attempt bound. */
  close(): Promise<void>;
  /** Rows queued and not yet written (including a batch in flight or awaiting retry). */
  readonly pending: number;
  /** Rows lost so far: refused because the queue was full or the writer closed, or given up after maxAttempts. */
  readonly dropped: number;
}

export interface LedgerWriterOptions {
  store: LedgerStore;
  /** Rows per append, and the queue length that triggers a flush without waiting for the interval. Default 500. */
  maxBatchRows?: number;
  /** Longest a queued row waits before a flush starts. Default 100 ms. */
  flushIntervalMs?: number;
  /** Queue bound: beyond it the OLDEST rows are kept and new ones are dropped (and reported). Default 100,000. */
  maxPendingRows?: number;
  /** Appends of one batch before its rows are given up (and reported). Default 10. */
  maxAttempts?: number;
  /** Cap of the exponential retry delay (flushIntervalMs × 2^(failures-1)). Default 5 s. */
  maxRetryDelayMs?: number;
  /** Told of every failed append (`error.willRetry` says whether the rows are kept) and of dropped rows. */
  onError: (error: unknown, rows: number) => void;
  /** Injected for tests; default setTimeout / clearTimeout. The timer is unref()ed so it never holds the process. */
  setTimer?: (callback: () => void, delayMs: number) => TimerHandle;
  clearTimer?: (handle: TimerHandle) => void;
}

export type LedgerWriterErrorKind = 'append_failed' | 'queue_full' | 'closed';

/** What onError receives. `willRetry` is true only for an append failure whose rows are kept for the next flush. */
export class LedgerWriterError extends Error {
  readonly kind: LedgerWriterErrorKind;
  readonly willRetry: boolean;

  constructor(options: { kind: LedgerWriterErrorKind; message: string; willRetry?: boolean; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.name = 'LedgerWriterError';
    this.kind = options.kind;
    this.willRetry = options.willRetry ?? false;
  }
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

interface Settings {
  maxBatchRows: number;
  flushIntervalMs: number;
  maxPendingRows: number;
  maxAttempts: number;
  maxRetryDelayMs: number;
}

/** The writer's state machine: queue → (timer) → one drain at a time → store.append per batch. */
class BatchingLedgerWriter implements LedgerWriter {
  readonly #options: LedgerWriterOptions;
  readonly #settings: Settings;
  readonly #setTimer: NonNullable<LedgerWriterOptions['setTimer']>;
  readonly #clearTimer: NonNullable<LedgerWriterOptions['clearTimer']>;
  readonly #queue: LedgerRow[] = [];
  #timer: { handle: TimerHandle; delayMs: number; retry: boolean } | null = null;
  #running: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  #failures = 0;
  #overflow = 0;
  #dropped = 0;

  constructor(options: LedgerWriterOptions, settings: Settings) {
    this.#options = options;
    this.#settings = settings;
    this.#setTimer = options.setTimer ?? setTimeout;
    this.#clearTimer = options.clearTimer ?? clearTimeout;
  }

  get pending(): number {
    return this.#queue.length;
  }

  get dropped(): number {
    return this.#dropped;
  }

  enqueue(row: LedgerRow): void {
    if (this.#closing !== null) {
      this.#report(new LedgerWriterError({ kind: 'closed', message: 'ledger writer is closed: row dropped' }), 1);
      return;
    }
    if (this.#queue.length >= this.#settings.maxPendingRows) this.#overflow += 1;
    else this.#queue.push(row);
    // While a drain runs it picks up new rows itself; while a retry is pending, rows wait for it.
    if (this.#running !== null || this.#timer?.retry === true) return;
    if (this.#queue.length >= this.#settings.maxBatchRows) {
      // Flush soon but not in the caller's turn: the append never runs inside the request's code path.
      if (this.#timer?.delayMs === 0) return;
      this.#cancelTimer();
      this.#schedule(0, false);
    } else if (this.#timer === null) this.#schedule(this.#settings.flushIntervalMs, false);
  }

  flush(): Promise<void> {
    return this.#run(false);
  }

  close(): Promise<void> {
    this.#closing ??= this.#run(true);
    return this.#closing;
  }

  /** Waits for the drain in progress (never two appends in flight), then drains. */
  async #run(final: boolean): Promise<void> {
    while (this.#running !== null) await this.#running;
    this.#running = this.#drain(final).finally(() => {
      this.#running = null;
    });
    await this.#running;
  }

  async #drain(final: boolean): Promise<void> {
    this.#cancelTimer();
    while (this.#queue.length > 0 && (await this.#appendHead(final)));
    this.#reportOverflow();
  }

  /** Appends the head batch; on failure keeps it (or gives it up after maxAttempts). Returns false to stop draining. */
  async #appendHead(final: boolean): Promise<boolean> {
    const { maxBatchRows, maxAttempts, flushIntervalMs, maxRetryDelayMs } = this.#settings;
    const batch = this.#queue.slice(0, maxBatchRows);
    try {
      await this.#options.store.append(batch);
      this.#failures = 0;
      this.#queue.splice(0, batch.length);
      return true;
    } catch (cause) {
      this.#failures += 1;
      const failures = this.#failures;
      const willRetry = failures < maxAttempts;
      const message = `ledger append of ${batch.length} rows failed (attempt ${failures} of ${maxAttempts})${willRetry ? ', will retry' : ', rows dropped'}: ${String(cause)}`;
      if (!willRetry) {
        this.#queue.splice(0, batch.length);
        this.#failures = 0;
      }
      this.#report(new LedgerWriterError({ kind: 'append_failed', message, willRetry, cause }), batch.length);
      if (!willRetry || final) return true;
      this.#schedule(Math.min(flushIntervalMs * 2 ** (failures - 1), maxRetryDelayMs), true);
      return false;
    }
  }

  #schedule(delayMs: number, retry: boolean): void {
    const handle = this.#setTimer(() => {
      this.#timer = null;
      void this.flush();
    }, delayMs);
    handle.unref?.();
    this.#timer = { handle, delayMs, retry };
  }

  #cancelTimer(): void {
    if (this.#timer === null) return;
    this.#clearTimer(this.#timer.handle);
    this.#timer = null;
  }

  #reportOverflow(): void {
    if (this.#overflow === 0) return;
    const rows = this.#overflow;
    this.#overflow = 0;
    const message = `ledger queue full (${this.#settings.maxPendingRows} rows pending): ${rows} new rows dropped`;
    this.#report(new LedgerWriterError({ kind: 'queue_full', message }), rows);
  }

  #report(error: LedgerWriterError, rows: number): void {
    if (error.kind !== 'append_failed' || !error.willRetry) this.#dropped += rows;
    try {
      this.#options.onError(error, rows);
    } catch {
      // A throwing reporter must not break the writer (enqueue promises never to throw).
    }
  }
}

/**
 * Creates a writer. No timer runs until a row is queued, and none once the queue is empty again. Options are
 * checked here (a RangeError names the bad one), not when the first row arrives.
 */
export function createLedgerWriter(options: LedgerWriterOptions): LedgerWriter {
  return new BatchingLedgerWriter(options, {
    maxBatchRows: checkCount('maxBatchRows', options.maxBatchRows ?? 500, 1),
    flushIntervalMs: checkCount('flushIntervalMs', options.flushIntervalMs ?? 100, 0),
    maxPendingRows: checkCount('maxPendingRows', options.maxPendingRows ?? 100_000, 1),
    maxAttempts: checkCount('maxAttempts', options.maxAttempts ?? 10, 1),
    maxRetryDelayMs: checkCount('maxRetryDelayMs', options.maxRetryDelayMs ?? 5_000, 0),
  });
}
