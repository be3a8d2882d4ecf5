/**
 * Provider health: one circuit per provider, in memory, driven by the outcome of every upstream attempt.
 *
 *   closed --(failure_threshold consecutive retryable failures)--> open
 *   open   --(open_for elapsed; the next caller is let through as the one probe)--> half-open
 *   half-open --(probe succeeds)--> closed      half-open --(probe fails)--> open again (for open_for)
 *
 * Only retryable failures count (429, 5xx, 408, timeouts, connection errors, streams cut by the upstream): a 400 says
 * the provider is up. While a half-open probe is in flight every other caller is refused, so a recovering provider
 * sees one request, not a thundering herd. The clock is injected; nothing here does I/O.
 */

export type CircuitState = 'closed' | 'open' | 'half-open';

/** An attempt's outcome for health: `neutral` (the client went away, nothing learned) only releases a probe. */
export type HealthOutcome = 'success' | 'failure' | 'neutral';

export interface ProviderHealth {
  provider: string;
  state: CircuitState;
  consecutiveFailures: number;
  /** When the circuit last opened (epoch ms), null when closed. */
  openedAt: number | null;
  /** When an open circuit lets its probe through (epoch ms), null unless open. */
  probeAt: number | null;
  totalFailures: number;
  totalSuccesses: number;
}

export interface HealthTracker {
  /** Whether a call may go to this provider now; a true answer on an expired open circuit claims the probe. */
  tryAcquire(provider: string): boolean;
  record(provider: string, outcome: HealthOutcome): void;
  /** Every provider seen so far, for `jevons` and the admin API. */
  snapshot(): ProviderHealth[];
}

export interface HealthOptions {
  failureThreshold: number;
  openForMs: number;
  now: () => number;
}

interface Circuit {
  state: CircuitState;
  failures: number;
  openedAt: number | null;
  probing: boolean;
  totalFailures: number;
  totalSuccesses: number;
}

export function createHealthTracker(options: HealthOptions): HealthTracker {
  if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) throw new Error('health: failureThreshold must be an integer >= 1');
  if (!(options.openForMs > 0)) throw new Error('health: openForMs must be > 0');
  const circuits = new Map<string, Circuit>();
  const circuitOf = (provider: string): Circuit => {
    let circuit = circuits.get(provider);
    if (circuit === undefined) {
      circuit = { state: 'closed', failures: 0, openedAt: null, probing: false, totalFailures: 0, totalSuccesses: 0 };
      circuits.set(provider, circuit);
    }
    return circuit;
  };
  const open = (circuit: Circuit) => {
    circuit.state = 'open';
    circuit.openedAt = options.now();
    circuit.probing = false;
  };
  return {
    tryAcquire(provider) {
      const circuit = circuits.get(provider);
      if (circuit === undefined || circuit.state === 'closed') return true;
      if (circuit.state === 'open') {
        if (options.now() - (circuit.openedAt ?? 0) < options.openForMs) return false;
        circuit.state = 'half-open';
      }
      if (circuit.probing) return false;
      circuit.probing = true;
      return true;
    },
    record(provider, outcome) {
      const circuit = circuitOf(provider);
      if (outcome === 'neutral') {
        circuit.probing = false;
        return;
      }
      if (outcome === 'success') {
        circuit.totalSuccesses += 1;
        circuit.state = 'closed';
        circuit.failures = 0;
        circuit.openedAt = null;
        circuit.probing = false;
        return;
      }
      circuit.totalFailures += 1;
      circuit.failures += 1;
      if (circuit.state === 'half-open' || (circuit.state === 'closed' && circuit.failures >= options.failureThreshold)) open(circuit);
    },
    snapshot() {
      return [...circuits].map(([provider, circuit]) => ({
        provider,
        state: circuit.state,
        consecutiveFailures: circuit.failures,
        openedAt: circuit.openedAt,
        probeAt: circuit.state === 'open' && circuit.openedAt !== null ? circuit.openedAt + options.openForMs : null,
        totalFailures: circuit.totalFailures,
        totalSuccesses: circuit.totalSuccesses,
      }));
    },
  };
}
