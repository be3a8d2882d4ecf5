/**
 * `recordEvent` as the gateway uses it: every governance event is logged (one warn line), kept in a small in-memory
 * ring of recent events (for the admin API / dashboard), and queued for the event store. The queue is written in one
 * transaction at most `flushMs` after the first queued event (or as soon as `maxBatch` are waiting), off the request
 * path, and on close. `record` never throws into a request: a failing store is logged and its batch dropped; past
 * `maxQueued` waiting events (a store that cannot keep up) new events are counted and dropped, logged once per flush.
 * Events are rare (alerts, refusals, trips), so a crash loses at most the last `flushMs` of them.
 */
import type { GovernanceEvent } from '../../spec/governance.js';
import type { EventStore } from '../../spec/ports.js';
import type { Logger } from '../logger.js';

export interface EventRecorderOptions {
  /** Where events are stored; without one they are only logged and kept in memory. */
  store?: Pick<EventStore, 'append'>;
  logger: Logger;
  /** Default 100 ms. */
  flushMs?: number;
  /** Default 500. */
  maxBatch?: number;
  /** Default 10,000. */
  maxQueued?: number;
  /** Recent events kept in memory. Default 200. */
  recentSize?: number;
}

export interface EventRecorder {
  record(event: GovernanceEvent): void;
  /** The most recent events, newest first. */
  recent(limit?: number): GovernanceEvent[];
  /** Writes what is queued; resolves when written (or dropped after an error). */
  flush(): Promise<void>;
  /** Flushes and stops the timer. Events recorded afterwards are only logged. */
  close(): Promise<void>;
}

export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const { logger, store } = options;
  const flushMs = options.flushMs ?? 100;
  const maxBatch = options.maxBatch ?? 500;
  const maxQueued = options.maxQueued ?? 10_000;
  const recentSize = options.recentSize ?? 200;
  const ring: GovernanceEvent[] = [];
  let ringNext = 0;
  let queue: GovernanceEvent[] = [];
  let dropped = 0;
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const write = async (): Promise<void> => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    const batch = queue;
    queue = [];
    if (dropped > 0) {
      logger.error('governance events dropped: the event store is not keeping up', { dropped });
      dropped = 0;
    }
    if (batch.length === 0 || store === undefined) return;
    try {
      await store.append(batch);
    } catch (error) {
      logger.error('governance events could not be stored', { events: batch.length, error: String(error) });
    }
  };
  const flush = (): Promise<void> => {
    writing = writing.then(write);
    return writing;
  };

  return {
    record(event) {
      try {
        logger.warn(event.reason, { event: event.kind, name: event.name, scope: event.scope, session: event.session, requestId: event.requestId, costUsd: event.costUsd });
        if (ring.length < recentSize) ring.push(event);
        else ring[ringNext] = event;
        ringNext = (ringNext + 1) % recentSize;
        if (store === undefined || closed) return;
        if (queue.length >= maxQueued) {
          dropped += 1;
          return;
        }
        queue.push(event);
        if (queue.length >= maxBatch) void flush();
        else if (timer === null) {
          timer = setTimeout(() => void flush(), flushMs);
          timer.unref();
        }
      } catch {
        // Recording must never fail a request; the logger itself is the only thing that could throw here.
      }
    },
    recent(limit = recentSize) {
      const ordered = ring.length < recentSize ? [...ring] : [...ring.slice(ringNext), ...ring.slice(0, ringNext)];
      return ordered.reverse().slice(0, limit);
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
