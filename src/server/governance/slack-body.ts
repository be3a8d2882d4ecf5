/**
 * A Slack-compatible incoming-webhook body for a governance event: `text` (the notification fallback) and Block Kit
 * `blocks` (header, the reason, the key facts as fields, a context line), per https://api.slack.com/messaging/webhooks.
 * Slack limits: header text 150 characters, section text 3,000, at most 10 fields of 2,000 each.
 */
import type { GovernanceEvent } from '../../spec/governance.js';

export interface SlackBody {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

const titles: Record<GovernanceEvent['kind'], string> = {
  budget_alert: 'Budget alert',
  budget_forecast: 'Budget forecast',
  budget_blocked: 'Budget blocked a request',
  budget_shadow: 'Budget would have blocked a request',
  budget_downgraded: 'Budget downgraded a request',
  budget_capped: 'Budget capped a request',
  breaker_trip: 'Circuit breaker tripped',
  breaker_warn: 'Circuit breaker warning',
  breaker_shadow: 'Circuit breaker would have tripped',
  rate_limited: 'Rate limit refused a request',
};

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
/** Slack mrkdwn needs &, < and > escaped (https://api.slack.com/reference/surfaces/formatting#escaping). */
const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const when = (value: unknown): string | null => (typeof value === 'number' && Number.isFinite(value) ? new Date(value).toISOString() : null);

function facts(event: GovernanceEvent): Array<[string, string]> {
  const details = event.details;
  const list: Array<[string, string | null]> = [
    ['Name', event.name],
    ['Scope', event.scope === null || event.scope === '' ? null : event.scope],
    ['Session', event.session],
    ['Threshold', typeof details.threshold === 'number' ? `${Math.round(details.threshold * 1_000) / 10}%` : null],
    ['Limit', typeof details.limit === 'number' ? `${details.limit}${details.unit === 'tokens' ? ' tokens' : ' USD'}` : null],
    ['Spent', typeof details.spent === 'number' ? `${details.spent}${details.unit === 'tokens' ? ' tokens' : ' USD'}` : null],
    ['Projected exhaustion', when(details.projectedAt)],
    ['Period ends', when(details.periodEnd)],
    ['Cost', event.costUsd === null ? null : `$${event.costUsd}`],
    ['Request', event.requestId],
  ];
  return list.filter((fact): fact is [string, string] => fact[1] !== null).slice(0, 10);
}

export function slackBody(event: GovernanceEvent): SlackBody {
  const title = titles[event.kind];
  return {
    text: clip(`${title}: ${event.reason}`, 3_000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(`${title}: ${event.name}`, 150), emoji: false } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(escape(event.reason), 3_000) } },
      { type: 'section', fields: facts(event).map(([label, value]) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${escape(value)}`, 2_000) })) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `jevons · ${event.kind} · ${new Date(event.at).toISOString()} · ${escape(event.id)}` }] },
    ],
  };
}
