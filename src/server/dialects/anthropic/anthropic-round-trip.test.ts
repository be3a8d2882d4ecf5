/**
 * Round trips through the canonical model: the Anthropic reference bodies and streams are decoded by the provider side
 * and re-encoded by the dialect side, then compared field by field with the originals; the re-encoded streams are also
 * consumed by the official `@anthropic-ai/sdk` over loopback and must accumulate to the same message as the originals.
 * An inbound request converted to canonical and back must come out as it went in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamPart } from '../../../spec/canonical.js';
import { fixtureEvents, fixtureJson, fixtureText, sseEvents } from '../../../providers/anthropic/__fixtures__/fixtures.js';
import { toAnthropicRequest } from '../../../providers/anthropic/anthropic-convert-request.js';
import { fromAnthropicResponse } from '../../../providers/anthropic/anthropic-convert-response.js';
import { createAnthropicStreamDecoder } from '../../../providers/anthropic/anthropic-stream.js';
import { anthropicChatToCanonical, parseAnthropicChatBody } from './anthropic-request.js';
import { renderAnthropicResponse } from './anthropic-response.js';
import { createAnthropicStreamEncoder } from './anthropic-stream.js';

interface WireMessage {
  id?: string;
  model?: string;
  content: Record<string, unknown>[];
  stop_reason?: string;
  stop_sequence?: string | null;
  usage?: Record<string, unknown>;
}

function isWireMessage(value: unknown): value is WireMessage {
  return typeof value === 'object' && value !== null && 'content' in value && Array.isArray(value.content);
}

function wire(value: unknown): WireMessage {
  if (!isWireMessage(value)) throw new Error('not a Message');
  return value;
}

function decodeText(text: string): StreamPart[] {
  const decoder = createAnthropicStreamDecoder();
  return [...sseEvents(text).flatMap((event) => decoder.decode(event)), ...decoder.end()];
}

function decodeFixture(name: string): StreamPart[] {
  const decoder = createAnthropicStreamDecoder();
  return [...fixtureEvents(name).flatMap((event) => decoder.decode(event)), ...decoder.end()];
}

function reencode(name: string, model: string): string {
  const encoder = createAnthropicStreamEncoder({ model });
  return decodeFixture(name).map((part) => encoder.encode(part)).join('') + encoder.end();
}

/** The original content blocks as the canonical model carries them: citations are not translated. */
function translatable(block: Record<string, unknown>): Record<string, unknown> {
  const { citations: _citations, ...rest } = block;
  return rest;
}

describe('non-streamed round trip', () => {
  for (const name of ['message.json', 'tool-use.json', 'thinking-redacted.json', 'cached-usage.json']) {
    it(name, () => {
      const original = wire(fixtureJson(name));
      const rendered = wire(renderAnthropicResponse(fromAnthropicResponse(original), { model: original.model ?? 'public-model' }));
      expect(rendered.id).toBe(original.id ?? '');
      expect(rendered.model).toBe(original.model ?? 'public-model');
      expect(rendered.content).toEqual(original.content.map(translatable));
      expect(rendered.stop_reason).toBe(original.stop_reason ?? 'end_turn');
      expect(rendered.stop_sequence).toBe(original.stop_sequence ?? null);
      for (const field of ['input_tokens', 'cache_read_input_tokens', 'output_tokens']) expect(rendered.usage?.[field]).toBe(original.usage?.[field] ?? 0);
    });
  }

  it('keeps the cache write total, or the TTL split where the two disagree', () => {
    expect(wire(renderAnthropicResponse(fromAnthropicResponse(fixtureJson('message.json')), { model: 'm' })).usage).toMatchObject({
      cache_creation_input_tokens: 2051,
      cache_creation: { ephemeral_5m_input_tokens: 2051, ephemeral_1h_input_tokens: 0 },
      output_tokens_details: { thinking_tokens: 0 },
    });
    expect(wire(renderAnthropicResponse(fromAnthropicResponse(fixtureJson('cached-usage.json')), { model: 'm' })).usage).toMatchObject({
      cache_creation_input_tokens: 556,
      cache_creation: { ephemeral_5m_input_tokens: 456, ephemeral_1h_input_tokens: 100 },
    });
  });
});

