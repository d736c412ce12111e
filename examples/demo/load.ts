import type { BreakerFamily, CircuitBreakerConfig, CircuitBreakerRegistry } from '../../src/index.js';
import { ENDPOINTS } from './upstream.js';

/** Prefix of the demo's breakers: one per endpoint, named `upstream:<endpoint>`. */
export const FAMILY_PREFIX = 'upstream';

/**
 * The demo's breaker config, without the fallback. Every process of a fleet
 * uses the same one: the fleet window in Redis is evaluated with it.
 */
export const BREAKER_CONFIG = {
  window: { type: 'count', size: 20, minimumCalls: 10, failureRateThreshold: 0.5 },
  slowCallThresholdMs: 300,
  slowCallRateThreshold: 0.8,
  callTimeoutMs: 600,
  resetTimeoutMs: 5_000,
  halfOpenMaxCalls: 2,
  successThreshold: 2,
  backoff: { multiplier: 2, maxResetTimeoutMs: 20_000 },
} as const satisfies CircuitBreakerConfig;

/**
 * Creates, in `registry`, a breaker per endpoint that makes no calls of its own: attached to a shared
 * store (through the registry's defaults), it follows the fleet's state and its manual actions move the fleet.
 */
export function observeFleet(registry: CircuitBreakerRegistry): BreakerFamily {
  const family = registry.family(FAMILY_PREFIX, BREAKER_CONFIG);
  for (const endpoint of ENDPOINTS) family.get(endpoint.name);
  return family;
}

/** Calls every upstream endpoint a few times a second through its breaker; a fallback answers while a circuit is open. */
export class LoadGenerator {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly inFlight = new Set<AbortController>();
  readonly family: BreakerFamily;
  /** Answers from the fallback, per endpoint. */
  readonly fallbacks = new Map<string, number>();

  constructor(
    registry: CircuitBreakerRegistry,
    private readonly upstream: string,
    private readonly callsPerSecond = 20,
  ) {
    this.family = registry.family(FAMILY_PREFIX, {
      ...BREAKER_CONFIG,
      fallback: (_error: unknown, endpoint: string) => {
        this.fallbacks.set(endpoint, (this.fallbacks.get(endpoint) ?? 0) + 1);
        return { endpoint, fallback: true };
      },
    });
  }

  /** Creates the breakers and starts calling. */
  start(): void {
    for (const endpoint of ENDPOINTS) this.family.get(endpoint.name);
    this.timer = setInterval(() => {
      for (const endpoint of ENDPOINTS) void this.call(endpoint.name);
    }, 1000 / this.callsPerSecond);
  }

  private async call(endpoint: string): Promise<void> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      await this.family.get(endpoint).executeWithSignal(
        async (signal, name: string) => {
          const response = await fetch(`${this.upstream}/${name}`, { signal: AbortSignal.any([signal, controller.signal]) });
          const body: unknown = await response.json();
          if (!response.ok) throw new Error(`upstream ${name} answered ${response.status}`);
          return body;
        },
        controller.signal,
        endpoint,
      );
    } catch {
      // Only the caller's own abort (at shutdown) or a failing fallback lands here.
    } finally {
      this.inFlight.delete(controller);
    }
  }

  /** Stops calling and aborts the calls in flight. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const controller of this.inFlight) controller.abort();
  }
}
