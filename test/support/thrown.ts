import { GatewayError } from '../../src/spec/errors.js';

/** Runs `action` and returns the GatewayError it throws; fails the test if it throws nothing or something else. */
export function thrownGatewayError(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}
