import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countTextTokens } from './count-text-tokens.js';
import { estimateTokens } from './estimate-tokens.js';
import { openAIEncodingFor } from './openai-encoding.js';

const chinese = '港口小镇在这个季节第一个寒冷的早晨慢慢醒来。';

describe('openAIEncodingFor', () => {
  it.each([
    ['gpt-4o', 'o200k_base'],
    ['gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['gpt-4.1-nano', 'o200k_base'],
    ['gpt-5', 'o200k_base'],
    ['o1', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['o4-mini-2025-04-16', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['openai/gpt-4o', 'o200k_base'],
    ['ft:gpt-4o-mini:acme::abc123', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-4-turbo', 'cl100k_base'],
    ['gpt-4-0613', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['text-embedding-3-small', 'cl100k_base'],
    ['text-embedding-ada-002', 'cl100k_base'],
    ['claude-sonnet-4-5', null],
    ['gemini-2.5-flash', null],
    ['llama-3.3-70b-versatile', null],
    ['open-mistral-nemo', null],
  ])('%s -> %s', (model, encoding) => {
    expect(openAIEncodingFor(model)).toBe(encoding);
  });
});

describe('countTextTokens', () => {
  it('counts exactly with the model encoding', () => {
    expect(countTextTokens('Hello, world!', 'gpt-4o')).toEqual({ tokens: 4, exact: true });
    expect(countTextTokens('The quick brown fox jumps over the lazy dog.', 'gpt-4.1')).toEqual({ tokens: 10, exact: true });
    // The encodings differ on non-Latin text: o200k is much denser than cl100k.
    expect(countTextTokens(chinese, 'gpt-4o')).toEqual({ tokens: 20, exact: true });
    expect(countTextTokens(chinese, 'gpt-4')).toEqual({ tokens: 34, exact: true });
    expect(countTextTokens('', 'gpt-4o')).toEqual({ tokens: 0, exact: true });
  });

  it('counts special-token text as ordinary text instead of throwing', () => {
    const counted = countTextTokens('say <|endoftext|> now', 'gpt-4o');
    expect(counted.exact).toBe(true);
    expect(counted.tokens).toBeGreaterThan(4);
  });

  it('estimates for other models with their family’s weights', () => {
    const text = `${chinese} Hello, world! 1234567890`;
    expect(countTextTokens(text, 'claude-sonnet-4-5')).toEqual({ tokens: estimateTokens(text, 'anthropic'), exact: false });
    expect(countTextTokens(text, 'gemini-2.5-flash')).toEqual({ tokens: estimateTokens(text, 'gemini'), exact: false });
    expect(countTextTokens(text, 'gemma-3-27b-it')).toEqual({ tokens: estimateTokens(text, 'gemini'), exact: false });
    expect(countTextTokens(text, 'llama-3.3-70b-versatile')).toEqual({ tokens: estimateTokens(text, 'o200k'), exact: false });
    expect(countTextTokens(text, 'house-model', { providerFamily: 'anthropic' })).toEqual({ tokens: estimateTokens(text, 'anthropic'), exact: false });
    // The families really differ: Claude's tokenizer spends more tokens on Han text, Gemma's one per digit.
    expect(estimateTokens(chinese, 'anthropic')).toBeGreaterThan(estimateTokens(chinese, 'o200k'));
    expect(estimateTokens('2024-12-02 09:14:03 1234567890', 'gemini')).toBeGreaterThan(estimateTokens('2024-12-02 09:14:03 1234567890', 'o200k'));
    expect(countTextTokens('', 'gemini-2.5-flash')).toEqual({ tokens: 0, exact: false });
  });
});

describe('calibrated estimate against o200k_base', () => {
  const dir = new URL('./__fixtures__/calibration/', import.meta.url);
  const samples = readdirSync(dir).map((name) => ({ name, text: readFileSync(new URL(name, dir), 'utf8') }));

  it('has a varied sample', () => {
    expect(samples.map((sample) => sample.name).sort()).toEqual(['code.txt', 'data.json', 'logs.txt', 'non-latin.txt', 'prose-en.txt', 'prose-latin.txt']);
  });

  it('stays within 10% of o200k on every sample and 3% overall', () => {
    let estimated = 0;
    let exact = 0;
    for (const { name, text } of samples) {
      const truth = countTextTokens(text, 'gpt-4o').tokens;
      // A model of no known family gets the o200k weights.
      const estimate = countTextTokens(text, 'llama-3.3-70b-versatile').tokens;
      expect(Math.abs(estimate - truth) / truth, `${name}: estimate ${estimate} vs o200k ${truth}`).toBeLessThan(0.1);
      estimated += estimate;
      exact += truth;
    }
    expect(Math.abs(estimated - exact) / exact).toBeLessThan(0.03);
  });

  it('does far better than one characters-per-token ratio would', () => {
    const relativeError = (text: string, tokens: number) => Math.abs(tokens - countTextTokens(text, 'gpt-4o').tokens) / countTextTokens(text, 'gpt-4o').tokens;
    const prose = samples.find((sample) => sample.name === 'prose-en.txt')?.text ?? '';
    const cjk = chinese.repeat(10);
    // One ratio over the whole sample (3.14 characters per token) misses these by about +49% and -65%.
    expect(relativeError(prose, Math.ceil(prose.length / 3.14))).toBeGreaterThan(0.4);
    expect(relativeError(cjk, Math.ceil(cjk.length / 3.14))).toBeGreaterThan(0.6);
    expect(relativeError(prose, estimateTokens(prose))).toBeLessThan(0.05);
    // This narrative sentence costs o200k 0.95 tokens per Han character; the Han weight, fitted on Simplified and
    // Traditional Chinese together, is 0.74 (per-language biases: docs/token-estimates.md).
    expect(relativeError(cjk, estimateTokens(cjk))).toBeLessThan(0.2);
  });
});
