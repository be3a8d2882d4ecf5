/**
 * The HTTP post of cascade webhook validators (policies/routing/cascade): JSON in, JSON out, with a time limit. Off
 * the hot path (only cascaded calls with a webhook validator use it), so undici's plain `request` is enough.
 */
import { request } from 'undici';
import type { WebhookPost } from '../../policies/routing/cascade/index.js';

export const postWebhook: WebhookPost = async ({ url, payload, timeoutMs }) => {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode >= 300) throw new Error(`webhook answered ${response.statusCode}`);
  return JSON.parse(text) as unknown;
};
