/**
 * Complexity scores for automatic routing: the builtin classifier (in-process, microseconds) or a user's HTTP scorer
 * (`routing.auto.classifier: { url, timeout_ms }`): POST the caller's body as is, answer `{"score": 0..1}`. A scorer
 * that fails, times out or answers something else falls back to the builtin classifier, and the decision's reason
 * says so, so a flaky scorer degrades routing instead of failing calls.
 */
import { z } from 'zod';
import type { ChatRequest } from '../../spec/canonical.js';
import { createBuiltinClassifier, type ComplexityClassifier, type ComplexityInput } from './classifier/index.js';

export interface ScoreResult {
  score: number;
  classifierId: string;
  /** Set when the configured scorer could not answer and the builtin one did ('http scorer timed out'...). */
  fallback: string | null;
}

export interface Scorer {
  /** `rawBody` is what an HTTP scorer receives; `request` feeds the builtin classifier. */
  score(input: { request: () => ChatRequest; rawBody: Buffer }): ScoreResult | Promise<ScoreResult>;
}

/** What the classifier reads from the canonical request. */
export function complexityInputOf(request: ChatRequest): ComplexityInput {
  const input: ComplexityInput = { messages: request.messages };
  if (request.system !== undefined) input.system = request.system;
  if (request.tools !== undefined) input.tools = request.tools;
  if (request.maxOutputTokens !== undefined) input.maxOutputTokens = request.maxOutputTokens;
  if (request.responseFormat !== undefined) input.responseFormat = request.responseFormat;
  return input;
}

export function builtinScorer(classifier: ComplexityClassifier = createBuiltinClassifier()): Scorer & { id: string } {
  return {
    id: classifier.id,
    score: ({ request }) => ({ score: classifier.score(complexityInputOf(request())).score, classifierId: classifier.id, fallback: null }),
  };
}

const answerSchema = z.object({ score: z.number().min(0).max(1) });

export interface HttpScorerOptions {
  url: string;
  timeoutMs: number;
  /** Injected (globalThis.fetch in production). */
  fetch: (url: string, init: { method: 'POST'; headers: Record<string, string>; body: Buffer; signal: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;
  fallback?: Scorer & { id: string };
}

export function httpScorer(options: HttpScorerOptions): Scorer {
  const fallback = options.fallback ?? builtinScorer();
  const id = `http:${options.url}`;
  const fallBack = async (input: Parameters<Scorer['score']>[0], why: string): Promise<ScoreResult> => ({ ...(await fallback.score(input)), fallback: why });
  return {
    async score(input) {
      let answer: unknown;
      try {
        const response = await options.fetch(options.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: input.rawBody, signal: AbortSignal.timeout(options.timeoutMs) });
        if (!response.ok) return await fallBack(input, `http scorer answered ${response.status}`);
        answer = await response.json();
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        return await fallBack(input, timedOut ? `http scorer timed out after ${options.timeoutMs} ms` : 'http scorer unreachable');
      }
      const parsed = answerSchema.safeParse(answer);
      if (!parsed.success) return fallBack(input, 'http scorer answered no score in 0..1');
      return { score: parsed.data.score, classifierId: id, fallback: null };
    },
  };
}
