/**
 * `server.auth: passthrough`: the caller's own provider key goes upstream unchanged, in the header its provider
 * expects, and the call is metered like any other. The providers here have no key of their own.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
/** Passthrough in front of providers that do have a configured key, plus a virtual key declared in the config. */
let keyed: Stack;
const virtualKey = 'jv-passthrough-virtual-key-0001';

beforeAll(async () => {
  stack = await startStack({
    config: (emulator) => ({
      server: { host: '127.0.0.1', port: 0, auth: 'passthrough' },
      providers: [
        { name: 'openai', type: 'openai', base_url: `${emulator.url}/v1` },
        { name: 'anthropic', type: 'anthropic', base_url: emulator.url },
      ],
    }),
  });
  keyed = await startStack({
    env: { PASSTHROUGH_VIRTUAL_KEY: virtualKey },
    config: {
      server: { host: '127.0.0.1', port: 0, auth: 'passthrough' },
      keys: [{ name: 'svc', secret_env: 'PASSTHROUGH_VIRTUAL_KEY', team: 'platform', feature: 'passthrough-attributed' }],
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await keyed?.close();
});

const lastUpstreamHeaders = (target: Stack): Record<string, string> => target.emulator.requests.at(-1)?.headers ?? {};

describe('passthrough: the caller key is forwarded', () => {
  it('OpenAI SDK → Authorization: Bearer <caller key> upstream, and a ledger row', async () => {
    const client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'sk-caller-own', maxRetries: 0, defaultHeaders: { 'x-jevons-feature': 'byok' } });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Hi ${emu({ reply: 'Hello', usage: { input: 10, output: 2 } })}` }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello');
    expect(lastUpstreamHeaders(stack).authorization).toBe('Bearer sk-caller-own');
    expect(lastUpstreamHeaders(stack)['x-api-key']).toBeUndefined();
    const rows = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      provider: 'openai', requestedModel: 'gpt-4o-mini', status: 200, inputTokens: 10, outputTokens: 2,
      attribution: expect.objectContaining({ keyId: null, feature: 'byok' }),
    });
  });

  it('OpenAI SDK stream → the same key upstream, metered', async () => {
    const client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'sk-caller-stream', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `Go ${emu({ reply: 'a b c', usage: { input: 7, output: 3 } })}` }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('a b c');
    expect(lastUpstreamHeaders(stack).authorization).toBe('Bearer sk-caller-stream');
    expect(await stack.lastRow()).toMatchObject({ streamed: true, status: 200, inputTokens: 7, outputTokens: 3 });
  });

  it('Anthropic SDK → x-api-key: <caller key> upstream, and a ledger row', async () => {
    const client = new Anthropic({ baseURL: stack.anthropicBaseUrl, apiKey: 'sk-ant-caller-own', maxRetries: 0 });
    const { data, response } = await client.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: `Hi ${emu({ reply: 'Hey', usage: { input: 12, output: 4 } })}` }] })
      .withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'Hey' });
    expect(lastUpstreamHeaders(stack)['x-api-key']).toBe('sk-ant-caller-own');
    expect(lastUpstreamHeaders(stack).authorization).toBeUndefined();
    const rows = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ dialect: 'anthropic', provider: 'anthropic', requestedModel: 'claude-haiku-4-5', status: 200, inputTokens: 12, outputTokens: 4 });
  });

  it('without any key, the provider\'s own 401 comes back unchanged and the attempt is recorded', async () => {
    const before = stack.emulator.requests.length;
    const response = await request(`${stack.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = (await response.body.json()) as { error?: { message?: string } };
    expect(response.statusCode).toBe(401);
    expect(body.error?.message).toContain('API key');
    expect(stack.emulator.requests.length).toBe(before + 1);
    expect(lastUpstreamHeaders(stack).authorization).toBeUndefined();
    expect(await stack.lastRow()).toMatchObject({ provider: 'openai', status: 401, inputTokens: 0, outputTokens: 0 });
  });
});

describe('passthrough with a virtual key', () => {
  it('a caller provider key still overrides the configured one', async () => {
    const client = new OpenAI({ baseURL: keyed.openaiBaseUrl, apiKey: 'sk-caller-own', maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(lastUpstreamHeaders(keyed).authorization).toBe('Bearer sk-caller-own');
  });

  it('attributes the request to the key and never sends the Jevons secret upstream', async () => {
    const client = new OpenAI({ baseURL: keyed.openaiBaseUrl, apiKey: virtualKey, maxRetries: 0 });
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${emu({ usage: { input: 5, output: 1 } })}` }] }).withResponse();
    const [row] = await keyed.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
    expect(row).toMatchObject({ status: 200, attribution: expect.objectContaining({ keyId: 'config:svc', team: 'platform', feature: 'passthrough-attributed' }) });
    const upstream = lastUpstreamHeaders(keyed);
    expect(JSON.stringify(upstream)).not.toContain(virtualKey);
    expect(upstream.authorization).toBe('Bearer sk-emulated');
  });
});
