/**
 * Cascades end to end: the cheaper tier answers into a buffer, the validators judge, a failure escalates to the next
 * tier (`cascade:<validator>`), both attempts metered and linked. One gateway per validator configuration; the
 * emulator scripts each tier's answer per model; a test-only routing policy sets the tiers (routing-stack.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu, routeHeader, startRoutingStack, type RoutingStack } from '../support/routing-stack.js';

const cheap = 'gpt-4o-mini';
const strong = 'claude-sonnet-4-5';
const tiers = routeHeader([['openai', cheap]], [{ tier: 'large', candidates: [['anthropic', strong]] }]);

let webhook: Server;
let webhookUrl = '';
const stacks: RoutingStack[] = [];

beforeAll(async () => {
  // The user's webhook: rejects answers containing "bad", answers slowly to "slow".
  webhook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const payload = JSON.parse(body) as { request: { messages?: unknown[] }; response: { text: string } };
      const send = () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload.response.text.includes('bad') ? { pass: false, reason: 'contains bad' } : { pass: true }));
      if (payload.response.text.includes('slow')) setTimeout(send, 500);
      else send();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', () => resolve()));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/validate`;
});
afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.close()));
  await new Promise<void>((resolve) => webhook.close(() => resolve()));
});

async function cascadeStack(validators: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): Promise<{ stack: RoutingStack; openai: OpenAI; anthropic: Anthropic }> {
  const stack = await startRoutingStack({ routing: { cascade: { validators, max_escalations: 1, ...extra } } });
  stacks.push(stack);
  return { stack, openai: new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'sk-test', maxRetries: 0 }), anthropic: new Anthropic({ baseURL: stack.anthropicBaseUrl, apiKey: 'sk-test', maxRetries: 0 }) };
}

/** Each tier's scripted answer. */
const answers = (cheapAnswer: Record<string, unknown>, strongAnswer: Record<string, unknown>) => `Question ${emu({ usage: { input: 20, output: 5 }, models: { [cheap]: cheapAnswer, [strong]: strongAnswer } })}`;

async function expectEscalated(stack: RoutingStack, requestId: string | null, validator: string): Promise<void> {
  const call = await stack.callOf(requestId);
  expect(call.attempts.map((attempt) => [attempt.provider, attempt.upstreamModel, attempt.status, attempt.followsReason ?? null])).toEqual([
    ['openai', cheap, 200, null],
    ['anthropic', strong, 200, `cascade:${validator}`],
  ]);
  // Both attempts are in the ledger, linked by the request id, and both are billed.
  const rows = stack.rows.filter((row) => row.requestId === requestId);
  expect(rows.map((row) => row.attempt)).toEqual([1, 2]);
  for (const row of rows) expect(row.costTotalUsd).toBeGreaterThan(0);
}

describe('cascade escalation per validator (openai SDK)', () => {
  const cases: Array<{ validator: Record<string, unknown>; bad: Record<string, unknown>; good: Record<string, unknown>; goodText: string; body?: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> }> = [
    {
      validator: { type: 'json_schema' },
      bad: { json: { answer: 5 } },
      good: { json: { answer: 'five' } },
      goodText: '{"answer":"five"}',
      body: { response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false } } } },
    },
    { validator: { type: 'json_schema', schema: { type: 'object', required: ['ok'] } }, bad: { reply: 'not json at all' }, good: { json: { ok: true } }, goodText: '{"ok":true}' },
    { validator: { type: 'not_empty' }, bad: { reply: '   ' }, good: { reply: 'something' }, goodText: 'something' },
    { validator: { type: 'no_refusal' }, bad: { reply: "I'm sorry, but I can't help with that request." }, good: { reply: 'Here is how.' }, goodText: 'Here is how.' },
    { validator: { type: 'length', min_chars: 20 }, bad: { reply: 'Too short.' }, good: { reply: 'A sufficiently long answer.' }, goodText: 'A sufficiently long answer.' },
    { validator: { type: 'regex', pattern: '^ANSWER: \\d+$' }, bad: { reply: 'I think it is 4' }, good: { reply: 'ANSWER: 4' }, goodText: 'ANSWER: 4' },
    { validator: { type: 'webhook', url: 'WEBHOOK' }, bad: { reply: 'a bad answer' }, good: { reply: 'a fine answer' }, goodText: 'a fine answer' },
  ];
  for (const testCase of cases) {
    const name = String(testCase.validator.type) + (testCase.validator.schema ? ' (configured schema)' : '');
    it(name, async () => {
      const validator = testCase.validator.url === 'WEBHOOK' ? { ...testCase.validator, url: webhookUrl } : testCase.validator;
      const { stack, openai } = await cascadeStack([validator]);
      const { data, response } = await openai.chat.completions
        .create({ model: cheap, messages: [{ role: 'user', content: answers(testCase.bad, testCase.good) }], ...testCase.body }, { headers: tiers })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe(testCase.goodText);
      expect(data.model).toBe(cheap);
      expect(response.headers.get('x-jevons-cascade')).toBe('escalated:1');
      expect(response.headers.get('x-jevons-attempts')).toBe('2');
      expect(response.headers.get('x-jevons-served-by')).toBe(`anthropic/${strong}`);
      await expectEscalated(stack, response.headers.get('x-jevons-request-id'), String(testCase.validator.type));
      // A good cheap answer is served as it is: one attempt, no escalation.
      const passed = await openai.chat.completions.create({ model: cheap, messages: [{ role: 'user', content: answers(testCase.good, testCase.bad) }], ...testCase.body }, { headers: tiers }).withResponse();
      expect(passed.data.choices[0]?.message.content).toBe(testCase.goodText);
      expect(passed.response.headers.get('x-jevons-cascade')).toBe('passed');
      expect(passed.response.headers.get('x-jevons-attempts')).toBe('1');
    });
  }
});

