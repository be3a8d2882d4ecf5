import { describe, expect, it } from 'vitest';
import { createVectorStore } from '../../../stores/vector/index.js';
import { createCachedEmbedder } from './cached-embedder.js';
import { createSemanticCacheEngine, defaultSemanticThreshold } from './engine.js';
import { createLocalEmbedder } from './local-embedder.js';
import type { Embedder, SemanticVectorStore } from '../../../spec/semantic-cache.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (payload: Uint8Array | undefined) => new TextDecoder().decode(payload);

function setup(options: { maxEntries?: number; embedder?: Embedder } = {}) {
  const embedder = options.embedder ?? createLocalEmbedder();
  const store: SemanticVectorStore = createVectorStore({ embedderId: embedder.id });
  let clock = 1_000;
  const engine = createSemanticCacheEngine({ embedder, store, maxEntries: options.maxEntries ?? 100, now: () => clock });
  return { engine, store, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe('semantic cache engine', () => {
  it('serves a rephrasing above the threshold and misses below it', async () => {
    const { engine, now } = setup();
    await engine.add({ partition: 'p', text: 'How do I reset my password?', payload: bytes('Click "Forgot password".'), expiresAt: now() + 60_000 });
    const hit = await engine.lookup({ partition: 'p', text: 'how do I reset my password', threshold: defaultSemanticThreshold, now: now() });
    expect(text(hit?.payload)).toBe('Click "Forgot password".');
    expect(hit?.text).toBe('How do I reset my password?');
    expect(hit?.similarity).toBeGreaterThan(0.99);
    expect(hit?.storedAt).toBe(1_000);
    const loose = await engine.lookup({ partition: 'p', text: 'How do I change my password?', threshold: 0.5, now: now() });
    expect(loose).not.toBeNull();
    expect(await engine.lookup({ partition: 'p', text: 'How do I change my password?', threshold: 0.99, now: now() })).toBeNull();
  });

  it('never matches across partitions', async () => {
    const { engine, now } = setup();
    await engine.add({ partition: 'tenant-a', text: 'What is our refund policy?', payload: bytes('a'), expiresAt: now() + 60_000 });
    expect(await engine.lookup({ partition: 'tenant-b', text: 'What is our refund policy?', threshold: 0.5, now: now() })).toBeNull();
    expect(await engine.lookup({ partition: 'tenant-a', text: 'What is our refund policy?', threshold: 0.5, now: now() })).not.toBeNull();
  });

  it('skips a vetoed nearest neighbour and serves the next one that passes the guards', async () => {
    const { engine, store, now } = setup();
    await engine.add({ partition: 'p', text: 'Is the store not open on Sunday mornings?', payload: bytes('negated'), expiresAt: now() + 60_000 });
    await engine.add({ partition: 'p', text: 'Tell me: is the store open on Sunday mornings at all?', payload: bytes('plain'), expiresAt: now() + 60_000 });
    const [vector] = await createLocalEmbedder().embed(['Is the store open on Sunday mornings?']);
    expect(store.search({ partition: 'p', vector: vector ?? new Float32Array(), k: 2 }).map((candidate) => candidate.text)[0]).toBe('Is the store not open on Sunday mornings?');
    const hit = await engine.lookup({ partition: 'p', text: 'Is the store open on Sunday mornings?', threshold: 0.5, now: now() });
    expect(text(hit?.payload)).toBe('plain');
  });

  it('refuses a match that differs by a number even at high similarity', async () => {
    const { engine, now } = setup();
    await engine.add({ partition: 'p', text: 'What is the tax rate for 2023 in the bracket of 50000 dollars?', payload: bytes('x'), expiresAt: now() + 60_000 });
    expect(await engine.lookup({ partition: 'p', text: 'What is the tax rate for 2024 in the bracket of 50000 dollars?', threshold: 0.5, now: now() })).toBeNull();
  });

  it('never serves an expired entry, and removes it', async () => {
    const { engine, store, now, advance } = setup();
    await engine.add({ partition: 'p', text: 'How do I reset my password?', payload: bytes('x'), expiresAt: now() + 1_000 });
    advance(1_000);
    expect(await engine.lookup({ partition: 'p', text: 'How do I reset my password?', threshold: 0.5, now: now() })).toBeNull();
    expect(store.size()).toBe(0);
  });

  it('bounds the store to maxEntries, evicting the oldest', async () => {
    const { engine, store, now, advance } = setup({ maxEntries: 2 });
    for (const [i, question] of ['How do I bake bread?', 'How do I brew coffee?', 'How do I grow tomatoes?'].entries()) {
      await engine.add({ partition: 'p', text: question, payload: bytes(String(i)), expiresAt: now() + 60_000 });
      advance(1);
    }
    expect(store.size()).toBe(2);
    expect(await engine.lookup({ partition: 'p', text: 'How do I bake bread?', threshold: 0.9, now: now() })).toBeNull();
    expect(text((await engine.lookup({ partition: 'p', text: 'How do I grow tomatoes?', threshold: 0.9, now: now() }))?.payload)).toBe('2');
  });

  it('ignores texts without words and entries already expired', async () => {
    const { engine, store, now } = setup();
    await engine.add({ partition: 'p', text: '???', payload: bytes('x'), expiresAt: now() + 60_000 });
    await engine.add({ partition: 'p', text: 'How do I bake bread?', payload: bytes('x'), expiresAt: now() });
    expect(store.size()).toBe(0);
    expect(await engine.lookup({ partition: 'p', text: '???', threshold: 0.1, now: now() })).toBeNull();
  });

  it('embeds a repeated question once through the LRU', async () => {
    let calls = 0;
    const local = createLocalEmbedder();
    const counting: Embedder = { id: local.id, dimensions: local.dimensions, embed: async (texts) => { calls += texts.length; return local.embed(texts); } };
    const { engine, now } = setup({ embedder: createCachedEmbedder(counting, { maxEntries: 10 }) });
    await engine.add({ partition: 'p', text: 'How do I bake bread?', payload: bytes('x'), expiresAt: now() + 60_000 });
    await engine.lookup({ partition: 'p', text: 'How do I bake bread?', threshold: 0.9, now: now() });
    await engine.lookup({ partition: 'p', text: 'How do I bake bread?', threshold: 0.9, now: now() });
    expect(calls).toBe(1);
  });
});
