/** Constructed prompt families for the cache-breaker tests. */
import type { Endpoint } from '../../../spec/ledger.js';
import type { PromptObservation } from './detector.js';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2026, 10, 23, 16, 38, 1);

/** ~`sentences` × 90 characters of stable, non-repetitive instructions. */
export function stableText(sentences: number, topic = 'support'): string {
  const lines: string[] = [];
  for (let index = 0; index < sentences; index += 1) {
    lines.push(`Rule ${index + 1} for the ${topic} assistant: answer question type ${(index * 7919) % 1013} in at most ${3 + (index % 5)} sentences.`);
  }
  return lines.join('\n');
}

const WORDS = ['order', 'refund', 'parcel', 'late', 'invoice', 'account', 'password', 'delivery', 'broken', 'screen', 'warranty', 'address', 'card', 'charged', 'twice', 'cancel', 'upgrade', 'plan', 'login', 'error'];

/** `words` pseudo-random words from `seed`: two seeds give unrelated texts (a different conversation). */
export function prose(seed: number, words: number): string {
  let state = (seed * 2_654_435_761 + 1) % 4_294_967_296;
  const out: string[] = [];
  for (let index = 0; index < words; index += 1) {
    state = (state * 1_664_525 + 1_013_904_223) % 4_294_967_296;
    out.push(WORDS[state % WORDS.length] as string);
  }
  return out.join(' ');
}

export function tool(name: string, properties: Record<string, unknown>): Record<string, unknown> {
  return { name, description: `${name}: ${stableText(4, name)}`, input_schema: { type: 'object', properties, required: Object.keys(properties) } };
}

export function observation(body: Record<string, unknown>, overrides: Partial<PromptObservation> = {}): PromptObservation {
  return {
    feature: 'support-bot',
    model: 'claude-sonnet-4-5',
    provider: 'anthropic',
    upstreamModel: 'claude-sonnet-4-5',
    endpoint: 'messages' satisfies Endpoint,
    body,
    estimatedTokens: 5_000,
    at: T0,
    ...overrides,
  };
}

export const iso = (at: number): string => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A UUID-shaped id built from a number (deterministic). */
export function uuid(seed: number): string {
  const hex = (seed * 2_654_435_761).toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-4${hex.slice(8, 11)}-a${hex.slice(0, 3)}-b${hex.slice(3, 6)}-${hex}`;
}