describe('cascade behaviour', () => {
  it('a stream is buffered, validated, then replayed from the escalated tier (anthropic SDK)', async () => {
    const { stack, anthropic } = await cascadeStack([{ type: 'no_refusal' }]);
    const { data: stream, response } = await anthropic.messages
      .create({ model: cheap, max_tokens: 100, stream: true, messages: [{ role: 'user', content: answers({ reply: 'I cannot help with that.' }, { reply: 'Gladly: step one, step two.' }) }] }, { headers: tiers })
      .withResponse();
    let text = '';
    let stopped = false;
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_stop') stopped = true;
    }
    expect(text).toBe('Gladly: step one, step two.');
    expect(stopped).toBe(true);
    expect(response.headers.get('x-jevons-cascade')).toBe('escalated:1');
    await expectEscalated(stack, response.headers.get('x-jevons-request-id'), 'no_refusal');
  });

  it('when the last tier fails too, the caller gets its answer with x-jevons-cascade: failed:<validator>', async () => {
    const { stack, openai } = await cascadeStack([{ type: 'not_empty' }]);
    const { data, response } = await openai.chat.completions.create({ model: cheap, messages: [{ role: 'user', content: answers({ reply: '' }, { reply: ' ' }) }] }, { headers: tiers }).withResponse();
    expect(data.choices[0]?.message.content).toBe(' ');
    expect(response.headers.get('x-jevons-cascade')).toBe('failed:not_empty');
    expect((await stack.callOf(response.headers.get('x-jevons-request-id'))).attempts).toHaveLength(2);
  });

  it('a webhook that does not answer in time lets the answer pass', async () => {
    const { openai } = await cascadeStack([{ type: 'webhook', url: webhookUrl, timeout_ms: 100 }]);
    const { data, response } = await openai.chat.completions.create({ model: cheap, messages: [{ role: 'user', content: answers({ reply: 'slow and bad' }, { reply: 'strong' }) }] }, { headers: tiers }).withResponse();
    expect(data.choices[0]?.message.content).toBe('slow and bad');
    expect(response.headers.get('x-jevons-cascade')).toBe('passed');
  });

  it('a cheap tier that cannot answer escalates with the failure as the reason', async () => {
    const { stack, openai } = await cascadeStack([{ type: 'not_empty' }]);
    const { data, response } = await openai.chat.completions.create({ model: cheap, messages: [{ role: 'user', content: answers({ error: { status: 503 } }, { reply: 'strong' }) }] }, { headers: tiers }).withResponse();
    expect(data.choices[0]?.message.content).toBe('strong');
    const call = await stack.callOf(response.headers.get('x-jevons-request-id'));
    expect(call.attempts.map((attempt) => [attempt.status, attempt.followsReason ?? null])).toEqual([
      [503, null],
      [503, 'server_error'],
      [503, 'server_error'],
      [200, 'server_error'],
    ]);
  });

  it('calls outside cascade.match are not cascaded', async () => {
    const { openai } = await cascadeStack([{ type: 'not_empty' }], { match: { feature: 'support' } });
    const { data, response } = await openai.chat.completions.create({ model: cheap, messages: [{ role: 'user', content: answers({ reply: '' }, { reply: 'strong' }) }] }, { headers: tiers }).withResponse();
    expect(data.choices[0]?.message.content).toBe('');
    expect(response.headers.get('x-jevons-cascade')).toBeNull();
  });
});
