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
  /** Half-open: whether the one probe is in flight (every other call skips the provider meanwhile). */
  probeInFlight: boolean;
  totalFailures: number;
  totalSuccesses: number;
  /** The latest failure (epoch ms, its error code and HTTP status, 0 = no answer), null before the first. */
  lastFailure: (HealthFailure & { at: number }) | null;
  /** The latest success (epoch ms), null before the first. */
  lastSuccessAt: number | null;
}

/** What is known of a failure: the attempt's error code (`upstream_timeout`, `http_503`...) and HTTP status (0 = none). */
export interface HealthFailure {
  code: string;
  status: number;
}

export interface HealthTracker {
  /** Whether a call may go to this provider now; a true answer on an expired open circuit claims the probe. */
  tryAcquire(provider: string): boolean;
  /** Records an attempt's outcome; `failure` says what failed (kept as the provider's last failure). */
  record(provider: string, outcome: HealthOutcome, failure?: HealthFailure): void;
  /** Every provider seen so far, for `jevons` and the admin API. */
  snapshot(): ProviderHealth[];
  /** The settings the circuits run with (routing.health). */
  readonly failureThreshold: number;
  readonly openForMs: number;
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
  lastFailure: (HealthFailure & { at: number }) | null;
  lastSuccessAt: number | null;
}

export function createHealthTracker(options: HealthOptions): HealthTracker {
  if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) throw new Error('health: failureThreshold must be an integer >= 1');
  if (!(options.openForMs > 0)) throw new Error('health: openForMs must be > 0');
  const circuits = new Map<string, Circuit>();
  const circuitOf = (provider: string): Circuit => {
    let circuit = circuits.get(provider);
    if (circuit === undefined) {
      circuit = { state: 'closed', failures: 0, openedAt: null, probing: false, totalFailures: 0, totalSuccesses: 0, lastFailure: null, lastSuccessAt: null };
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
    failureThreshold: options.failureThreshold,
    openForMs: options.openForMs,
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
    record(provider, outcome, failure) {
      const circuit = circuitOf(provider);
      if (outcome === 'neutral') {
        circuit.probing = false;
        return;
      }
      if (outcome === 'success') {
        circuit.totalSuccesses += 1;
        circuit.lastSuccessAt = options.now();
        circuit.state = 'closed';
        circuit.failures = 0;
        circuit.openedAt = null;
        circuit.probing = false;
        return;
      }
      circuit.totalFailures += 1;
      circuit.failures += 1;
      circuit.lastFailure = { at: options.now(), code: failure?.code ?? 'unknown', status: failure?.status ?? 0 };
      if (circuit.state === 'half-open' || (circuit.state === 'closed' && circuit.failures >= options.failureThreshold)) open(circuit);
    },
    snapshot() {
      return [...circuits].map(([provider, circuit]) => ({
        provider,
        state: circuit.state,
        consecutiveFailures: circuit.failures,
        openedAt: circuit.openedAt,
        probeAt: circuit.state === 'open' && circuit.openedAt !== null ? circuit.openedAt + options.openForMs : null,
        probeInFlight: circuit.state === 'half-open' && circuit.probing,
        totalFailures: circuit.totalFailures,
        totalSuccesses: circuit.totalSuccesses,
        lastFailure: circuit.lastFailure === null ? null : { ...circuit.lastFailure },
        lastSuccessAt: circuit.lastSuccessAt,
      }));
    },
  };
}
