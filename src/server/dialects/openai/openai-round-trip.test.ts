/**
 * Round trips through the canonical model: recorded OpenAI bodies and streams are decoded by the provider side and
 * re-encoded by the dialect side, then compared field by field with the originals; the re-encoded output is also
 * consumed by the official `openai` SDK over loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamPart } from '../../../spec/canonical.js';
import { fixtureEvents, fixtureJson, sseEvents } from '../../../providers/openai/__fixtures__/fixtures.js';
import { fromOpenAIResponse } from '../../../providers/openai/openai-convert-response.js';
import { createOpenAIStreamDecoder } from '../../../providers/openai/openai-stream.js';
import { renderOpenAIResponse } from './openai-response.js';
import { createOpenAIStreamEncoder } from './openai-stream.js';

interface WireChoice {
  message: { content: unknown; tool_calls?: unknown; reasoning_content?: unknown };
  finish_reason: string;
}
interface WireBody {
  id: string;
  created: number;
  model: string;
  choices: WireChoice[];
  usage: Record<string, unknown>;
}

function isWireBody(value: unknown): value is WireBody {
  return typeof value === 'object' && value !== null && 'choices' in value && Array.isArray(value.choices);
}

function wire(value: unknown): WireBody {
  if (!isWireBody(value)) throw new Error('not a chat completion');
  return value;
}

function reencodeStream(name: string, includeUsage: boolean): string {
  const decoder = createOpenAIStreamDecoder();
  const encoder = createOpenAIStreamEncoder({ model: 'public-model', includeUsage });
  let text = '';
  for (const event of fixtureEvents(name)) for (const part of decoder.decode(event)) text += encoder.encode(part);
  for (const part of decoder.end()) text += encoder.encode(part);
  return text + encoder.end();
}

function decodeText(text: string): StreamPart[] {
  const decoder = createOpenAIStreamDecoder();
  return [...sseEvents(text).flatMap((event) => decoder.decode(event)), ...decoder.end()];
}

function decodeFixture(name: string): StreamPart[] {
  const decoder = createOpenAIStreamDecoder();
  return [...fixtureEvents(name).flatMap((event) => decoder.decode(event)), ...decoder.end()];
}

describe('non-streamed round trip', () => {
  for (const name of ['chat-completion.json', 'chat-completion-tools.json', 'chat-completion-cached.json', 'chat-completion-reasoning.json']) {
    it(name, () => {
      const original = wire(fixtureJson(name));
      const rendered = wire(renderOpenAIResponse(fromOpenAIResponse(original), { model: original.model }));
      expect(rendered.id).toBe(original.id);
      expect(rendered.created).toBe(original.created);
      expect(rendered.model).toBe(original.model);
      const [before, after] = [original.choices[0], rendered.choices[0]];
      expect(after?.message.content).toBe(before?.message.content);
      expect(after?.message.tool_calls).toEqual(before?.message.tool_calls);
      expect(after?.finish_reason).toBe(before?.finish_reason);
      for (const key of ['prompt_tokens', 'completion_tokens', 'total_tokens']) expect(rendered.usage[key], key).toBe(original.usage[key]);
      expect(rendered.usage.prompt_tokens_details).toMatchObject({ cached_tokens: (original.usage.prompt_tokens_details as { cached_tokens?: number } | undefined)?.cached_tokens ?? 0 });
      expect(rendered.usage.completion_tokens_details).toMatchObject({
        reasoning_tokens: (original.usage.completion_tokens_details as { reasoning_tokens?: number } | undefined)?.reasoning_tokens ?? 0,
      });
    });
  }

  it('DeepSeek reasoning comes back as reasoning_content, cache hits as cached_tokens', () => {
    const rendered = wire(renderOpenAIResponse(fromOpenAIResponse(fixtureJson('deepseek-reasoner.json')), { model: 'my-reasoner' }));
    expect(rendered.model).toBe('my-reasoner');
    expect(rendered.choices[0]?.message.reasoning_content).toBe('Compare the tenths: 1 is less than 8.');
    expect(rendered.usage).toMatchObject({ prompt_tokens: 3000, completion_tokens: 500, total_tokens: 3500, prompt_tokens_details: { cached_tokens: 1000 } });
  });
});

describe('streamed round trip', () => {
  for (const name of ['chat-stream.sse', 'chat-stream-usage.sse', 'chat-stream-tools.sse', 'deepseek-reasoner-stream.sse']) {
    it(`${name}: re-encoded stream decodes to the same parts`, () => {
      const original = decodeFixture(name);
      const again = decodeText(reencodeStream(name, true));
      const withoutModel = (parts: StreamPart[]) => parts.map((part) => (part.type === 'response-start' ? { ...part, model: '' } : part));
      expect(withoutModel(again)).toEqual(withoutModel(original));
      expect(again[0]).toMatchObject({ type: 'response-start', model: 'public-model' });
    });
  }

  it('a caller that did not ask for usage gets no usage chunk', () => {
    const text = reencodeStream('chat-stream-usage.sse', false);
    expect(decodeText(text).some((part) => part.type === 'usage')).toBe(false);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

describe('the openai SDK reads the re-encoded output', () => {
  let server: Server;
  let client: OpenAI;
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const stream = body.includes('"stream":true');
        if (stream) {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.end(reencodeStream('chat-stream-tools.sse', true));
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(renderOpenAIResponse(fromOpenAIResponse(fixtureJson('chat-completion-tools.json')), { model: 'public-model' })));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'test', maxRetries: 0 });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('non-streamed', async () => {
    const completion = await client.chat.completions.create({ model: 'public-model', messages: [{ role: 'user', content: 'Weather?' }] });
    expect(completion.choices[0]?.message.tool_calls).toEqual([{ id: 'call_abc123', type: 'function', function: { name: 'get_current_weather', arguments: '{\n"location": "Boston, MA"\n}' } }]);
    expect(completion.usage?.total_tokens).toBe(99);
  });

  it('streamed, assembled by the SDK stream helper', async () => {
    const stream = client.chat.completions.stream({ model: 'public-model', messages: [{ role: 'user', content: 'Weather?' }], stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({ id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', function: { name: 'get_weather', arguments: '{"location":"Paris, France"}' } });
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.usage).toMatchObject({ prompt_tokens: 2006, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1920 } });
  });
});
