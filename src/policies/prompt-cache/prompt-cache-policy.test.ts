import { describe, expect, it } from 'vitest';
import type { Attempt, Call } from '../../pipeline/call.js';
import { cacheSchema } from '../../spec/config/cache-schema.js';
import { promptCache, type PromptCacheOptions } from './prompt-cache-policy.js';
import { rewriteTranslatedBody } from './translated-body.js';

type Json = Record<string, unknown>;
const longText = (words: number) => Array.from({ length: words }, (_, index) => `word${index}`).join(' ');
const wires: Record<string, 'openai' | 'anthropic'> = { anthropic: 'anthropic', openai: 'openai', 'anthropic-eu': 'anthropic' };

function fakeCall(options: { body: Json; dialect: 'openai' | 'anthropic'; provider: string; model?: string; keyId?: string }): Call {
  const call = {
    requestId: 'r1',
    dialect: options.dialect,
    endpoint: options.dialect === 'anthropic' ? 'messages' : 'chat',
    body: options.body,
    rawBody: Buffer.from(JSON.stringify(options.body)),
    model: String(options.body.model),
    key: null,
    attribution: { keyId: options.keyId ?? 'key-1', team: null, app: null, feature: null, user: null, customer: null, session: null, tags: {} },
    target: { provider: options.provider, upstreamModel: options.model ?? String(options.body.model) },
    bodyOverrides: null,
    attempts: [] as Attempt[],
  };
  return call as unknown as Call;
}

function policyWith(config: Json = {}, extra: Partial<PromptCacheOptions> = {}) {
  let now = 0;
  const policy = promptCache({ config: cacheSchema.parse({ prompt_cache: config }).prompt_cache, wireOf: (name) => wires[name], now: () => now, ...extra });
  const run = async (call: Call) => policy(call, async () => void call.attempts.push({ status: 200, provider: call.target?.provider, cacheSource: null } as Attempt));
  return { policy, run, setNow: (value: number) => (now = value) };
}

const anthropicBody = (question = 'What now?'): Json => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 100,
  system: longText(1500),
  messages: [{ role: 'user', content: question }],
});
const openaiBody = (extra: Json = {}): Json => ({
  model: 'gpt-4o',
  messages: [{ role: 'system', content: longText(1500) }, { role: 'user', content: 'What now?' }],
  ...extra,
});

describe('prompt-cache policy, Anthropic upstream', () => {
  it('puts the breakpoints in the body overrides on the fast path', async () => {
    const { run } = policyWith();
    const call = fakeCall({ body: anthropicBody(), dialect: 'anthropic', provider: 'anthropic' });
    await run(call);
    expect(call.bodyOverrides?.system).toEqual([{ type: 'text', text: longText(1500), cache_control: { type: 'ephemeral' } }]);
    expect(call.bodyOverrides?.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'What now?', cache_control: { type: 'ephemeral' } }] }]);
  });

  it('adds no work and no override for a short prompt, or when turned off', async () => {
    const estimated: string[] = [];
    const { run } = policyWith({}, { estimate: (text) => (estimated.push(text), 0) });
    const short = fakeCall({ body: { model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] }, dialect: 'anthropic', provider: 'anthropic' });
    await run(short);
    expect(short.bodyOverrides).toBeNull();
    expect(estimated).toEqual([]);
    const off = policyWith({ anthropic_breakpoints: 'off' });
    const call = fakeCall({ body: anthropicBody(), dialect: 'anthropic', provider: 'anthropic' });
    await off.run(call);
    expect(call.bodyOverrides).toBeNull();
  });

  it('uses the model minimum: 4,096 tokens for Haiku 4.5', async () => {
    const { run } = policyWith();
    const call = fakeCall({ body: { ...anthropicBody(), model: 'claude-haiku-4-5' }, dialect: 'anthropic', provider: 'anthropic' });
    await run(call);
    expect(call.bodyOverrides).toBeNull();
  });

  it('chooses 1h for a prefix that comes back every 20 minutes (anthropic_ttl: auto)', async () => {
    const { run, setNow } = policyWith({ anthropic_ttl: 'auto' });
    const ttls: string[] = [];
    for (const at of [0, 20, 40]) {
      setNow(at * 60_000);
      const call = fakeCall({ body: anthropicBody(), dialect: 'anthropic', provider: 'anthropic' });
      await run(call);
      ttls.push(JSON.stringify((call.bodyOverrides?.system as Json[])[0]?.cache_control));
    }
    expect(ttls).toEqual(['{"type":"ephemeral"}', '{"type":"ephemeral","ttl":"1h"}', '{"type":"ephemeral","ttl":"1h"}']);
    const fixed = policyWith({ anthropic_ttl: '1h' });
    const call = fakeCall({ body: anthropicBody(), dialect: 'anthropic', provider: 'anthropic' });
    await fixed.run(call);
    expect((call.bodyOverrides?.system as Json[])[0]?.cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
  });

  it('marks the translated body of an OpenAI-dialect caller', async () => {
    const { run } = policyWith();
    const call = fakeCall({ body: openaiBody(), dialect: 'openai', provider: 'anthropic', model: 'claude-sonnet-4-5' });
    await run(call);
    expect(call.bodyOverrides).toBeNull();
    const translated = { model: 'claude-sonnet-4-5', max_tokens: 10, system: longText(1500), messages: [{ role: 'user', content: [{ type: 'text', text: 'What now?' }] }] };
    const sent = rewriteTranslatedBody(call, translated);
    expect(sent.system).toEqual([{ type: 'text', text: longText(1500), cache_control: { type: 'ephemeral' } }]);
    expect(JSON.stringify(sent.messages)).toContain('cache_control');
    // Another call has no pending rewrite.
    expect(rewriteTranslatedBody({}, translated)).toBe(translated);
  });

  it('remembers which provider served the prefix', async () => {
    const { run, policy } = policyWith();
    const body = anthropicBody();
    await run(fakeCall({ body, dialect: 'anthropic', provider: 'anthropic' }));
    const { stablePrefixHash } = await import('./prefix-hash.js');
    expect(policy.affinity.preferred(stablePrefixHash(body), 0)).toBe('anthropic');
  });
});

