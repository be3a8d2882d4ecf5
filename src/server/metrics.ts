/**
 * Prometheus metrics (prom-client), served at GET /metrics. One registry per gateway so tests and embedded
 * gateways do not share counters.
 */
import { Counter, Registry } from 'prom-client';

/** Distinct model labels kept per counter; callers choose model names, so the label set must be bounded. */
const MAX_MODEL_LABELS = 500;

export interface GatewayMetrics {
  registry: Registry;
  /** A metered call whose model (or service tier) has no price: recorded as unpriced, never $0. */
  countUnpriced(provider: string, model: string): void;
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  const unpriced = new Counter({
    name: 'jevons_unpriced_requests_total',
    help: 'Metered upstream calls recorded as unpriced (the model or its service tier has no price).',
    labelNames: ['provider', 'model'] as const,
    registers: [registry],
  });
  const models = new Set<string>();
  return {
    registry,
    countUnpriced(provider, model) {
      if (!models.has(model) && models.size >= MAX_MODEL_LABELS) model = 'other';
      models.add(model);
      unpriced.inc({ provider, model });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
