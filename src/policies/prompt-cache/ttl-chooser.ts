/**
 * The 5-minute / 1-hour choice for Anthropic breakpoints, from the observed reuse interval of each prefix.
 *
 * A 5-minute write costs 1.25x the input price and a 1-hour write 2x; a read costs 0.1x and refreshes the entry
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing). A prefix that comes back within
 * 5 minutes stays warm at 5m (every read refreshes it), so 1h would only add 0.75x on the first write. A prefix that
 * comes back every 5-60 minutes finds its 5m entry expired and is written again each time (1.25x per request), while
 * one 1h write (2x) is then read at 0.1x: with k reuses in the hour, 2 + 0.1k < 1.25(k + 1) as soon as k >= 1
 * (break-even k = 0.65). Beyond an hour neither TTL survives, so 5m (the cheaper write) is kept.
 */
import { BoundedLru } from './lru.js';

export type CacheTtl = '5m' | '1h';

export const FIVE_MINUTES_MS = 5 * 60_000;
export const ONE_HOUR_MS = 60 * 60_000;

interface ReuseHistory {
  lastSeen: number;
  /** The most recent intervals between two requests of this prefix, oldest first (at most `window`). */
  gaps: number[];
}

export interface TtlChooser {
  /**
   * Records a request of `key` at `now` and returns the TTL for its breakpoints: 1h when the median of the recent
   * reuse intervals (this one included) is above 5 minutes and within the hour, else 5m. A first sighting is 5m.
   */
  observe(key: string, now: number): CacheTtl;
}

export function createTtlChooser(options: { maxEntries?: number; window?: number } = {}): TtlChooser {
  const history = new BoundedLru<ReuseHistory>(options.maxEntries ?? 50_000);
  const window = options.window ?? 3;
  return {
    observe(key, now) {
      const seen = history.get(key);
      if (seen === undefined) {
        history.set(key, { lastSeen: now, gaps: [] });
        return '5m';
      }
      const gap = Math.max(0, now - seen.lastSeen);
      seen.gaps.push(gap);
      if (seen.gaps.length > window) seen.gaps.shift();
      seen.lastSeen = now;
      const sorted = [...seen.gaps].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
      return median > FIVE_MINUTES_MS && median <= ONE_HOUR_MS ? '1h' : '5m';
    },
  };
}
