/**
 * The exact response cache's key: a sha256 of everything that determines a model's answer, over the caller's body in
 * its own dialect, in canonical JSON (object keys sorted, so key order never matters). Attribution and transport
 * fields (end-user ids, metadata, stream, stream options, provider prompt-cache hints) are left out: they do not
 * change the answer, and leaving them in would split one answer over many keys. Unknown fields are kept: a field this
 * list does not know can only make the key stricter, never serve a wrong answer.
 */
import { hash } from 'node:crypto';
import type { Call } from '../../pipeline/call.js';
import type { Dialect } from '../../spec/canonical.js';

/** Who may share a cached answer (cache.exact.scope / cache.semantic.scope). */
export type TenantScope = 'key' | 'team' | 'global';

/** Fields of each dialect's body that do not change the answer. */
const ignoredFields: Record<Dialect, ReadonlySet<string>> = {
  // https://platform.openai.com/docs/api-reference/chat/create
  openai: new Set(['model', 'user', 'safety_identifier', 'metadata', 'store', 'stream', 'stream_options', 'prompt_cache_key', 'prompt_cache_retention', 'service_tier']),
  // https://docs.anthropic.com/en/api/messages: metadata.user_id is attribution; cache_control is a pricing hint.
  anthropic: new Set(['model', 'metadata', 'stream', 'service_tier']),
};

/** Sorted-key JSON of a JSON value; `drop` names object keys left out at every depth. */
export function canonicalJson(value: unknown, drop?: ReadonlySet<string>): string {
  return appendCanonical('', value, drop);
}

// One string accumulator and no intermediate arrays of parts: this runs on every cacheable request (~3x faster than
// map/filter/join on a 1 KB body).
function appendCanonical(out: string, value: unknown, drop: ReadonlySet<string> | undefined): string {
  if (value === null || typeof value !== 'object') return out + (JSON.stringify(value) ?? 'null');
  if (Array.isArray(value)) {
    out += '[';
    for (let index = 0; index < value.length; index += 1) {
      if (index > 0) out += ',';
      out = appendCanonical(out, value[index], drop);
    }
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  out += '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined || (drop !== undefined && drop.has(key))) continue;
    out += first ? JSON.stringify(key) + ':' : ',' + JSON.stringify(key) + ':';
    first = false;
    out = appendCanonical(out, item, drop);
  }
  return out + '}';
}

const deepDrop: Record<Dialect, ReadonlySet<string> | undefined> = { openai: undefined, anthropic: new Set(['cache_control']) };

/** The request as the answer depends on it: the caller's body with the policies' overrides, minus ignored fields. */
export function outputDeterminingFields(call: Pick<Call, 'dialect' | 'body' | 'bodyOverrides'>): Record<string, unknown> {
  const merged = call.bodyOverrides === null ? call.body : { ...call.body, ...call.bodyOverrides };
  const ignored = ignoredFields[call.dialect];
  const kept: Record<string, unknown> = {};
  for (const key in merged) if (!ignored.has(key)) kept[key] = merged[key];
  return kept;
}

/** The tenant partition of a call under a scope; requests without a key share `anonymous`. */
export function tenantOf(scope: TenantScope, call: Pick<Call, 'key' | 'attribution'>): string {
  if (scope === 'global') return 'global';
  if (scope === 'team') return `team:${call.attribution.team ?? 'anonymous'}`;
  return `key:${call.key?.id ?? 'anonymous'}`;
}

// One-shot hash (node >= 20.12): cheaper than createHash().update().digest() for a single input.
export const sha256 = (text: string): string => hash('sha256', text, 'hex');

/**
 * The key of a chat / messages call. The endpoint family and dialect are part of it (an OpenAI-dialect and an
 * Anthropic-dialect request never share an entry: their bodies differ anyway), as is the routed target (provider and
 * upstream model), not the public name: two aliases of one upstream model share answers.
 */
export function exactCacheKey(call: Pick<Call, 'dialect' | 'endpoint' | 'body' | 'bodyOverrides' | 'target' | 'key' | 'attribution'>, scope: TenantScope): string {
  const target = call.target === null ? null : { provider: call.target.provider, model: call.target.upstreamModel };
  const material = canonicalJson({ v: 1, endpoint: call.endpoint, dialect: call.dialect, target, request: outputDeterminingFields(call) }, deepDrop[call.dialect]);
  return `exact:${sha256(`${tenantOf(scope, call)}\n${material}`)}`;
}

/**
 * Whether a request samples: temperature > 0, or no temperature (OpenAI and Anthropic both default to 1). Only an
 * explicit temperature 0 is deterministic enough to call the same answer "the" answer.
 */
export function isSampled(call: Pick<Call, 'body' | 'bodyOverrides'>): boolean {
  const temperature = call.bodyOverrides?.temperature ?? call.body.temperature;
  return typeof temperature !== 'number' || temperature > 0;
}

const openaiUnrepresentable = (body: Record<string, unknown>): boolean =>
  (typeof body.n === 'number' && body.n > 1) ||
  body.logprobs === true ||
  body.audio !== undefined ||
  body.web_search_options !== undefined ||
  (Array.isArray(body.modalities) && body.modalities.includes('audio')) ||
  hasForeignTool(body.tools, 'function');

/**
 * Requests whose answer the canonical response cannot hold (several choices, logprobs, audio, server-side tools and
 * their citations): never cached, since a replay would silently lose part of the answer.
 */
export function isUncacheable(call: Pick<Call, 'dialect' | 'body'>): boolean {
  if (call.dialect === 'openai') return openaiUnrepresentable(call.body);
  return hasForeignTool(call.body.tools, 'custom') || call.body.container !== undefined || call.body.mcp_servers !== undefined;
}

/** A tool whose `type` is set and is not the plain kind (OpenAI `function`, Anthropic `custom` or absent). */
function hasForeignTool(tools: unknown, plain: string): boolean {
  if (!Array.isArray(tools)) return false;
  return tools.some((tool) => typeof tool === 'object' && tool !== null && 'type' in tool && (tool as { type: unknown }).type !== plain);
}
