/**
 * What the semantic cache compares: the text of the request's last user turn, inside a partition made of the hard
 * filters (tenant, routed provider and model, system prompt, tool set, response format, and the conversation before
 * the last turn), so a neighbour is only ever an answer to the same setup. Works on the caller's body in its dialect.
 */
import type { Call } from '../../pipeline/call.js';
import { canonicalJson, sha256, tenantOf, type TenantScope } from './exact-cache-key.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Text of a message content: a string, or its text parts joined; null when it holds anything else a question cannot (tool results). */
function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const texts: string[] = [];
  for (const part of content) {
    if (!isRecord(part)) return null;
    if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    else if (part.type === 'tool_result') return null;
  }
  return texts.join('\n');
}

/**
 * The last user turn's text, or null when the request does not end with a user question in text (it ends with a tool
 * result or an assistant prefill, or the turn has no text): such requests are not semantically cached.
 */
export function lastUserText(call: Pick<Call, 'body'>): string | null {
  const messages = call.body.messages;
  if (!Array.isArray(messages)) return null;
  const last: unknown = messages[messages.length - 1];
  if (!isRecord(last) || last.role !== 'user') return null;
  const text = contentText(last.content);
  return text === null || text.trim() === '' ? null : text;
}

/** The system prompt in either dialect: OpenAI system / developer messages, Anthropic `system`. */
function systemOf(call: Pick<Call, 'dialect' | 'body'>, messages: readonly unknown[]): unknown {
  if (call.dialect === 'anthropic') return call.body.system ?? null;
  return messages.filter((message) => isRecord(message) && (message.role === 'system' || message.role === 'developer'));
}

const hashOf = (value: unknown): string => sha256(canonicalJson(value, new Set(['cache_control'])));

/** The partition of a call: equal only for requests that differ at most in their last user turn's wording. */
export function semanticPartition(call: Pick<Call, 'dialect' | 'endpoint' | 'body' | 'target' | 'key' | 'attribution'>, scope: TenantScope): string {
  const messages = Array.isArray(call.body.messages) ? call.body.messages : [];
  const conversation = messages.slice(0, -1).filter((message) => !(isRecord(message) && (message.role === 'system' || message.role === 'developer')));
  return hashOf({
    tenant: tenantOf(scope, call),
    endpoint: call.endpoint,
    provider: call.target?.provider ?? null,
    model: call.target?.upstreamModel ?? null,
    system: hashOf(systemOf(call, messages)),
    tools: hashOf({ tools: call.body.tools ?? null, choice: call.body.tool_choice ?? null }),
    format: hashOf(call.body.response_format ?? call.body.output_format ?? null),
    conversation: hashOf(conversation),
  });
}
