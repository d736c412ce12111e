/**
 * A worker process of the multi-process tests: one breaker with a
 * RedisStateStore, driven by the parent over IPC. Run as `node --import tsx worker.ts`.
 */
import { performance } from 'node:perf_hooks';
import { CircuitBreaker, type CircuitBreakerConfig, isCircuitOpenError } from '../../src/index.js';
import { RedisStateStore, type RedisStateStoreOptions } from '../../src/redis/index.js';

const now = () => performance.timeOrigin + performance.now();
const send = (message: object) => process.send?.(message);
let breaker: CircuitBreaker | undefined;
let store: RedisStateStore | undefined;

process.on('message', async (message: Record<string, unknown>) => {
  switch (message.type) {
    case 'init': {
      store = new RedisStateStore(message.store as RedisStateStoreOptions);
      const b = new CircuitBreaker(message.name as string, { ...(message.config as CircuitBreakerConfig), store });
      breaker = b;
      b.on('stateChange', (event) => {
        let rejects = false;
        if (event.to === 'open' || event.to === 'forced_open') {
          try {
            b.execute(() => 1);
          } catch (error) {
            rejects = isCircuitOpenError(error);
          }
        }
        send({ type: 'state', state: event.to, at: now(), rejects });
      });
      await store.flush();
      send({ type: 'ready' });
      return;
    }
    case 'fail': {
      // The timestamp is taken right before the failing call that trips the breaker.
      const at = now();
      try {
        breaker?.execute(() => {
          throw new Error('boom');
        });
      } catch {}
      send({ type: 'done', what: 'fail', at });
      return;
    }
    case 'reset':
      breaker?.reset();
      send({ type: 'done', what: 'reset' });
      return;
    case 'burst': {
      // `count` concurrent async calls; each one that runs while HALF_OPEN is a trial and reports its interval.
      const b = breaker as CircuitBreaker;
      const trials: { start: number; end: number }[] = [];
      const call = b.wrap(async () => {
        const trial = b.state === 'half_open';
        const start = now();
        await new Promise((done) => setTimeout(done, message.durationMs as number));
        if (trial) trials.push({ start, end: now() });
        return 'ok';
      });
      let ok = 0;
      let rejected = 0;
      const errors: string[] = [];
      await Promise.all(
        Array.from({ length: message.count as number }, () =>
          call().then(
            () => ok++,
            (error: unknown) => (isCircuitOpenError(error) ? rejected++ : errors.push(String(error))),
          ),
        ),
      );
      send({ type: 'burst', trials, ok, rejected, errors });
      return;
    }
    case 'hold': {
      // A trial call that never ends: the process holds a fleet permit until it dies.
      const b = breaker as CircuitBreaker;
      b.execute(async () => {
        send({ type: 'holding' });
        await new Promise(() => {});
      }).catch(() => {});
      return;
    }
    case 'close':
      // After close the process must exit by itself: no timer, socket or handle may be left.
      await store?.close();
      process.disconnect();
      return;
  }
});
