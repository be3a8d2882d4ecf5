import { describe, expect, it } from 'vitest';
import type { Call } from '../../pipeline/call.js';
import { canonicalJson, exactCacheKey, isSampled, isUncacheable, tenantOf } from './exact-cache-key.js';

type KeyCall = Parameters<typeof exactCacheKey>[0];

const attribution: Call['attribution'] = { keyId: 'k1', team: 't1', app: null, feature: null, user: null, customer: null, session: null, tags: {} };
const key = { id: 'k1', name: 'k1', prefix: 'jv-', createdAt: 0, revokedAt: null, defaults: { team: null, app: null, feature: null, customer: null } };

function call(body: Record<string, unknown>, extra: Partial<KeyCall> = {}): KeyCall {
  return { dialect: 'openai', endpoint: 'chat', body, bodyOverrides: null, target: { provider: 'openai', upstreamModel: 'gpt-4o-mini' }, key, attribution, ...extra };
}

const base = {
  model: 'gpt-4o-mini',
  temperature: 0,
  messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
};

describe('exactCacheKey', () => {
  const reference = exactCacheKey(call(base), 'key');

  it.each([
    ['messages', { messages: [{ role: 'user', content: 'Hi!' }] }],
    ['system', { messages: [{ role: 'system', content: 'Be long.' }, { role: 'user', content: 'Hi' }] }],
    ['temperature', { temperature: 0.2 }],
    ['top_p', { top_p: 0.9 }],
    ['max_tokens', { max_tokens: 10 }],
    ['max_completion_tokens', { max_completion_tokens: 10 }],
    ['stop', { stop: ['x'] }],
    ['seed', { seed: 1 }],
    ['n', { n: 2 }],
    ['tools', { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }],
    ['tool_choice', { tool_choice: 'required' }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['reasoning_effort', { reasoning_effort: 'low' }],
  ])('changes with %s', (_name, change) => {
    expect(exactCacheKey(call({ ...base, ...change }), 'key')).not.toBe(reference);
  });

  it('changes with the routed target, the endpoint family and a policy override', () => {
    expect(exactCacheKey(call(base, { target: { provider: 'openai', upstreamModel: 'gpt-4.1' } }), 'key')).not.toBe(reference);
    expect(exactCacheKey(call(base, { target: { provider: 'azure', upstreamModel: 'gpt-4o-mini' } }), 'key')).not.toBe(reference);
    expect(exactCacheKey(call(base, { bodyOverrides: { max_tokens: 5 } }), 'key')).not.toBe(reference);
    expect(exactCacheKey(call(base, { dialect: 'anthropic', endpoint: 'messages' }), 'key')).not.toBe(reference);
  });

  it('does not change with attribution or transport fields, nor with the public model name', () => {
    for (const change of [{ user: 'u' }, { metadata: { a: 'b' } }, { stream: true }, { stream_options: { include_usage: true } }, { store: true }, { prompt_cache_key: 'p' }, { model: 'an-alias' }]) {
      expect(exactCacheKey(call({ ...base, ...change }), 'key'), JSON.stringify(change)).toBe(reference);
    }
    expect(exactCacheKey(call(base, { attribution: { ...attribution, feature: 'other', user: 'x' } }), 'key')).toBe(reference);
  });

  it('ignores Anthropic metadata and cache_control breakpoints', () => {
    const anthropic = (body: Record<string, unknown>) => exactCacheKey(call(body, { dialect: 'anthropic', endpoint: 'messages' }), 'key');
    const plain = { model: 'claude', max_tokens: 10, temperature: 0, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };
    const marked = { ...plain, metadata: { user_id: 'u' }, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] }] };
    expect(anthropic(marked)).toBe(anthropic(plain));
  });

  it('does not depend on key order', () => {
    const reordered = { messages: [{ content: 'Be brief.', role: 'system' }, { content: 'Hi', role: 'user' }], temperature: 0, model: 'gpt-4o-mini' };
    expect(exactCacheKey(call(reordered), 'key')).toBe(reference);
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
  });

  it('is scoped by tenant', () => {
    const other = { ...key, id: 'k2' };
    expect(exactCacheKey(call(base, { key: other }), 'key')).not.toBe(reference);
    expect(exactCacheKey(call(base, { key: other }), 'team')).toBe(exactCacheKey(call(base), 'team'));
    expect(exactCacheKey(call(base, { attribution: { ...attribution, team: 't2' } }), 'team')).not.toBe(exactCacheKey(call(base), 'team'));
    expect(exactCacheKey(call(base, { key: other, attribution: { ...attribution, team: 't2' } }), 'global')).toBe(exactCacheKey(call(base), 'global'));
    expect(tenantOf('key', { key: null, attribution })).toBe('key:anonymous');
    expect(tenantOf('team', { key: null, attribution: { ...attribution, team: null } })).toBe('team:anonymous');
  });
});

describe('isSampled / isUncacheable', () => {
  it('treats only an explicit temperature 0 as deterministic', () => {
    expect(isSampled({ body: { temperature: 0 }, bodyOverrides: null })).toBe(false);
    expect(isSampled({ body: {}, bodyOverrides: null })).toBe(true);
    expect(isSampled({ body: { temperature: 0.3 }, bodyOverrides: null })).toBe(true);
    expect(isSampled({ body: { temperature: 1 }, bodyOverrides: { temperature: 0 } })).toBe(false);
  });

  it('refuses answers the canonical response cannot hold', () => {
    expect(isUncacheable({ dialect: 'openai', body: { n: 2 } })).toBe(true);
    expect(isUncacheable({ dialect: 'openai', body: { logprobs: true } })).toBe(true);
    expect(isUncacheable({ dialect: 'openai', body: { tools: [{ type: 'custom', custom: {} }] } })).toBe(true);
    expect(isUncacheable({ dialect: 'openai', body: { n: 1, tools: [{ type: 'function' }] } })).toBe(false);
    expect(isUncacheable({ dialect: 'anthropic', body: { tools: [{ type: 'web_search_20250305', name: 'web_search' }] } })).toBe(true);
    expect(isUncacheable({ dialect: 'anthropic', body: { tools: [{ name: 'lookup', input_schema: {} }] } })).toBe(false);
  });
});