describe('prompt-cache policy, OpenAI-family upstream', () => {
  it('sets prompt_cache_key from the tenant and the prefix, stable across requests', async () => {
    const { run } = policyWith();
    const first = fakeCall({ body: openaiBody(), dialect: 'openai', provider: 'openai' });
    const second = fakeCall({ body: openaiBody({ messages: [...(openaiBody().messages as Json[]).slice(0, 1), { role: 'user', content: 'Other' }] }), dialect: 'openai', provider: 'openai' });
    const otherTenant = fakeCall({ body: openaiBody(), dialect: 'openai', provider: 'openai', keyId: 'key-2' });
    for (const call of [first, second, otherTenant]) await run(call);
    const key = first.bodyOverrides?.prompt_cache_key;
    expect(key).toMatch(/^jevons-[0-9a-f]{24}$/);
    expect(second.bodyOverrides?.prompt_cache_key).toBe(key);
    expect(otherTenant.bodyOverrides?.prompt_cache_key).not.toBe(key);
  });

  it('never overrides the caller key, skips short prompts, and can be turned off', async () => {
    const { run } = policyWith();
    const own = fakeCall({ body: openaiBody({ prompt_cache_key: 'mine' }), dialect: 'openai', provider: 'openai' });
    const short = fakeCall({ body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }, dialect: 'openai', provider: 'openai' });
    await run(own);
    await run(short);
    expect(own.bodyOverrides).toBeNull();
    expect(short.bodyOverrides).toBeNull();
    const off = policyWith({ openai_cache_key: 'off' });
    const call = fakeCall({ body: openaiBody(), dialect: 'openai', provider: 'openai' });
    await off.run(call);
    expect(call.bodyOverrides).toBeNull();
  });

  it('adds the key to the translated body of an Anthropic-dialect caller', async () => {
    const { run } = policyWith();
    const call = fakeCall({ body: anthropicBody(), dialect: 'anthropic', provider: 'openai', model: 'gpt-4o' });
    await run(call);
    expect(rewriteTranslatedBody(call, { model: 'gpt-4o', messages: [] }).prompt_cache_key).toMatch(/^jevons-/);
  });
});

describe('prefix affinity across candidates', () => {
  const candidates = () => [
    { provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5' },
    { provider: 'anthropic-eu', upstreamModel: 'claude-sonnet-4-5' },
  ];
  const routed = (body: Json) => {
    const call = fakeCall({ body, dialect: 'anthropic', provider: 'anthropic' });
    call.routing = { tier: 'large', reason: 'rule:0', score: null, classifierId: null, candidates: candidates(), escalation: [], shadow: null };
    return call;
  };

  it('puts first the candidate whose provider served the prefix last (a fallback included)', async () => {
    const { policy } = policyWith();
    // The first call was served by the second candidate (the first failed over).
    const first = routed(anthropicBody('First?'));
    await policy(first, async () => void first.attempts.push({ provider: 'anthropic', status: 503, cacheSource: null } as Attempt, { provider: 'anthropic-eu', status: 200, cacheSource: null } as Attempt));
    const second = routed(anthropicBody('Second?'));
    await policy(second, async () => void second.attempts.push({ provider: 'anthropic-eu', status: 200, cacheSource: null } as Attempt));
    expect(second.target?.provider).toBe('anthropic-eu');
    expect(second.routing?.candidates.map((candidate) => candidate.provider)).toEqual(['anthropic-eu', 'anthropic']);
    expect(second.routing?.reason).toBe('rule:0,prefix-affinity');
  });

  it('leaves the order alone for a prefix never served, and for short prompts', async () => {
    const { policy } = policyWith();
    const fresh = routed(anthropicBody('Fresh?'));
    await policy(fresh, async () => undefined);
    expect(fresh.target?.provider).toBe('anthropic');
    const short = routed({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    await policy(short, async () => undefined);
    expect(short.routing?.reason).toBe('rule:0');
  });
});
