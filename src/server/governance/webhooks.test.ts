import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookConfig } from '../../spec/config/governance-schema.js';
import type { GovernanceEvent } from '../../spec/governance.js';
import { createWebhookDelivery } from './webhooks.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  );
});

/** A loopback webhook receiver; `answer` decides each response (status, or 'hang' to never answer). */
async function receiver(answer: (index: number) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const index = received.length;
      received.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      const status = answer(index);
      if (status === 'hang') return;
      response.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

/** A webhook entry with the schema's defaults. */
const webhookSchemaForTests = (overrides: Partial<WebhookConfig> & { url: string }): WebhookConfig => ({ format: 'json', timeout_ms: 5_000, ...overrides });

const alert: GovernanceEvent = {
  id: 'ev-1',
  at: Date.UTC(2026, 0, 21),
  kind: 'budget_alert',
  name: 'team-monthly',
  scope: 'team=search',
  session: null,
  requestId: null,
  reason: 'budget team-monthly (team=search) reached 70% of its $100.00 monthly limit: $70.00 spent <now>',
  costUsd: 70,
  details: { alertKey: 'k', threshold: 0.7, unit: 'usd', limit: 100, spent: 70, periodStart: Date.UTC(2026, 0, 1), periodEnd: Date.UTC(2026, 1, 1), projectedAt: null },
};

function logs() {
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields: Record<string, unknown> = {}) => void lines.push({ level, message, fields });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('alert webhooks', () => {
  it('POSTs the event as JSON with the bearer token, and a Slack body to a slack webhook', async () => {
    const hook = await receiver();
    const { logger, lines } = logs();
    const deliver = createWebhookDelivery({
      webhooks: [webhookSchemaForTests({ url: `${hook.url}/json`, token_env: 'HOOK_TOKEN' }), webhookSchemaForTests({ url: `${hook.url}/slack/T000/B000/XXX`, format: 'slack' })],
      env: { HOOK_TOKEN: 'secret-123' },
      logger,
    });
    deliver(alert);
    await deliver.idle();
    const byPath = new Map(hook.received.map((r) => [r.path, r]));
    const json = byPath.get('/json');
    expect(json?.headers.authorization).toBe('Bearer secret-123');
    expect(json?.headers['content-type']).toBe('application/json');
    expect(json?.body).toEqual(alert);
    const slack = byPath.get('/slack/T000/B000/XXX');
    expect(slack?.headers.authorization).toBeUndefined();
    expect(slack?.body).toEqual({
      text: `Budget alert: ${alert.reason}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Budget alert: team-monthly', emoji: false } },
        { type: 'section', text: { type: 'mrkdwn', text: 'budget team-monthly (team=search) reached 70% of its $100.00 monthly limit: $70.00 spent &lt;now&gt;' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Name*\nteam-monthly' },
            { type: 'mrkdwn', text: '*Scope*\nteam=search' },
            { type: 'mrkdwn', text: '*Threshold*\n70%' },
            { type: 'mrkdwn', text: '*Limit*\n100 USD' },
            { type: 'mrkdwn', text: '*Spent*\n70 USD' },
            { type: 'mrkdwn', text: '*Period ends*\n2026-02-01T00:00:00.000Z' },
            { type: 'mrkdwn', text: '*Cost*\n$70' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'jevons · budget_alert · 2026-01-21T00:00:00.000Z · ev-1' }] },
      ],
    });
    expect(lines).toEqual([]);
  });

  it('retries a 5xx then succeeds; gives up on a 4xx at once; logs without the secret path', async () => {
    const flaky = await receiver((index) => (index < 2 ? 503 : 200));
    const refusing = await receiver(() => 404);
    const { logger, lines } = logs();
    const waits: number[] = [];
    const deliver = createWebhookDelivery({
      webhooks: [webhookSchemaForTests({ url: `${flaky.url}/a` }), webhookSchemaForTests({ url: `${refusing.url}/secret-path` })],
      env: {},
      logger,
      retryDelaysMs: [5, 10],
      sleep: async (ms) => void waits.push(ms),
    });
    deliver(alert);
    await deliver.idle();
    expect(flaky.received).toHaveLength(3);
    expect(refusing.received).toHaveLength(1);
    expect(waits).toEqual([5, 10]);
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ message: 'alert webhook delivery failed', fields: { webhook: `alerts.webhooks[1] ${refusing.url}`, tries: 1, problem: 'HTTP 404' } });
    expect(JSON.stringify(lines)).not.toContain('secret-path');
  });

  it('times out a webhook that does not answer, retries, then gives up and logs', async () => {
    const silent = await receiver(() => 'hang');
    const { logger, lines } = logs();
    const deliver = createWebhookDelivery({ webhooks: [webhookSchemaForTests({ url: silent.url, timeout_ms: 50 })], env: {}, logger, retryDelaysMs: [1, 1] });
    const started = Date.now();
    deliver(alert);
    await deliver.idle();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(silent.received).toHaveLength(3);
    expect(lines.at(-1)).toMatchObject({ level: 'error', fields: { tries: 3, problem: 'no answer within 50 ms' } });
  });

  it('returns at once, survives an unreachable host, and drops past maxPending', async () => {
    const { logger, lines } = logs();
    const deliver = createWebhookDelivery({ webhooks: [webhookSchemaForTests({ url: 'http://127.0.0.1:1/hook' })], env: {}, logger, retryDelaysMs: [], maxPending: 1 });
    expect(() => {
      deliver(alert);
      deliver({ ...alert, id: 'ev-2' });
    }).not.toThrow();
    await deliver.idle();
    expect(lines.map((line) => `${line.message} ${String(line.fields.event)}`)).toEqual([
      'alert webhook: too many deliveries pending, event dropped ev-2',
      'alert webhook delivery failed ev-1',
    ]);
  });

  it('warns when the token variable is not set', () => {
    const { logger, lines } = logs();
    createWebhookDelivery({ webhooks: [webhookSchemaForTests({ url: 'http://127.0.0.1:1/', token_env: 'MISSING' })], env: {}, logger });
    expect(lines[0]).toMatchObject({ level: 'warn', fields: { webhook: 'alerts.webhooks[0]', token_env: 'MISSING' } });
  });
});
