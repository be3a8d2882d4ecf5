/**
 * The prompt-cache hook of the translating path. When the caller's dialect differs from the upstream's wire, the
 * upstream body is built by the dispatcher from the canonical request, after every policy has run, and the caller's
 * dialect cannot express the upstream's cache fields (an OpenAI-dialect body has no `cache_control`). The policy
 * therefore leaves a rewrite for the call here, and the translating path applies it to the body it built
 * (server/dispatch/translate.ts). Keyed weakly by the call: nothing outlives the request.
 */
type Body = Record<string, unknown>;
export type UpstreamBodyRewrite = (body: Body) => Body;

const pending = new WeakMap<object, UpstreamBodyRewrite>();

export function deferUpstreamRewrite(call: object, rewrite: UpstreamBodyRewrite): void {
  pending.set(call, rewrite);
}

/** The translated upstream body with the call's pending rewrite applied (the same body when there is none). */
export function rewriteTranslatedBody(call: object, body: Body): Body {
  const rewrite = pending.get(call);
  return rewrite === undefined ? body : rewrite(body);
}
