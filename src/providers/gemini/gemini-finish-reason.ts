/**
 * Gemini `finishReason` (https://ai.google.dev/api/generate-content#FinishReason) → canonical FinishReason.
 * Gemini says STOP both for a natural end and for a turn that ends in function calls, so the caller passes whether
 * the candidate held any; it also says STOP when a stop sequence matched, without naming it.
 */
import type { FinishReason } from '../../spec/canonical.js';

/** Output withheld by a filter: safety, recitation (copyright), blocklists, prohibited content, sensitive PII. */
const contentFilterReasons: ReadonlySet<string> = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

export function mapGeminiFinishReason(reason: string, hadFunctionCalls: boolean): FinishReason {
  if (reason === 'STOP') return hadFunctionCalls ? 'tool-calls' : 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (contentFilterReasons.has(reason)) return 'content-filter';
  return 'other';
}
