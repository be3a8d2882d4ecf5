/** What a volatile span in a prompt prefix is. */
export const breakerKinds = ['timestamp', 'request_id', 'number', 'reordered_tools', 'reordered_json_keys', 'other'] as const;
export type BreakerKind = (typeof breakerKinds)[number];

/**
 * One aggregated cache-breaker finding per (UTC day, feature, model, kind, location) (docs/cache-diagnosis.md): what the
 * diagnosis policy produces and the `cache_breaker_findings` table stores. Never prompt content: `example` is masked.
 */
export interface CacheBreakerFinding {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  feature: string;
  model: string;
  kind: BreakerKind;
  location: string;
  occurrences: number;
  /** Occurrences whose model had a price (lostUsd sums only those). */
  pricedOccurrences: number;
  /** Tokens after the breaker that could have been cache reads, summed over the occurrences. */
  tokensAfter: number;
  /** null when no occurrence was priced. */
  lostUsd: number | null;
  /** Of the latest occurrence: where the span starts, in characters and estimated tokens. */
  charOffset: number;
  tokenOffset: number;
  /** Masked shape of the volatile value, never its content. */
  example: string;
  lastSeenAt: number;
}
