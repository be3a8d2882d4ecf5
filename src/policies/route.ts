import type { Policy, RouteTarget } from '../pipeline/call.js';
import { GatewayError } from '../spec/errors.js';
import { applyRouting, type RoutingRuntime } from './routing/decide.js';

export interface RouteOptions {
  resolve: (model: string) => RouteTarget | null;
  describe: () => string;
  /**
   * Tiers, rules, `x-jevons-tier`, `jevons/auto`, reasoning budgets and shadow mode (docs/routing.md); null or absent
   * = every call goes to the model it names. Applies to chat and messages calls; other endpoints route by name.
   */
  routing?: RoutingRuntime | null;
}

/**
 * Chooses the upstream for the call: the routing decision when routing is configured and the call asks for one
 * (src/policies/routing/decide.ts), else the requested model; an unknown model is a 404 that lists what is available.
 */
export const route = (options: RouteOptions): Policy =>
  async function route(call, next) {
    const routing = options.routing ?? null;
    if (routing !== null && (call.endpoint === 'chat' || call.endpoint === 'messages')) {
      if (await applyRouting({ runtime: routing, call, resolve: options.resolve, describe: options.describe })) return next();
    }
    const target = options.resolve(call.model);
    if (!target) {
      throw new GatewayError({ code: 'model_not_found', param: 'model', message: `The model "${call.model}" is not available through this gateway. Available: ${options.describe()}.` });
    }
    call.target = target;
    return next();
  };
