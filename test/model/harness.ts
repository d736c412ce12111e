import fc from 'fast-check';
import { expect, vi } from 'vitest';
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

/** A slow call takes this long (past any slow-call threshold, well under any call timeout). */
const SLOW_CALL_MS = 60;

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
  const { fallbacks: _fb, ...totals } = stats.totals;
  expect(totals).toEqual(model.totals);
}

type Command = fc.AsyncCommand<World, World>;

const always = () => true;

class SyncCall implements Command {
  constructor(
    readonly kind: ModelOutcome,
    readonly viaWrap: boolean,
  ) {}
  check = always;
  async run(_m: World, world: World): Promise<void> {
    const { real, model, clock } = world;
    const phase = model.admit(clock.now());
    const fn = () => {
      if (this.kind === 'slow') {
        clock.advance(SLOW_CALL_MS);
        vi.advanceTimersByTime(SLOW_CALL_MS);
      }
      if (this.kind === 'failure') throw new Error('failure');
      if (this.kind === 'ignored') throw new IgnoredError('ignored');
      return 'ok';
    };
    let outcome: unknown;
    try {
      outcome = this.viaWrap ? real.wrap(fn)() : real.execute(fn);
    } catch (error) {
      outcome = error;
    }
    if (phase === undefined) expect(isCircuitOpenError(outcome)).toBe(true);
    else model.finish(phase, this.kind, clock.now());
    // Timers that fell due during a slow call settle after it, in microtasks.
    await settleTimeouts(world);
    assertAgree(world);
  }
  toString = () => `sync(${this.kind}${this.viaWrap ? ', wrap' : ''})`;
}

class StartAsync implements Command {
  constructor(readonly viaWrap: boolean) {}
  check = always;
  async run(_m: World, world: World): Promise<void> {
    const { real, model, clock } = world;
    const phase = model.admit(clock.now());
    const gate = deferred();
    const fn = async () => gate.promise;
    const result = (this.viaWrap ? real.wrap(fn)() : real.execute(fn)).then(
      (value) => value,
      (error: unknown) => error,
    );
    if (phase === undefined) expect(isCircuitOpenError(await result)).toBe(true);
    else world.pending.push({ gate, phase, startedAt: clock.now(), result });
    assertAgree(world);
  }
  toString = () => `startAsync(${this.viaWrap ? 'wrap' : 'execute'})`;
}

class FinishAsync implements Command {
  constructor(
    readonly pick: number,
    readonly kind: ModelOutcome,
  ) {}
  check = (world: Readonly<World>) => world.pending.length > 0;
  async run(_m: World, world: World): Promise<void> {
    const { model, clock } = world;
    const call = world.pending[this.pick % world.pending.length];
    if (call === undefined) return;
    // A slow call's time passes first; it may time out meanwhile, and then its result comes too late.
    if (this.kind === 'slow') await advanceTime(world, SLOW_CALL_MS);
    const stillPending = world.pending.includes(call);
    world.pending = world.pending.filter((other) => other !== call);
    if (this.kind === 'failure') call.gate.reject(new Error('failure'));
    else if (this.kind === 'ignored') call.gate.reject(new IgnoredError('ignored'));
    else call.gate.resolve('ok');
    await call.result;
    await flushMicrotasks();
    if (stillPending) {
      const threshold = model.config.slowCallThresholdMs ?? Number.POSITIVE_INFINITY;
      const isSlow = (this.kind === 'slow' || this.kind === 'success') && clock.now() - call.startedAt > threshold;
      model.finish(call.phase, isSlow ? 'slow' : this.kind === 'slow' ? 'success' : this.kind, clock.now());
    }
    assertAgree(world);
  }
  toString = () => `finishAsync(${this.pick}, ${this.kind})`;
}

/**
 * Moves the manual clock and the fake timers together. Calls whose timeout
 * falls due time out, in start order, each recorded at the new time (the
 * breaker records them after the timers fire, when the clock has moved on).
 */
async function advanceTime(world: World, ms: number): Promise<void> {
  const { clock } = world;
  clock.advance(ms);
  vi.advanceTimersByTime(ms);
  await settleTimeouts(world);
}

/** Lets fired timeout timers settle their calls, and times the same calls out in the model. */
async function settleTimeouts(world: World): Promise<void> {
  const { clock, model } = world;
  await flushMicrotasks();
  const timeoutMs = model.config.callTimeoutMs;
  if (timeoutMs === undefined) return;
  const due = world.pending.filter((call) => call.startedAt + timeoutMs <= clock.now());
  world.pending = world.pending.filter((call) => !due.includes(call));
  for (const call of due) model.finish(call.phase, 'timeout', clock.now());
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = always;
  async run(_m: World, world: World): Promise<void> {
    await advanceTime(world, this.ms);
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
      { arbitrary: fc.tuple(outcomeArb, fc.boolean()).map(([kind, viaWrap]): Command => new SyncCall(kind, viaWrap)), weight: 8 },
      { arbitrary: fc.boolean().map((viaWrap): Command => new StartAsync(viaWrap)), weight: 3 },
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
    ...(config.slowCallThresholdMs === undefined ? {} : { slowCallThresholdMs: config.slowCallThresholdMs }),
    ...(config.callTimeoutMs === undefined ? {} : { callTimeoutMs: config.callTimeoutMs }),
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
  callTimeoutMs: undefined,
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

/**
 * The variants each window type runs in: slow-call tracking and call timeouts
 * change which internal path a call takes (inline, shared handlers, raced).
 */
export const VARIANTS = {
  'slow calls tracked': (config: ModelConfig): ModelConfig => config,
  'untimed (no slow calls)': ({ slowCallRateThreshold: _rate, ...config }: ModelConfig): ModelConfig => ({
    ...config,
    slowCallThresholdMs: undefined,
  }),
  'call timeout 300 ms': (config: ModelConfig): ModelConfig => ({ ...config, callTimeoutMs: 300 }),
} as const;

/** Runs `numRuns` random command sequences against one config; prints the seed on failure. */
export async function checkModel(
  config: ModelConfig,
  label: string,
  numRuns: number,
  seed = Date.now() ^ (Math.random() * 0x7fffffff),
): Promise<void> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    await fc.assert(
      fc.asyncProperty(commandsArb, async (commands) => {
        vi.clearAllTimers();
        const world = newWorld(config);
        await fc.asyncModelRun(() => ({ model: world, real: world }), commands);
      }),
      { numRuns, seed },
    );
  } catch (error) {
    console.error(`model check (${label}) failed; replay with seed ${seed}`);
    throw error;
  } finally {
    vi.useRealTimers();
  }
}
