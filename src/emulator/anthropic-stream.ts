/**
 * The SSE events of a streamed Anthropic message, in the documented order: message_start, then per content block
 * content_block_start / content_block_delta… / content_block_stop (a ping after the first block start),
 * message_delta with the stop reason and cumulative usage, message_stop. Every event has its `event:` line (the
 * Anthropic SDK ignores events without one). https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import type { AnthropicReply } from './anthropic-messages.js';
import { splitPieces, splitWords, sseEvent, type Frame } from './respond.js';
import type { Scenario } from './scenario.js';
import { anthropicDeltaUsage, anthropicUsage } from './usage-render.js';

function event(kind: Frame['kind'], type: string, fields: Record<string, unknown>, text?: string): Frame {
  return { kind, data: sseEvent({ type, ...fields }, type), text };
}

function delta(index: number, body: Record<string, unknown>, text: string): Frame {
  return event('content', 'content_block_delta', { index, delta: body }, text);
}

/** The start shape of a block, and the delta frames that fill it. */
function blockFrames(block: Record<string, unknown>, index: number): { start: Record<string, unknown>; deltas: Frame[] } {
  const deltas: Frame[] = [];
  if (block.type === 'thinking') {
    const thinking = typeof block.thinking === 'string' ? block.thinking : '';
    for (const word of splitWords(thinking)) deltas.push(delta(index, { type: 'thinking_delta', thinking: word }, word));
    deltas.push(event('meta', 'content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } }));
    return { start: { type: 'thinking', thinking: '', signature: '' }, deltas };
  }
  if (block.type === 'tool_use') {
    const json = JSON.stringify(block.input);
    deltas.push(event('meta', 'content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } }));
    for (const piece of splitPieces(json)) deltas.push(delta(index, { type: 'input_json_delta', partial_json: piece }, piece));
    return { start: { type: 'tool_use', id: block.id, name: block.name, input: {} }, deltas };
  }
  const text = typeof block.text === 'string' ? block.text : '';
  for (const word of splitWords(text)) deltas.push(delta(index, { type: 'text_delta', text: word }, word));
  return { start: { type: 'text', text: '' }, deltas };
}

export function anthropicStreamFrames(reply: AnthropicReply, scenario: Scenario): Frame[] {
  const message = {
    id: reply.id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: anthropicUsage(scenario.usage, { outputTokens: 1, serviceTier: 'standard' }),
  };
  const frames: Frame[] = [event('head', 'message_start', { message })];
  reply.blocks.forEach((block, index) => {
    const { start, deltas } = blockFrames(block, index);
    frames.push(event('meta', 'content_block_start', { index, content_block: start }));
    if (index === 0) frames.push(event('meta', 'ping', {}));
    frames.push(...deltas);
    frames.push(event('meta', 'content_block_stop', { index }));
  });
  const stop = { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence };
  frames.push(event('tail', 'message_delta', { delta: stop, usage: anthropicDeltaUsage(scenario.usage) }));
  frames.push(event('tail', 'message_stop', {}));
  return frames;
}
