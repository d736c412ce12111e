import fc from 'fast-check';
import { expect } from 'vitest';
import { CircuitBreaker, type CircuitBreakerConfig, isCircuitOpenError } from '../../src/index.js';
import { deferred, ManualClock } from '../support/clock.js';
import { BreakerModel, type ModelConfig, type ModelOutcome } from './breaker-model.js';

/** An error the breaker is configured to ignore. */
export class IgnoredError extends Error {}

interface Pending {
  readonly gate: ReturnType<typeof deferred>;
  readonly phase: number;
  readonly startedAt: number;
  readonly result: Promise<unknown>;
}

/** The real breaker, the model, and what both have in flight. */
export interface World {
  clock: ManualClock;
  real: CircuitBreaker;
  model: BreakerModel;
  pending: Pending[];
  readonly realConfig: CircuitBreakerConfig;
}

const flushMicrotasks = async () => {
  for (let i = 0; i < 6; i++) await null;
};

function assertAgree(world: World): void {
  const { real, model, clock } = world;
  const stats = real.stats();
  expect(stats.state).toBe(model.state);
  const { type: _type, failureRate: _f, slowCallRate: _s, ...counts } = stats.window;
  expect(counts).toEqual(model.counts(clock.now()));
  expect(stats.halfOpenInFlight).toBe(model.state === 'half_open' ? model.inFlight : 0);
  const { timeouts: _t, fallbacks: _fb, ...totals } = stats.totals;
  expect(totals).toEqual(model.totals);
}

type Command = fc.AsyncCommand<World, World>;

const always = () => true;

class SyncCall implements Command {
  constructor(readonly kind: ModelOutcome) {}
  check = always;
  async run(_m: World, world: World): Promise<void> {
    const { real, model, clock } = world;
    const phase = model.admit(clock.now());
    const threshold = model.config.slowCallThresholdMs;
    const fn = () => {
      if (this.kind === 'slow') clock.advance(threshold + 1);
      if (this.kind === 'failure') throw new Error('failure');
      if (this.kind === 'ignored') throw new IgnoredError('ignored');
      return 'ok';
    };
    let outcome: unknown;
    try {
      outcome = real.execute(fn);
    } catch (error) {
      outcome = error;
    }
    if (phase === undefined) expect(isCircuitOpenError(outcome)).toBe(true);
    else model.finish(phase, this.kind, clock.now());
    assertAgree(world);
  }
  toString = () => `sync(${this.kind})`;
}

class StartAsync implements Command {
  check = always;
  async run(_m: World, world: World): Promise<void> {
    const { real, model, clock } = world;
    const phase = model.admit(clock.now());
    const gate = deferred();
    const result = real
      .execute(async () => gate.promise)
      .then(
        (value) => value,
        (error: unknown) => error,
      );
    if (phase === undefined) expect(isCircuitOpenError(await result)).toBe(true);
    else world.pending.push({ gate, phase, startedAt: clock.now(), result });
    assertAgree(world);
  }
  toString = () => 'startAsync';
}

class FinishAsync implements Command {
  constructor(
    readonly pick: number,
    readonly kind: ModelOutcome,
  ) {}
  check = (world: Readonly<World>) => world.pending.length > 0;
  async run(_m: World, world: World): Promise<void> {
    const { model, clock } = world;
    const [call] = world.pending.splice(this.pick % world.pending.length, 1);
    if (call === undefined) return;
    const threshold = model.config.slowCallThresholdMs;
    if (this.kind === 'slow') clock.advance(threshold + 1);
    if (this.kind === 'failure') call.gate.reject(new Error('failure'));
    else if (this.kind === 'ignored') call.gate.reject(new IgnoredError('ignored'));
    else call.gate.resolve('ok');
    await call.result;
    await flushMicrotasks();
    const isSlow = this.kind === 'slow' || (this.kind === 'success' && clock.now() - call.startedAt > threshold);
    model.finish(call.phase, isSlow ? 'slow' : this.kind, clock.now());
    assertAgree(world);
  }
  toString = () => `finishAsync(${this.pick}, ${this.kind})`;
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = always;
  async run(_m: World, world: World): Promise<void> {
    world.clock.advance(this.ms);
    assertAgree(world);
  }
  toString = () => `advance(${this.ms})`;
}

class CheckState implements Command {
  check = always;
  async run(_m: World, world: World): Promise<void> {
    const allowed = world.model.check(world.clock.now());
    if (allowed) world.real.checkState();
    else expect(() => world.real.checkState()).toThrow();
    assertAgree(world);
  }
  toString = () => 'checkState';
}

