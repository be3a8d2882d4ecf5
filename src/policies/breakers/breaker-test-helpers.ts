/** Shared by the breaker tests: fixture loading, fake calls, breaker configs with the schema's defaults. */
import { readFileSync } from 'node:fs';
import type { Attempt, Call } from '../../pipeline/call.js';
import { governanceSchemas, type BreakerConfig } from '../../spec/config/governance-schema.js';
import type { Attribution } from '../../spec/ledger.js';
import type { CostEstimate } from '../estimate-cost.js';

export type Body = Record<string, unknown>;

export function fixture(name: string): Body {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${name}: expected a JSON object`);
  return parsed as Body;
}

/** The body an agent sends after `turns` tool rounds: the first messages of the full transcript. */
export function prefix(body: Body, messages: number): Body {
  const all = body.messages;
  if (!Array.isArray(all)) throw new Error('fixture without messages');
  return { ...body, messages: all.slice(0, messages) };
}

/** Breaker configs as the config loader produces them (defaults filled in). */
export const breakerConfig = (input: Record<string, unknown>): BreakerConfig => {
  const [parsed] = governanceSchemas.breakers.parse([{ name: 'agent', ...input }]);
  if (parsed === undefined) throw new Error('no breaker parsed');
  return parsed;
};

export interface FakeCall {
  call: Call;
  headers: Map<string, string>;
}

export function fakeCall(options: { body: Body; dialect?: 'openai' | 'anthropic'; attribution?: Partial<Attribution>; id?: string }): FakeCall {
  const headers = new Map<string, string>();
  const call = {
    requestId: options.id ?? 'req-1',
    dialect: options.dialect ?? 'openai',
    model: typeof options.body.model === 'string' ? options.body.model : 'gpt-4o-mini',
    body: options.body,
    rawBody: Buffer.from(JSON.stringify(options.body)),
    attribution: { keyId: null, team: null, app: null, feature: null, user: null, customer: null, session: 's-1', tags: {}, ...options.attribution },
    attempts: [] as Attempt[],
    response: { setHeader: (name: string, value: string) => headers.set(name, value) },
  };
  return { call: call as unknown as Call, headers };
}

export function estimate(parts: Partial<CostEstimate> = {}): CostEstimate {
  return {
    model: 'gpt-4o-mini', priceRef: 'p', inputTokens: 100, inputExact: true, inputMethod: 'tokenizer:o200k_base', safetyFactor: null,
    reservationInputTokens: 100, maxOutputTokens: 200, maxOutputSource: 'request:max_tokens', choices: 1, serviceTier: 'standard',
    inputUsd: 0.001, worstCaseUsd: 0.01, unpriced: false, unpricedReason: null, ...parts,
  };
}

export function attempt(usd: number | null, status = 200): Attempt {
  return {
    provider: 'openai', upstreamModel: 'gpt-4o-mini', servedModel: null, startedAt: 0, firstByteAt: null, endedAt: 0, status, errorCode: null,
    streamed: false, clientAborted: false, usageEstimated: false, priceRef: null, cacheSource: null, costUncachedUsd: null, usage: null,
    cost: usd === null ? null : { inputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: usd, requestUsd: 0, totalUsd: usd },
  };
}
