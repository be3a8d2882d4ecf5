/**
 * The cache-breaker detector: keeps the last few prompts of each (feature, model) family in bounded memory, compares
 * each new long prompt with them, and aggregates what it finds per (UTC day, feature, model, kind, location).
 *
 * Money lost by one occurrence = the tokens after the breaker that matched an earlier prompt of the family (and
 * that no earlier prompt's common prefix already covers, since a prefix cache reads the longest match it holds) ×
 * (input price − cache-read price) of the model. Tokens are apportioned from the prompt's estimated token count by
 * character offset. Prompts older than `maxAgeMs` are not compared: a provider cache would have expired anyway.
 *
 * Prompt text lives only in this memory; what leaves the detector is kind, location, offsets, counts, money and a
 * masked example.
 */
import type { CacheBreakerFinding } from '../../../spec/cache-findings.js';
import type { Endpoint } from '../../../spec/ledger.js';
import { comparePrompts, defaultCompareOptions, type CompareOptions, type PromptBreak } from './compare-prompts.js';
import { serializePrompt, type PromptSegment } from './serialize-prompt.js';

/** Per-token prices of a model; null when it has no price (the occurrence is counted, its money is unknown). */
export type PriceLookup = (provider: string, model: string) => { inputPerToken: number; cacheReadPerToken: number } | null;

/** One observed prompt, as the policy enqueued it (the body is the parsed request body, not a copy). */
export interface PromptObservation {
  feature: string;
  /** The public model name: with the feature, the family prompts are compared within. */
  model: string;
  provider: string;
  /** The upstream model id, for the price. */
  upstreamModel: string;
  endpoint: Endpoint;
  body: Record<string, unknown>;
  estimatedTokens: number;
  at: number;
}

export type { CacheBreakerFinding } from '../../../spec/cache-findings.js';

export interface Occurrence extends Omit<CacheBreakerFinding, 'occurrences' | 'pricedOccurrences'> {
  priced: boolean;
}

export interface DetectorOptions {
  minPromptTokens: number;
  price: PriceLookup;
  /** Prompts kept per family (default 8). */
  historyPerFamily?: number;
  /** Families kept, least recently seen evicted first (default 256). */
  maxFamilies?: number;
  /** Characters of prompt text held across all families (default 8M, ~16 MB). */
  maxHeldChars?: number;
  /** Characters of one prompt that are compared (default 400k, ~100k tokens). */
  maxPromptChars?: number;
  /** Earlier prompts older than this are not compared (default 1 hour, the longest common provider cache TTL). */
  maxAgeMs?: number;
  /** Breakers that cost fewer tokens than this are not reported (default 128, the OpenAI cache increment). */
  minLostTokens?: number;
  compare?: Partial<CompareOptions>;
}

interface HeldPrompt {
  segments: PromptSegment[];
  chars: number;
  at: number;
}

export interface Detector {
  /** Compares, remembers and aggregates one prompt; returns the occurrence found, if any. */
  observe(observation: PromptObservation): Occurrence | null;
  /** The findings aggregated since the last drain (and forgets them). */
  drain(): CacheBreakerFinding[];
  /** Families and characters currently held. */
  held(): { families: number; prompts: number; chars: number };
}

const utcDay = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** The best breaker against the earlier prompts: the one that lost the most characters, and how many. */
function bestBreaker(history: readonly HeldPrompt[], segments: readonly PromptSegment[], options: CompareOptions): { breaker: PromptBreak; lostChars: number } | null {
  const comparisons = history.map((held) => comparePrompts(held.segments, segments, options));
  const cachedPrefix = Math.max(0, ...comparisons.map((c) => c.commonPrefixChars));
  let best: { breaker: PromptBreak; lostChars: number } | null = null;
  for (const comparison of comparisons) {
    if (comparison.breaker === null) continue;
    const lostChars = comparison.matchedUntil - Math.max(comparison.breaker.endOffset, cachedPrefix);
    if (lostChars > 0 && (best === null || lostChars > best.lostChars)) best = { breaker: comparison.breaker, lostChars };
  }
  return best;
}

