import { describe, expect, it } from 'vitest';
import { placeAnthropicBreakpoints, type PlacementOptions } from './anthropic-breakpoints.js';

type Json = Record<string, unknown>;
/** 1 token per 4 characters: deterministic and easy to reason about. */
const options = (overrides: Partial<PlacementOptions> = {}): PlacementOptions => ({
  minTokens: 1024,
  ttl: { system: '5m', conversation: '5m' },
  estimate: (text) => Math.ceil(text.length / 4),
  ...overrides,
});
const text = (tokens: number, letter = 'a') => letter.repeat(tokens * 4);
const ephemeral = { type: 'ephemeral' };
const tool = (name: string, tokens = 10) => ({ name, description: text(tokens), input_schema: { type: 'object' } });

const conversation = (): Json => ({
  model: 'claude-sonnet-4-5',
  tools: [tool('search'), tool('fetch')],
  system: text(1500, 's'),
  messages: [
    { role: 'user', content: 'First question' },
    { role: 'assistant', content: [{ type: 'text', text: 'First answer' }] },
    { role: 'user', content: [{ type: 'text', text: 'Second question' }] },
  ],
});

const messages = (changes: Json): Json[] => changes.messages as Json[];
const blocks = (message: Json | undefined): Json[] => (message?.content ?? []) as Json[];

describe('automatic Anthropic breakpoints', () => {
  it('marks the end of tools + system (a string system becomes one text block), the last stable message and the final turn', () => {
    const body = conversation();
    const placement = placeAnthropicBreakpoints(body, options());
    expect(placement.placed.map((placed) => placed.rule).sort()).toEqual(['final', 'stable', 'system']);
    expect(placement.changes.system).toEqual([{ type: 'text', text: body.system, cache_control: ephemeral }]);
    const placed = messages(placement.changes);
    expect(blocks(placed[1])[0]).toEqual({ type: 'text', text: 'First answer', cache_control: ephemeral });
    expect(blocks(placed[2])[0]).toEqual({ type: 'text', text: 'Second question', cache_control: ephemeral });
    expect(placed[0]).toBe((body.messages as Json[])[0]);
    // The input body is not mutated.
    expect(JSON.stringify(body)).not.toContain('cache_control');
  });

  it('marks the last tool when there is no system prompt', () => {
    const body: Json = { model: 'claude-sonnet-4-5', tools: [tool('a', 10), tool('b', 1200)], messages: [{ role: 'user', content: 'Hi' }] };
    const placement = placeAnthropicBreakpoints(body, options());
    expect(placement.placed.map((placed) => placed.rule)).toEqual(['system', 'final']);
    expect((placement.changes.tools as Json[])[1]).toMatchObject({ name: 'b', cache_control: ephemeral });
    expect((placement.changes.tools as Json[])[0]).not.toHaveProperty('cache_control');
  });

  it('places nothing under the model minimum', () => {
    const body = { ...conversation(), system: text(500) };
    expect(placeAnthropicBreakpoints(body, options())).toEqual({ changes: {}, placed: [], callerBreakpoints: 0 });
    // The same prompt is long enough for a lower minimum.
    expect(placeAnthropicBreakpoints(body, options({ minTokens: 256 })).placed).toHaveLength(3);
  });

  it('keeps the caller breakpoints and only adds after the last one, within the limit of 4', () => {
    const body = conversation();
    body.system = [
      { type: 'text', text: text(800), cache_control: ephemeral },
      { type: 'text', text: text(800), cache_control: { type: 'ephemeral', ttl: '1h' } },
    ];
    const placement = placeAnthropicBreakpoints(body, options({ ttl: { system: '1h', conversation: '1h' } }));
    expect(placement.callerBreakpoints).toBe(2);
    expect(placement.changes).not.toHaveProperty('system');
    expect(placement.placed.map((placed) => placed.rule)).toEqual(['stable', 'final']);
    // A 5m caller breakpoint comes first, so nothing after it may be 1h.
    expect(placement.placed.every((placed) => placed.ttl === '5m')).toBe(true);

    const full = conversation();
    full.tools = [{ ...tool('a', 1100), cache_control: ephemeral }, { ...tool('b'), cache_control: ephemeral }];
    full.system = [{ type: 'text', text: 'x', cache_control: ephemeral }];
    const limited = placeAnthropicBreakpoints(full, options());
    expect(limited.callerBreakpoints).toBe(3);
    expect(limited.placed.map((placed) => placed.rule)).toEqual(['final']);
    const four = placeAnthropicBreakpoints({ ...full, messages: [{ role: 'user', content: [{ type: 'text', text: 'q', cache_control: ephemeral }] }] }, options());
    expect(four).toEqual({ changes: {}, placed: [], callerBreakpoints: 4 });
  });

  it('leaves a body with top-level cache_control (automatic caching) alone', () => {
    expect(placeAnthropicBreakpoints({ ...conversation(), cache_control: ephemeral }, options()).placed).toEqual([]);
  });

  it('uses the chosen TTLs, 1h only before any 5m breakpoint', () => {
    const longer = placeAnthropicBreakpoints(conversation(), options({ ttl: { system: '1h', conversation: '5m' } }));
    expect(longer.changes.system).toEqual([expect.objectContaining({ cache_control: { type: 'ephemeral', ttl: '1h' } })]);
    expect(longer.placed.filter((placed) => placed.rule !== 'system').every((placed) => placed.ttl === '5m')).toBe(true);
    const shorter = placeAnthropicBreakpoints(conversation(), options({ ttl: { system: '5m', conversation: '1h' } }));
    expect(shorter.placed.every((placed) => placed.ttl === '5m')).toBe(true);
  });

  it('never marks thinking blocks: the last other block of the message is marked', () => {
    const body = conversation();
    (body.messages as Json[])[1] = { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'search', input: {} }, { type: 'thinking', thinking: 'hm', signature: 's' }] };
    const placed = messages(placeAnthropicBreakpoints(body, options()).changes);
    expect(blocks(placed[1])[0]).toMatchObject({ type: 'tool_use', cache_control: ephemeral });
    expect(blocks(placed[1])[1]).not.toHaveProperty('cache_control');
  });
});
