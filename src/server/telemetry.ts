/**
 * OpenTelemetry export (config `telemetry`, docs/config.md): one CLIENT span per request, built from the request's
 * ledger rows as the ledger writer flushes them (off the request path, like the metrics), and sent by OTLP/HTTP.
 * Attribute names follow the GenAI semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/); they are defined here because the npm
 * package's `gen_ai.*` constants are deprecated. Jevons' own facts (cost, cache source, attribution) are `jevons.*`.
 * A request whose attempts were flushed in two batches (rare: a call's rows are enqueued together) gives two spans.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Endpoint, LedgerRow } from '../spec/ledger.js';

const attr = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  errorType: 'error.type',
} as const;

const operationOf = (endpoint: Endpoint): string => (endpoint === 'embeddings' ? 'embeddings' : 'chat');

export interface RequestTracer {
  exportRows(rows: readonly LedgerRow[]): void;
  /** Sends what is pending and stops. */
  close(): Promise<void>;
}

export function createRequestTracer(options: { endpoint: string; headers: Record<string, string>; serviceName: string; providerName: (provider: string) => string }): RequestTracer {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.endpoint, headers: options.headers }))],
  });
  const tracer = provider.getTracer('jevons');

  const exportRequest = (rows: readonly LedgerRow[]): void => {
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (first === undefined || last === undefined) return;
    const operation = operationOf(first.endpoint);
    let input = 0;
    let output = 0;
    let cost: number | null = 0;
    for (const row of rows) {
      input += row.inputTokens + row.cacheReadTokens + row.cacheWrite5mTokens + row.cacheWrite1hTokens;
      output += row.outputTokens;
      cost = cost === null || row.costTotalUsd === null ? null : cost + row.costTotalUsd;
    }
    const span = tracer.startSpan(`${operation} ${first.requestedModel}`, {
      kind: SpanKind.CLIENT,
      startTime: first.startedAt,
      attributes: {
        [attr.operation]: operation,
        [attr.provider]: options.providerName(last.provider),
        [attr.requestModel]: first.requestedModel,
        [attr.inputTokens]: input,
        [attr.outputTokens]: output,
        'jevons.request_id': first.requestId,
        'jevons.attempts': rows.length,
        'jevons.provider': last.provider,
        'jevons.cache_read_tokens': rows.reduce((sum, row) => sum + row.cacheReadTokens, 0),
        'jevons.streamed': last.streamed,
      },
    });
    if (last.servedModel !== null) span.setAttribute(attr.responseModel, last.servedModel);
    if (cost !== null) span.setAttribute('jevons.cost_usd', cost);
    if (last.cacheSource !== null) span.setAttribute('jevons.cache_source', last.cacheSource);
    for (const [name, value] of Object.entries({ feature: last.attribution.feature, customer: last.attribution.customer, team: last.attribution.team, session: last.attribution.session })) {
      if (value !== null) span.setAttribute(`jevons.${name}`, value);
    }
    if (last.status >= 400 || last.errorCode !== null) {
      span.setAttribute(attr.errorType, last.errorCode ?? String(last.status));
      span.setStatus({ code: SpanStatusCode.ERROR, message: last.errorCode ?? `HTTP ${last.status}` });
    }
    span.end(last.endedAt);
  };

  return {
    exportRows(rows) {
      const byRequest = new Map<string, LedgerRow[]>();
      for (const row of rows) {
        const list = byRequest.get(row.requestId);
        if (list === undefined) byRequest.set(row.requestId, [row]);
        else list.push(row);
      }
      for (const list of byRequest.values()) exportRequest(list.sort((a, b) => a.attempt - b.attempt));
    },
    async close() {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}