export function createDetector(options: DetectorOptions): Detector {
  const historyPerFamily = options.historyPerFamily ?? 8;
  const maxFamilies = options.maxFamilies ?? 256;
  const maxHeldChars = options.maxHeldChars ?? 8_000_000;
  const maxPromptChars = options.maxPromptChars ?? 400_000;
  const maxAgeMs = options.maxAgeMs ?? 3_600_000;
  const minLostTokens = options.minLostTokens ?? 128;
  const compare = { ...defaultCompareOptions, ...options.compare };
  // Map iteration order is insertion order: re-inserting a family on use makes the first key the least recent.
  const families = new Map<string, HeldPrompt[]>();
  const findings = new Map<string, CacheBreakerFinding>();
  let heldChars = 0;

  const remember = (family: string, prompt: HeldPrompt) => {
    const history = families.get(family) ?? [];
    families.delete(family);
    history.push(prompt);
    heldChars += prompt.chars;
    while (history.length > historyPerFamily) heldChars -= history.shift()?.chars ?? 0;
    families.set(family, history);
    while (families.size > 0 && (families.size > maxFamilies || heldChars > maxHeldChars)) {
      const [oldest, dropped] = families.entries().next().value as [string, HeldPrompt[]];
      families.delete(oldest);
      for (const held of dropped) heldChars -= held.chars;
    }
  };

  const aggregate = (occurrence: Occurrence) => {
    const key = [occurrence.day, occurrence.feature, occurrence.model, occurrence.kind, occurrence.location].join('\u0000');
    const found = findings.get(key);
    const { priced, ...rest } = occurrence;
    if (found === undefined) {
      findings.set(key, { ...rest, occurrences: 1, pricedOccurrences: priced ? 1 : 0 });
      return;
    }
    found.occurrences += 1;
    found.pricedOccurrences += priced ? 1 : 0;
    found.tokensAfter += occurrence.tokensAfter;
    if (occurrence.lostUsd !== null) found.lostUsd = (found.lostUsd ?? 0) + occurrence.lostUsd;
    if (occurrence.lastSeenAt >= found.lastSeenAt) Object.assign(found, { charOffset: occurrence.charOffset, tokenOffset: occurrence.tokenOffset, example: occurrence.example, lastSeenAt: occurrence.lastSeenAt });
  };

  return {
    observe(observation) {
      if (observation.estimatedTokens < options.minPromptTokens) return null;
      const prompt = serializePrompt({ endpoint: observation.endpoint, body: observation.body, maxChars: maxPromptChars });
      if (prompt.chars === 0) return null;
      const family = `${observation.feature}\u0000${observation.model}`;
      const history = (families.get(family) ?? []).filter((held) => observation.at - held.at <= maxAgeMs);
      const found = bestBreaker(history, prompt.segments, compare);
      remember(family, { segments: prompt.segments, chars: prompt.chars, at: observation.at });
      if (found === null) return null;
      const tokensPerChar = observation.estimatedTokens / Math.max(1, prompt.totalChars);
      const tokensAfter = Math.round(found.lostChars * tokensPerChar);
      if (tokensAfter < minLostTokens) return null;
      const prices = options.price(observation.provider, observation.upstreamModel);
      const occurrence: Occurrence = {
        day: utcDay(observation.at),
        feature: observation.feature,
        model: observation.model,
        kind: found.breaker.kind,
        location: found.breaker.location,
        tokensAfter,
        lostUsd: prices === null ? null : tokensAfter * Math.max(0, prices.inputPerToken - prices.cacheReadPerToken),
        priced: prices !== null,
        charOffset: found.breaker.charOffset,
        tokenOffset: Math.round(found.breaker.charOffset * tokensPerChar),
        example: found.breaker.example,
        lastSeenAt: observation.at,
      };
      aggregate(occurrence);
      return occurrence;
    },
    drain() {
      const out = [...findings.values()];
      findings.clear();
      return out;
    },
    held() {
      let prompts = 0;
      for (const history of families.values()) prompts += history.length;
      return { families: families.size, prompts, chars: heldChars };
    },
  };
}