const streams = ['stream-basic.sse', 'stream-tool-use.sse', 'stream-thinking.sse', 'stream-cached.sse'];

describe('streamed round trip', () => {
  for (const name of streams) {
    it(`${name}: re-encoded events decode to the same parts`, () => {
      const original = decodeFixture(name);
      const start = original[0];
      const model = start?.type === 'response-start' ? start.model : '';
      const again = decodeText(reencode(name, model));
      // The encoder always writes message_delta usage (zero when unknown); the thinking example had none.
      const hadUsage = original.some((part) => part.type === 'usage');
      expect(hadUsage ? again : again.filter((part) => part.type !== 'usage')).toEqual(original);
    });
  }

  it('an error event round-trips as an error event', () => {
    const text = reencode('stream-error.sse', 'm');
    expect(sseEvents(text).map((event) => event.event)).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'error']);
    expect(decodeText(text).at(-1)).toEqual({ type: 'error', errorType: 'overloaded_error', message: 'Overloaded' });
  });
});

describe('the official SDK reads re-encoded streams as it reads the originals', () => {
  const bodies = new Map<string, string>();
  let server: Server;
  let baseURL = '';

  beforeAll(async () => {
    for (const name of streams) {
      bodies.set(`/original/${name}/v1/messages`, fixtureText(name));
      bodies.set(`/reencoded/${name}/v1/messages`, reencode(name, 'public-model'));
    }
    server = createServer((request, response) => {
      request.resume();
      const body = bodies.get(request.url ?? '');
      if (body === undefined) {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"not_found_error","message":"no fixture"}}');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  const finalMessage = (prefix: string) => new Anthropic({ apiKey: 'test', baseURL: `${baseURL}/${prefix}`, maxRetries: 0 }).messages.stream({ model: 'public-model', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();

  for (const name of ['stream-basic.sse', 'stream-tool-use.sse', 'stream-cached.sse']) {
    it(name, async () => {
      const [original, again] = await Promise.all([finalMessage(`original/${name}`), finalMessage(`reencoded/${name}`)]);
      expect(again.content).toEqual(original.content);
      expect(again.stop_reason).toBe(original.stop_reason);
      expect(again.usage).toMatchObject({ input_tokens: original.usage.input_tokens, output_tokens: original.usage.output_tokens });
      expect(again.usage.cache_read_input_tokens ?? 0).toBe(original.usage.cache_read_input_tokens ?? 0);
      expect(again.usage.cache_creation_input_tokens ?? 0).toBe(original.usage.cache_creation_input_tokens ?? 0);
      expect(again.model).toBe('public-model');
    });
  }

  it('stream-thinking.sse (re-encoded; the original has no usage the SDK could accumulate)', async () => {
    const message = await finalMessage('reencoded/stream-thinking.sse');
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect(message.content[0]).toMatchObject({ type: 'thinking', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...' });
    expect(message.content[1]).toMatchObject({ type: 'text', text: '27 * 453 = 12,231' });
  });
});

describe('request round trip', () => {
  it('an inbound Anthropic body → canonical → Anthropic body comes out as it went in (cache_control aside)', () => {
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: 'You are a weather bot.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?', cache_control: { type: 'ephemeral' } }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Need the tool.', signature: 'sig' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' }] },
      ],
      tools: [{ name: 'get_weather', description: 'Current weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      temperature: 1,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      stream: true,
    };
    const out = toAnthropicRequest(anthropicChatToCanonical(parseAnthropicChatBody(body)), { upstreamModel: 'claude-sonnet-4-5' });
    expect(out.path).toBe('/v1/messages');
    const first = body.messages[0];
    const withoutCacheControl = { ...body, messages: [{ ...first, content: [{ type: 'text', text: 'Weather in Paris?' }] }, ...body.messages.slice(1)] };
    expect(out.body).toEqual(withoutCacheControl);
  });
});
