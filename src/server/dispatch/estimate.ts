import { GatewayError, UpstreamHttpError } from '../../spec/errors.js';
import type { TokenUsage } from '../../spec/usage.js';
import type { DispatchDeps } from './dispatch-deps.js';

/**
 * Usage for an attempt whose upstream never reported it in full (client abort, interrupted stream, missing usage).
 * The provider has still billed what it generated, so we estimate: input as reported when the stream told us
 * (Anthropic's message_start does), otherwise from the request; output from the text that was produced.
 */
export function estimateUsage(options: { input: number; outputText: string; model: string; family: string; deps: DispatchDeps; reported?: TokenUsage | null }): TokenUsage {
  const reported = options.reported ?? null;
  const hasReportedInput = reported !== null && reported.inputTokens + reported.cacheReadTokens + reported.cacheWrite5mTokens + reported.cacheWrite1hTokens > 0;
  const output = options.outputText === '' ? 0 : options.deps.countText(options.outputText, options.model, options.family);
  return {
    inputTokens: hasReportedInput ? reported.inputTokens : options.input,
    cacheReadTokens: hasReportedInput ? reported.cacheReadTokens : 0,
    cacheWrite5mTokens: hasReportedInput ? reported.cacheWrite5mTokens : 0,
    cacheWrite1hTokens: hasReportedInput ? reported.cacheWrite1hTokens : 0,
    outputTokens: Math.max(output, reported?.outputTokens ?? 0),
    reasoningTokens: reported?.reasoningTokens ?? 0,
  };
}

/** The ledger error code of anything a dispatch path can throw. */
export function errorCodeOf(error: unknown): string {
  if (GatewayError.isInstance(error)) return error.code;
  if (error instanceof UpstreamHttpError) return error.code;
  return 'internal';
}
