/**
 * Delivery of governance events (alerts) to the webhooks of `alerts.webhooks` in jevons.yaml: POST of the event as
 * JSON (`format: json`) or a Slack-compatible `{ text, blocks }` body (`format: slack`), with the bearer token of
 * `token_env` when set. Never blocks or fails the caller: `deliver(event)` returns at once, the POSTs run in the
 * background. Each try is bounded by the webhook's `timeout_ms`; a network error, a timeout, a 429 or a 5xx is tried
 * again (3 tries in all, after 1 s then 5 s by default); any other answer is final. Failures are logged, never thrown.
 * At most `maxPending` deliveries are in flight or waiting; beyond that new ones are dropped and logged, so a storm
 * of events cannot pile up memory behind a dead endpoint.
 */
import { request, type Dispatcher } from 'undici';
import type { WebhookConfig } from '../../spec/config/governance-schema.js';
import type { Environment } from '../../spec/config/load-config.js';
import type { GovernanceEvent } from '../../spec/governance.js';
import type { Logger } from '../logger.js';
import { slackBody } from './slack-body.js';

export interface WebhookDeliveryOptions {
  webhooks: readonly WebhookConfig[];
  env: Environment;
  logger: Logger;
  /** undici dispatcher for the POSTs (default: undici's global one). */
  dispatcher?: Dispatcher;
  /** Waits before the 2nd, 3rd, ... try; the length + 1 is the number of tries. Default [1000, 5000]. */
  retryDelaysMs?: readonly number[];
  /** Deliveries (one event to one webhook) in flight or waiting before new ones are dropped. Default 1,000. */
  maxPending?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WebhookDelivery {
  (event: GovernanceEvent): void;
  /** Resolves once every delivery started so far has succeeded or given up (tests, shutdown). */
  idle(): Promise<void>;
}

/** The URL without its path and query, for logs: Slack webhook paths are secrets. */
const origin = (url: string): string => {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid url';
  }
};

const retryable = (status: number): boolean => status === 429 || status >= 500;

export function createWebhookDelivery(options: WebhookDeliveryOptions): WebhookDelivery {
  const { logger } = options;
  const delays = options.retryDelaysMs ?? [1_000, 5_000];
  const maxPending = options.maxPending ?? 1_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  const pending = new Set<Promise<void>>();
  const targets = options.webhooks.map((webhook, index) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'jevons-webhook' };
    if (webhook.token_env !== undefined) {
      const token = options.env[webhook.token_env];
      if (token) headers.authorization = `Bearer ${token}`;
      else logger.warn('alert webhook: token environment variable is not set; sending without Authorization', { webhook: `alerts.webhooks[${index}]`, token_env: webhook.token_env });
    }
    return { webhook, headers, label: `alerts.webhooks[${index}] ${origin(webhook.url)}` };
  });

  /** One try: the status, or the error that kept it from getting one. */
  const post = async (target: (typeof targets)[number], body: string): Promise<{ status: number } | { error: string }> => {
    try {
      const response = await request(target.webhook.url, {
        method: 'POST',
        headers: target.headers,
        body,
        dispatcher: options.dispatcher,
        signal: AbortSignal.timeout(target.webhook.timeout_ms),
      });
      await response.body.dump();
      return { status: response.statusCode };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      return { error: name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${target.webhook.timeout_ms} ms` : String(error) };
    }
  };

  const send = async (target: (typeof targets)[number], event: GovernanceEvent): Promise<void> => {
    const body = JSON.stringify(target.webhook.format === 'slack' ? slackBody(event) : event, (_key, value: unknown) =>
      typeof value === 'number' && !Number.isFinite(value) ? null : value,
    );
    for (let attempt = 0; ; attempt += 1) {
      const result = await post(target, body);
      if ('status' in result && result.status < 300) return;
      const problem = 'status' in result ? `HTTP ${result.status}` : result.error;
      const again = attempt < delays.length && ('error' in result || retryable(result.status));
      if (!again) {
        logger.error('alert webhook delivery failed', { webhook: target.label, event: event.id, kind: event.kind, tries: attempt + 1, problem });
        return;
      }
      logger.warn('alert webhook delivery failed, trying again', { webhook: target.label, event: event.id, tries: attempt + 1, problem });
      await sleep(delays[attempt] ?? 0);
    }
  };

  const deliver = (event: GovernanceEvent): void => {
    for (const target of targets) {
      if (pending.size >= maxPending) {
        logger.error('alert webhook: too many deliveries pending, event dropped', { webhook: target.label, event: event.id, kind: event.kind });
        continue;
      }
      const delivery = send(target, event)
        .catch((error: unknown) => logger.error('alert webhook delivery failed', { webhook: target.label, event: event.id, problem: String(error) }))
        .finally(() => pending.delete(delivery));
      pending.add(delivery);
    }
  };
  return Object.assign(deliver, {
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  });
}