class Manual implements Command {
  constructor(readonly action: 'reset' | 'forceOpen' | 'forceClosed' | 'disable') {}
  check = always;
  async run(_m: World, world: World): Promise<void> {
    world.real[this.action]();
    world.model.manual(this.action, world.clock.now());
    assertAgree(world);
  }
  toString = () => this.action;
}

class Restart implements Command {
  check = always;
  async run(_m: World, world: World): Promise<void> {
    const snapshot = JSON.parse(JSON.stringify(world.real.toJSON()));
    world.real = new CircuitBreaker(world.real.name, { ...world.realConfig, initialState: snapshot });
    world.pending = []; // their results now belong to the old breaker object
    world.model.restart();
    assertAgree(world);
  }
  toString = () => 'restart';
}

/** Failures weigh as much as the three other outcomes together, so circuits trip and recover often. */
const outcomeArb = fc.oneof(
  { arbitrary: fc.constant<ModelOutcome>('failure'), weight: 3 },
  { arbitrary: fc.constantFrom<ModelOutcome>('success', 'slow', 'ignored'), weight: 3 },
);

/** The commands, weighted towards calls and time; manual states and restarts are rarer, as they end automatic cycles. */
export const commandsArb = fc.commands(
  [
    fc.oneof(
      { arbitrary: outcomeArb.map((kind): Command => new SyncCall(kind)), weight: 8 },
      { arbitrary: fc.constant<Command>(new StartAsync()), weight: 3 },
      { arbitrary: fc.tuple(fc.nat(), outcomeArb).map(([pick, kind]): Command => new FinishAsync(pick, kind)), weight: 3 },
      { arbitrary: fc.integer({ min: 0, max: 250 }).map((ms): Command => new Advance(ms)), weight: 4 },
      { arbitrary: fc.constant<Command>(new CheckState()), weight: 1 },
      {
        arbitrary: fc
          .constantFrom('reset', 'reset', 'forceOpen', 'forceClosed', 'disable' as const)
          .map((action): Command => new Manual(action)),
        weight: 1,
      },
      { arbitrary: fc.constant<Command>(new Restart()), weight: 1 },
    ),
  ],
  { maxCommands: 80, size: 'max' },
);

/** Builds a fresh real breaker and model from one model config. */
export function newWorld(config: ModelConfig): World {
  const clock = new ManualClock(1_000_000);
  const realConfig: CircuitBreakerConfig = {
    clock,
    ...(config.window.type === 'consecutive' ? { failureThreshold: config.failureThreshold } : {}),
    successThreshold: config.successThreshold,
    resetTimeoutMs: config.resetTimeoutMs,
    halfOpenMaxCalls: config.halfOpenMaxCalls,
    maxHalfOpenWaitMs: config.maxHalfOpenWaitMs,
    slowCallThresholdMs: config.slowCallThresholdMs,
    ...(config.slowCallRateThreshold === undefined ? {} : { slowCallRateThreshold: config.slowCallRateThreshold }),
    backoff: config.backoff,
    window: config.window,
    ignoreErrors: [IgnoredError],
  };
  return { clock, real: new CircuitBreaker('model', realConfig), model: new BreakerModel(config, clock.now()), pending: [], realConfig };
}

const base = {
  successThreshold: 2,
  resetTimeoutMs: 100,
  halfOpenMaxCalls: 2,
  maxHalfOpenWaitMs: 400,
  slowCallThresholdMs: 50,
  failureThreshold: 3,
  backoff: { multiplier: 2, maxResetTimeoutMs: 350 },
};

/** One model config per window type. */
export const MODEL_CONFIGS: Record<'consecutive' | 'count' | 'time', ModelConfig> = {
  consecutive: { ...base, window: { type: 'consecutive' } },
  count: { ...base, window: { type: 'count', size: 5, minimumCalls: 3, failureRateThreshold: 0.5 }, slowCallRateThreshold: 0.6 },
  time: {
    ...base,
    window: { type: 'time', durationMs: 200, buckets: 4, minimumCalls: 3, failureRateThreshold: 0.5 },
    slowCallRateThreshold: 0.6,
  },
};

/** Runs `numRuns` random command sequences against one window type; prints the seed on failure. */
export async function checkModel(
  type: keyof typeof MODEL_CONFIGS,
  numRuns: number,
  seed = Date.now() ^ (Math.random() * 0x7fffffff),
): Promise<void> {
  try {
    await fc.assert(
      fc.asyncProperty(commandsArb, async (commands) => {
        const world = newWorld(MODEL_CONFIGS[type]);
        await fc.asyncModelRun(() => ({ model: world, real: world }), commands);
      }),
      { numRuns, seed },
    );
  } catch (error) {
    console.error(`model check of the ${type} window failed; replay with seed ${seed}`);
    throw error;
  }
}
