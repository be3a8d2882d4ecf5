/** Provider health circuits for the routing executor (docs/routing-execution.md). */
export { createHealthTracker, type CircuitState, type HealthFailure, type HealthOptions, type HealthOutcome, type HealthTracker, type ProviderHealth } from './circuit.js';
