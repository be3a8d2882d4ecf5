import { describe, expect, it } from 'vitest';
import { fixture } from './breaker-test-helpers.js';
import { argsText, canonicalJson, extractFor, extractTranscript } from './transcript.js';
import { jaccard, shingles, similarity } from './similarity.js';

describe('extractFor', () => {
  it('reads OpenAI chat: roles, text, tool calls with canonical arguments and their results', () => {
    const transcript = extractFor('openai', fixture('openai-repeated-tool-call.json'));
    expect(transcript.turns.map((turn) => turn.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'tool']);
    expect(transcript.toolCalls).toHaveLength(3);
    expect(argsText(transcript.toolCalls[0]!)).toBe('{"city":"Paris","units":"metric"}');
    expect(transcript.toolCalls[0]?.result).toContain('light rain');
    expect(transcript.turns[2]?.text).toBe("I'll check the weather in Paris.");
  });

  it('reads Anthropic messages: system, text blocks, tool_use inputs and tool_result contents', () => {
    const transcript = extractFor('anthropic', fixture('anthropic-repeated-tool-call.json'));
    expect(transcript.turns[0]).toMatchObject({ role: 'system', text: 'You are a helpful travel assistant.' });
    expect(transcript.turns.filter((turn) => turn.role === 'tool')).toHaveLength(3);
    expect(transcript.toolCalls.map(argsText)).toEqual(Array(3).fill('{"city":"Paris","units":"metric"}'));
    expect(transcript.toolCalls.every((call) => call.result?.startsWith('Paris: 18'))).toBe(true);
  });

  it('reads OpenAI Responses input items and tolerates odd shapes', () => {
    const transcript = extractTranscript({ instructions: 'be brief', input: [{ role: 'user', content: 'x' }, { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"b":1,"a":[2]}' }, { type: 'function_call_output', call_id: 'c1', output: 'done' }, 42, null] });
    expect(transcript.turns.map((turn) => turn.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(transcript.toolCalls[0]).toMatchObject({ name: 'f', result: 'done' });
    expect(argsText(transcript.toolCalls[0]!)).toBe('{"a":[2],"b":1}');
    expect(extractFor('openai', { messages: [null, { role: 'assistant', tool_calls: [{}] }] }).toolCalls).toEqual([]);
    expect(extractTranscript({ input: 'hello' }).turns).toEqual([{ role: 'user', text: 'hello', toolCalls: [] }]);
  });

  it('canonical JSON sorts keys at every level and keeps unparseable arguments as text', () => {
    expect(canonicalJson({ b: { d: 1, c: [{ f: 1, e: 2 }] }, a: null })).toBe('{"a":null,"b":{"c":[{"e":2,"f":1}],"d":1}}');
    expect(argsText({ id: '', name: 'x', rawArgs: '{not json', result: null })).toBe('{not json');
  });
});

describe('similarity', () => {
  it('is 1 for the same words, high for a one-word change in a long text, low for different texts', () => {
    const long = 'The tests failed because the status table maps model_not_found to 500 instead of 404 and the snapshot encodes it. '.repeat(3);
    expect(similarity('Hello, World!', 'hello world')).toBe(1);
    expect(similarity(long, long.replace('instead', 'rather'))).toBeGreaterThan(0.8);
    expect(similarity('Let me check the file src/a.ts', 'Let me check the file src/b.ts')).toBeLessThan(0.9);
    expect(similarity('read the config', 'run the whole test suite now')).toBe(0);
    expect(jaccard(shingles(''), shingles(''))).toBe(1);
  });
});
