/**
 * Anthropic `stop_reason` → canonical finish reason (https://docs.anthropic.com/en/api/handling-stop-reasons).
 * - `end_turn` → stop; `max_tokens` and `model_context_window_exceeded` (the context window, not max_tokens, cut the
 *   answer) → length; `stop_sequence` → stop-sequence; `tool_use` → tool-calls; `refusal` → refusal.
 * - `pause_turn` (a server-tool loop paused; the caller is to resend to continue) and any newer reason → other.
 */
import type { FinishReason } from '../../spec/canonical.js';

export function fromAnthropicStopReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'stop_sequence':
      return 'stop-sequence';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
}
