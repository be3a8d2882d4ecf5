import type { Policy } from '../pipeline/call.js';
import { GatewayError } from '../spec/errors.js';

export interface UnpricedGateOptions {
  /** allow: unpriced models are served and recorded as unpriced; reject: 403 before anything is sent upstream. */
  mode: 'allow' | 'reject';
  isPriced: (provider: string, model: string) => boolean;
}

/** With pricing.unpriced = reject, refuses requests to models Jevons cannot price (unpriced is never free). */
export const unpricedGate = (options: UnpricedGateOptions): Policy =>
  async function unpricedGate(call, next) {
    const target = call.target;
    if (options.mode === 'reject' && target && !options.isPriced(target.provider, target.upstreamModel)) {
      throw new GatewayError({ code: 'forbidden', param: 'model', message: `The model "${call.model}" has no price, and this gateway rejects unpriced models (pricing.unpriced: reject). Add a price under models[].price or pricing.prices in jevons.yaml.` });
    }
    return next();
  };
