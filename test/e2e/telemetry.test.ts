/**
 * OpenTelemetry export: one span per request, sent by OTLP/HTTP (JSON) to the configured endpoint, with the GenAI
 * semantic-convention attributes. The collector is a loopback HTTP server that records what it receives.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

interface OtlpValue { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean }
interface OtlpSpan { name: string; kind: number; startTimeUnixNano: string; endTimeUnixNano: string; attributes: Array<{ key: string; value: OtlpValue }>; status?: { code?: number } }
interface OtlpBody { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> }

let collector: Server;
const received: Array<{ headers: Record<string, unknown>; body: OtlpBody }> = [];
let stack: Stack;

beforeAll(async () => {
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpBody });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
  stack = await startStack({ config: { telemetry: { otlp_endpoint: endpoint, otlp_headers_env: { authorization: 'OTLP_AUTH' }, service_name: 'jevons-test' } }, env: { OTLP_AUTH: 'Bearer collector-token' } });
});
afterAll(async () => {
  await new Promise<void>((resolve) => collector.close(() => resolve()));
});

const value = (span: OtlpSpan, key: string): unknown => {
  const found = span.attributes.find((attribute) => attribute.key === key)?.value;
  return found?.stringValue ?? (found?.intValue === undefined ? undefined : Number(found.intValue)) ?? found?.doubleValue ?? found?.boolValue;
};

describe('OpenTelemetry export', () => {
  it('sends one CLIENT span per request with the GenAI attribute names, on shutdown at the latest', async () => {
    const client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-jevons-feature': 'otel' } });
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi [[emu:{"usage":{"input":40,"cache_read":60,"output":7}}]]' }] }).withResponse();
    const requestId = response.headers.get('x-jevons-request-id');
    const [row] = await stack.rowsOf(requestId ?? '');
    await stack.close();
    const spans = received.flatMap((batch) => batch.body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)));
    const span = spans.find((candidate) => value(candidate, 'jevons.request_id') === requestId);
    expect(span).toBeDefined();
    expect(row).toBeDefined();
    if (span === undefined || row === undefined) return;
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.kind).toBe(3); // CLIENT
    expect(value(span, 'gen_ai.operation.name')).toBe('chat');
    expect(value(span, 'gen_ai.provider.name')).toBe('openai');
    expect(value(span, 'gen_ai.request.model')).toBe('gpt-4o-mini');
    expect(value(span, 'gen_ai.response.model')).toBe(row.servedModel);
    expect(value(span, 'gen_ai.usage.input_tokens')).toBe(100);
    expect(value(span, 'gen_ai.usage.output_tokens')).toBe(7);
    expect(value(span, 'jevons.cost_usd')).toBeCloseTo(row.costTotalUsd ?? NaN, 12);
    expect(value(span, 'jevons.feature')).toBe('otel');
    expect(BigInt(span.startTimeUnixNano)).toBe(BigInt(row.startedAt) * 1_000_000n);
    expect(received[0]?.headers.authorization).toBe('Bearer collector-token');
    const resource = received[0]?.body.resourceSpans[0]?.resource.attributes.find((attribute) => attribute.key === 'service.name');
    expect(resource?.value.stringValue).toBe('jevons-test');
  });
});

describe('telemetry config', () => {
  it('names the header whose environment variable is missing', async () => {
    await expect(startStack({ config: { telemetry: { otlp_endpoint: 'http://127.0.0.1:9/v1/traces', otlp_headers_env: { authorization: 'NOT_SET' } } } })).rejects.toThrow(/telemetry\.otlp_headers_env\.authorization: environment variable NOT_SET is not set/);
  });
});
