import { describe, expect, it } from 'vitest';
import { readDirective } from './directive.js';
import { buildScenario, defaultInputTokens, perMessageOverhead } from './scenario.js';
import { anthropicUsage, geminiUsage, openAiChatUsage } from './usage-render.js';
import { countTokens } from 'gpt-tokenizer';

describe('readDirective', () => {
  it('returns no directive for plain text', () => {
    expect(readDirective('hello')).toEqual({ ok: true, directive: undefined, text: 'hello' });
  });

  it('takes the first directive, strips it from the text, and tolerates ]] inside JSON strings', () => {
    const read = readDirective('before [[emu:{"reply":"a]]b"}]] after [[emu:{"reply":"second"}]]');
    expect(read).toEqual({ ok: true, directive: { reply: 'a]]b' }, text: 'before  after [[emu:{"reply":"second"}]]' });
  });

  it('rejects invalid JSON, unknown fields and wrong types with a message naming the directive', () => {
    for (const text of ['[[emu:{"reply":}]]', '[[emu:{"reply":"x"}', '[[emu:{"repl":"x"}]]', '[[emu:{"usage":{"input":-1}}]]']) {
      const read = readDirective(text);
      expect(read.ok).toBe(false);
      if (!read.ok) expect(read.message).toMatch(/^Invalid emulator directive/);
    }
  });
});

describe('scenario defaults', () => {
  const conversation = { model: 'm', texts: ['Be brief.', 'Hello there'], messageCount: 2, promptText: 'Hello there', maxTokens: undefined, jsonReply: false };
  const defaults = { latencyMs: 0, chunkDelayMs: 0 };

  it('counts input as the tokens of all texts joined by newlines plus a per-message overhead', () => {
    expect(defaultInputTokens(conversation)).toBe(countTokens('Be brief.\nHello there') + 2 * perMessageOverhead);
  });

  it('counts output as reply + tool arguments + reasoning tokens', () => {
    const directive = { reply: 'Sure thing', thinking: 'let me see', tool_calls: [{ name: 'f', arguments: { a: 1 } }] };
    const scenario = buildScenario({ conversation, directive, defaults });
    expect(scenario.usage.reasoning).toBe(countTokens('let me see'));
    expect(scenario.usage.output).toBe(countTokens('Sure thing') + countTokens('{"a":1}') + countTokens('let me see'));
    expect(scenario.finish).toBe('tool_calls');
  });
});

describe('usage rendering per provider', () => {
  const usage = { input: 10, cacheRead: 20, cacheWrite5m: 3, cacheWrite1h: 4, output: 8, reasoning: 5 };

  it('OpenAI includes cached and written tokens in prompt_tokens', () => {
    expect(openAiChatUsage(usage)).toMatchObject({ prompt_tokens: 37, completion_tokens: 8, total_tokens: 45 });
  });

  it('Anthropic keeps input, reads and writes disjoint', () => {
    expect(anthropicUsage(usage, { outputTokens: 8, serviceTier: 'standard' })).toMatchObject({
      input_tokens: 10,
      cache_read_input_tokens: 20,
      cache_creation_input_tokens: 7,
      cache_creation: { ephemeral_5m_input_tokens: 3, ephemeral_1h_input_tokens: 4 },
    });
  });

  it('Gemini splits thoughts out of candidates', () => {
    expect(geminiUsage(usage)).toMatchObject({ promptTokenCount: 37, candidatesTokenCount: 3, thoughtsTokenCount: 5, totalTokenCount: 45, cachedContentTokenCount: 20 });
  });
});
