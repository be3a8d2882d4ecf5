import { describe, expect, it } from 'vitest';
import { anthropicMinimum, createPromptCacheSimulator } from './prompt-cache.js';

const longText = (words: number, seed = 'alpha') => Array.from({ length: words }, (_, index) => `${seed}${index}`).join(' ');
const system = [{ type: 'text', text: longText(1500), cache_control: { type: 'ephemeral' } }];
const request = (question: string, systemBlocks: unknown = system) => ({ model: 'claude-sonnet-4-5', system: systemBlocks, messages: [{ role: 'user', content: question }] });

describe('simulated Anthropic prompt cache', () => {
  it('writes a breakpoint prefix, then reads it within the TTL, and writes again after it', () => {
    let now = 0;
    const cache = createPromptCacheSimulator({ now: () => now });
    const first = cache.anthropic(request('Question one?'), 5000);
    expect(first.cacheRead).toBe(0);
    expect(first.cacheWrite5m).toBeGreaterThan(1024);
    expect(first.cacheWrite1h).toBe(0);
    now = 4 * 60_000;
    const second = cache.anthropic(request('Another question?'), 5000);
    expect(second).toEqual({ cacheRead: first.cacheWrite5m, cacheWrite5m: 0, cacheWrite1h: 0 });
    // The read refreshed the entry: 4 more minutes later it is still there; 6 minutes after that it is gone.
    now += 4 * 60_000;
    expect(cache.anthropic(request('Third?'), 5000).cacheRead).toBe(first.cacheWrite5m);
    now += 6 * 60_000;
    expect(cache.anthropic(request('Fourth?'), 5000)).toEqual(first);
  });

  it('splits writes by the TTL of the breakpoint that ends them and reads the longest live prefix', () => {
    const cache = createPromptCacheSimulator({ now: () => 0 });
    const oneHour = [{ type: 'text', text: longText(1500), cache_control: { type: 'ephemeral', ttl: '1h' } }];
    const turn = { role: 'assistant', content: [{ type: 'text', text: longText(600, 'beta'), cache_control: { type: 'ephemeral' } }] };
    const body = { model: 'claude-sonnet-4-5', system: oneHour, messages: [{ role: 'user', content: 'Hi' }, turn, { role: 'user', content: 'Next' }] };
    const first = cache.anthropic(body, 9000);
    expect(first.cacheWrite1h).toBeGreaterThan(1024);
    expect(first.cacheWrite5m).toBeGreaterThan(500);
    const second = cache.anthropic(body, 9000);
    expect(second).toEqual({ cacheRead: first.cacheWrite1h + first.cacheWrite5m, cacheWrite5m: 0, cacheWrite1h: 0 });
  });

  it('caches nothing below the model minimum, or without breakpoints', () => {
    const cache = createPromptCacheSimulator({ now: () => 0 });
    const short = [{ type: 'text', text: longText(300), cache_control: { type: 'ephemeral' } }];
    expect(cache.anthropic(request('Q', short), 2000)).toEqual({ cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 });
    expect(cache.anthropic(request('Q', short), 2000)).toEqual({ cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 });
    const unmarked = [{ type: 'text', text: longText(1500) }];
    cache.anthropic(request('Q', unmarked), 5000);
    expect(cache.anthropic(request('Q', unmarked), 5000).cacheRead).toBe(0);
    expect(anthropicMinimum('claude-haiku-4-5-20251001')).toBe(4096);
    expect(anthropicMinimum('claude-3-5-haiku-latest')).toBe(2048);
  });
});

describe('simulated OpenAI prompt cache', () => {
  it('reports the longest seen prefix from 1,024 tokens in 128-token steps', () => {
    let now = 0;
    const cache = createPromptCacheSimulator({ now: () => now });
    const shared = longText(1400);
    expect(cache.openai({ model: 'gpt-4o', texts: [shared, 'first question'] }, 3000).cacheRead).toBe(0);
    const second = cache.openai({ model: 'gpt-4o', texts: [shared, 'a different question'] }, 3000);
    expect(second.cacheRead).toBeGreaterThanOrEqual(1024);
    expect(second.cacheRead % 128).toBe(0);
    now = 10 * 60_000;
    expect(cache.openai({ model: 'gpt-4o', texts: [shared, 'late'] }, 3000).cacheRead).toBe(0);
    expect(cache.openai({ model: 'gpt-4o', texts: ['short'] }, 10).cacheRead).toBe(0);
  });
});
