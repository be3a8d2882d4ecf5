import { describe, expect, it } from 'vitest';
import { createLocalEmbedder, words } from './local-embedder.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);
const embedder = createLocalEmbedder();
const similarity = async (a: string, b: string) => {
  const [x, y] = await embedder.embed([a, b]);
  if (!x || !y) throw new Error('missing vector');
  return dot(x, y);
};

describe('local embedder', () => {
  it('is deterministic and unit-length, with the configured dimensions', async () => {
    const [a] = await embedder.embed(['How do I reset my password?']);
    const [b] = await createLocalEmbedder().embed(['How do I reset my password?']);
    expect(a).toEqual(b);
    expect(a?.length).toBe(512);
    expect(dot(a ?? new Float32Array(), a ?? new Float32Array())).toBeCloseTo(1, 5);
    expect((await createLocalEmbedder({ dimensions: 64 }).embed(['x']))[0]?.length).toBe(64);
  });
  it('ignores case, punctuation and accents', async () => {
    expect(await similarity('How do I reset my password?', 'how do i reset my PASSWORD')).toBeCloseTo(1, 5);
    expect(words('Café déjà-vu')).toEqual(['cafe', 'deja', 'vu']);
  });
  it('scores rephrasings that share words above unrelated questions', async () => {
    const reordered = await similarity('How do I reset my password?', 'My password: how do I reset it?');
    const unrelated = await similarity('How do I reset my password?', 'What is the capital of France?');
    expect(reordered).toBeGreaterThan(0.7);
    expect(unrelated).toBeLessThan(0.3);
  });
  it('cannot see synonyms: paraphrases without shared words score low', async () => {
    expect(await similarity('cheap flights to Rome', 'inexpensive airfare Italy capital')).toBeLessThan(0.3);
  });
  it('gives the zero vector for a text without words', async () => {
    const [empty] = await embedder.embed(['?!']);
    expect(empty?.every((value) => value === 0)).toBe(true);
  });
  it('rejects dimensions that are too small', () => {
    expect(() => createLocalEmbedder({ dimensions: 2 })).toThrow(RangeError);
  });
});
