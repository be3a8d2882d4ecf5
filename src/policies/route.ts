import type { Policy, RouteTarget } from '../pipeline/call.js';
import { GatewayError } from '../spec/errors.js';

export interface RouteOptions {
  resolve: (model: string) => RouteTarget | null;
  describe: () => string;
}

/** Chooses the upstream for the requested model; an unknown model is a 404 that lists what is available. */
export const route = (options: RouteOptions): Policy =>
  async function route(call, next) {
    const target = options.resolve(call.model);
    if (!target) {
      throw new GatewayError({ code: 'model_not_found', param: 'model', message: `The model "${call.model}" is not available through this gateway. Available: ${options.describe()}.` });
    }
    call.target = target;
    return next();
  };
