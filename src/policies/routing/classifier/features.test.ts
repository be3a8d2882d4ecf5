import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../spec/canonical.js';
import { DENSE_COUNT, DENSE_FEATURES, FEATURE_COUNT, HASH_BUCKETS, extractFeatures, type ComplexityInput, type DenseFeature } from './features.js';

const user = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const ask = (text: string, extra: Partial<ComplexityInput> = {}): ComplexityInput => ({ messages: [user(text)], ...extra });
const feature = (vector: Float64Array, name: DenseFeature): number => vector[DENSE_FEATURES.indexOf(name)] ?? Number.NaN;
const lexicalHits = (vector: Float64Array): number[] => Array.from(vector.subarray(DENSE_COUNT)).filter((value) => value !== 0);

const greeting = extractFeatures(ask('Hello! How are you today?'));

describe('extractFeatures', () => {
  it('returns the declared layout: named dense features then the hash buckets', () => {
    expect(greeting).toBeInstanceOf(Float64Array);
    expect(greeting).toHaveLength(FEATURE_COUNT);
    expect(FEATURE_COUNT).toBe(DENSE_FEATURES.length + HASH_BUCKETS);
    expect(HASH_BUCKETS & (HASH_BUCKETS - 1)).toBe(0);
  });

  it('finds math cues in a word problem and none in a greeting', () => {
    const math = extractFeatures(ask('Solve for x: 3x^2 + 5x - 2 = 0. Calculate the sum of the roots, then compute $\\frac{1}{2}$ of it.'));
    expect(feature(math, 'log_math_cues')).toBeGreaterThan(Math.log1p(2));
    expect(feature(math, 'log_operators')).toBeGreaterThan(Math.log1p(3));
    expect(feature(math, 'log_latex')).toBeGreaterThan(0);
    expect(feature(math, 'digit_ratio')).toBeGreaterThan(0.02);
    expect(feature(greeting, 'log_math_cues')).toBe(0);
    expect(feature(greeting, 'digit_ratio')).toBe(0);
  });

  it('finds code cues in a code prompt', () => {
    const code = extractFeatures(ask('Fix the bug in this python function:\n```python\ndef add(a, b):\n    return a - b\n```\nand explain why.'));
    expect(feature(code, 'code_fences')).toBe(2);
    expect(feature(code, 'log_code_cues')).toBeGreaterThanOrEqual(Math.log1p(4));
    expect(feature(code, 'log_code_symbols')).toBeGreaterThan(0);
    expect(feature(code, 'log_reasoning_cues')).toBeGreaterThan(0);
    expect(feature(greeting, 'log_code_cues')).toBe(0);
  });

  it('finds reasoning cues and "step by step"', () => {
    const reasoning = extractFeatures(ask('Prove that the square root of 2 is irrational. Think step by step and justify each claim.'));
    expect(feature(reasoning, 'log_reasoning_cues')).toBeGreaterThanOrEqual(Math.log1p(3));
    expect(feature(reasoning, 'step_by_step')).toBe(1);
    expect(feature(greeting, 'step_by_step')).toBe(0);
  });

  it('counts multiple-choice option lines', () => {
    const choice = extractFeatures(ask('Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD) Earth\nAnswer:'));
    expect(feature(choice, 'log_choice_lines')).toBeCloseTo(Math.log1p(4), 10);
    expect(feature(greeting, 'log_choice_lines')).toBe(0);
  });

  it('reads conversation depth, tools, output size and structure', () => {
    const input: ComplexityInput = {
      system: 'You are terse.',
      messages: [
        user('What is the weather in Paris?'),
        { role: 'assistant', content: [{ type: 'tool-call', id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: '{"temp":21}' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'It is 21 degrees.' }] },
        { role: 'user', content: [{ type: 'text', text: 'And in Rome?' }, { type: 'image', url: 'https://example.com/rome.png' }] },
      ],
      tools: [{ name: 'weather', parameters: { type: 'object' } }],
      maxOutputTokens: 1000,
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { city: {}, temp: {}, unit: {} } } },
    };
    const vector = extractFeatures(input);
    expect(feature(vector, 'log_messages')).toBeCloseTo(Math.log1p(5), 10);
    expect(feature(vector, 'log_assistant_turns')).toBeCloseTo(Math.log1p(2), 10);
    expect(feature(vector, 'log_tools')).toBeCloseTo(Math.log1p(1), 10);
    expect(feature(vector, 'log_tool_results')).toBeCloseTo(Math.log1p(1), 10);
    expect(feature(vector, 'log_images')).toBeCloseTo(Math.log1p(1), 10);
    expect(feature(vector, 'log_max_output_tokens')).toBeCloseTo(Math.log1p(1000), 10);
    expect(feature(vector, 'has_max_output_tokens')).toBe(1);
    expect(feature(vector, 'json_output')).toBe(1);
    expect(feature(vector, 'log_schema_properties')).toBeCloseTo(Math.log1p(3), 10);
    expect(feature(vector, 'log_system_chars')).toBeCloseTo(Math.log1p('You are terse.'.length), 10);
    expect(feature(vector, 'log_last_user_chars')).toBeCloseTo(Math.log1p('And in Rome?'.length), 10);
    expect(feature(greeting, 'json_output')).toBe(0);
    expect(feature(greeting, 'has_max_output_tokens')).toBe(0);
  });

  it('gives the lexical buckets unit length and ignores case', () => {
    const hits = lexicalHits(greeting);
    expect(hits.length).toBeGreaterThan(3);
    expect(hits.reduce((sum, value) => sum + value * value, 0)).toBeCloseTo(1, 10);
    expect(Array.from(extractFeatures(ask('HELLO! how ARE you today?')).subarray(DENSE_COUNT))).toEqual(Array.from(greeting.subarray(DENSE_COUNT)));
    expect(lexicalHits(extractFeatures({ messages: [] }))).toEqual([]);
  });

  it('is deterministic and does not leak state between calls', () => {
    const first = extractFeatures(ask('Explain recursion with an example in JavaScript.'));
    extractFeatures(ask('A completely different prompt about 42 apples and 7 oranges.'));
    const again = extractFeatures(ask('Explain recursion with an example in JavaScript.'));
    expect(Array.from(again)).toEqual(Array.from(first));
  });

  it('bounds the scanned text of a very long prompt but measures its whole length', () => {
    const long = `${'lorem ipsum dolor sit amet '.repeat(20_000)}Solve 2+2.`;
    const vector = extractFeatures(ask(long));
    expect(feature(vector, 'log_chars')).toBeCloseTo(Math.log1p(long.length), 10);
    expect(feature(vector, 'log_words')).toBeLessThan(Math.log1p(1_500));
    expect(feature(vector, 'log_math_cues')).toBeGreaterThan(0); // the tail is scanned
  });
});
