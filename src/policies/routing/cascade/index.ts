/**
 * Cascades (docs/routing-execution.md): which calls are cascaded, and the validators their cheaper tier's answer must
 * pass. The dispatcher (server/dispatch/attempts.ts) buffers the answer, asks `validate`, and escalates on a failure.
 */
import type { Call } from '../../../pipeline/call.js';
import type { RoutingConfig } from '../../../spec/config/routing-schema.js';
import { matchesCall } from './match.js';
import { createValidator, runValidators, type ValidationInput, type ValidatorDeps, type Verdict } from './validators.js';

export { answerText, type ValidationInput, type Verdict, type WebhookPost } from './validators.js';
export { validateJsonSchema } from './json-schema.js';
export { findRefusal, refusalPhrases } from './refusal.js';

export interface Cascade {
  readonly maxEscalations: number;
  /** A chat / messages call that matches `cascade.match` and has somewhere to escalate to. */
  applies(call: Call): boolean;
  validate(input: ValidationInput): Promise<Verdict>;
}

/** Null when no validator is configured (no call is ever cascaded). */
export function createCascade(config: RoutingConfig['cascade'], deps: ValidatorDeps): Cascade | null {
  if (config.validators.length === 0) return null;
  const validators = config.validators.map((validator) => createValidator(validator, deps));
  return {
    maxEscalations: config.max_escalations,
    applies(call) {
      if (call.endpoint !== 'chat' && call.endpoint !== 'messages') return false;
      if (config.max_escalations === 0 || (call.routing?.escalation.length ?? 0) === 0) return false;
      return matchesCall(config.match, call);
    },
    validate: (input) => runValidators(validators, input),
  };
}
