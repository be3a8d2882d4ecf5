/**
 * The read-only observer of a forwarded stream. On the same-dialect fast path the gateway writes the upstream's
 * bytes to the client unchanged and only READS them as they pass: a tap picks the usage out of the few events that
 * can carry it and keeps the others' data strings for later, so the hot path never parses ordinary chunks.
 */
import type { TokenUsage } from '../../spec/usage.js';
import type { SseEvent } from './sse.js';

export interface StreamTap {
  /** Called for every SSE event as it passes. Must be cheap: do not JSON.parse events that
   * cannot carry usage (check with a string test first); keep the other events' data strings in a list instead. */
  observe(event: SseEvent): void;
  /** Usage if the stream carried it, and the visible output text (text + reasoning + tool-call arguments) gathered by
   * parsing the kept events lazily — only called when usage is missing (aborted stream) or for the ledger. */
  result(): { usage: TokenUsage | null; servedModel: string | null; outputText: string; finished: boolean };
}
