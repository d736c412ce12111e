import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';

/** The shared Redis of the test machines. */
export const REDIS_URL = process.env.TRIPSWITCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** With CI=true or TRIPSWITCH_REQUIRE_REDIS=1 a missing Redis fails the suite instead of skipping it. */
export const REDIS_REQUIRED = process.env.CI === 'true' || process.env.TRIPSWITCH_REQUIRE_REDIS === '1';

/** Whether something answers PING at `url` within `ms`. */
export function ping(url: string, ms = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(ms, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

/**
 * Why the Redis tests cannot run here, or undefined when they can. Throws when
 * Redis is required (CI) and missing: a skip would hide it.
 */
export async function redisSkipReason(needServerBinary = false): Promise<string | undefined> {
  let reason: string | undefined;
  if (!(await ping(REDIS_URL))) {
    reason = `Redis is not reachable at ${REDIS_URL} (start it: see DEVELOPERS.md / .ci/run)`;
  } else if (needServerBinary && spawnSync('redis-server', ['--version']).status !== 0) {
    reason = 'the redis-server binary is not on PATH (fault tests start their own server)';
  }
  if (reason === undefined) return undefined;
  if (REDIS_REQUIRED) throw new Error(`Redis tests are required (CI=true or TRIPSWITCH_REQUIRE_REDIS=1) but ${reason}`);
  console.warn(`[tripswitch] skipping Redis tests: ${reason}`);
  return reason;
}

let counter = 0;
/** A key prefix no other test or run uses. */
export function uniquePrefix(label: string): string {
  return `tstest:${label}:${process.pid}:${Date.now().toString(36)}:${++counter}`;
}

/** Deletes every key under a prefix (tests clean up after themselves; TTLs would anyway). */
export async function deletePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const keys = await client.keys(`{${prefix}:*`);
    if (keys.length > 0) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `check` until it holds; throws with `what` after `ms`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** A private redis-server the test may kill, restart, pause or starve. */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const server = new PrivateRedis(await freePort());
    await server.restart();
    return server;
  }

  /** Starts (again) on the same port, empty. */
  async restart(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(() => ping(this.url, 200), 5000, `redis-server on port ${this.port}`);
  }

  /** SIGKILL: the server vanishes without a goodbye. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
  }

  /** A plain client for setup and fault injection. */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: 1 });
  }
}

/** Messages a worker sends to the parent. */
export type WorkerEvent =
  | { type: 'ready' }
  | { type: 'state'; state: string; at: number; rejects: boolean }
  | { type: 'holding' }
  | { type: 'burst'; trials: { start: number; end: number }[]; ok: number; rejected: number; errors: string[] }
  | { type: 'done'; what: string }
  | { type: 'closed' };

/** One worker process: a breaker with a RedisStateStore, driven over IPC. */
export class Worker {
  readonly events: WorkerEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private constructor(readonly child: ChildProcess) {
    child.on('message', (message) => {
      this.events.push(message as WorkerEvent);
      for (const listener of [...this.listeners]) listener();
    });
  }

  static async start(init: Record<string, unknown>): Promise<Worker> {
    const child = fork(resolve(import.meta.dirname, 'worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = new Worker(child);
    child.send({ type: 'init', ...init });
    await worker.next((e) => e.type === 'ready', 15_000);
    return worker;
  }

  send(message: Record<string, unknown>): void {
    this.child.send(message);
  }

  /** Resolves with the first event (from now on, or already received after index `from`) matching `match`. */
  next<E extends WorkerEvent>(match: (event: WorkerEvent) => event is E, ms?: number, from?: number): Promise<E>;
  next(match: (event: WorkerEvent) => boolean, ms?: number, from?: number): Promise<WorkerEvent>;
  next(match: (event: WorkerEvent) => boolean, ms = 5000, from = this.events.length): Promise<WorkerEvent> {
    return new Promise((done, fail) => {
      const check = () => {
        const found = this.events.slice(from).find(match);
        if (found === undefined) return;
        cleanup();
        done(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        fail(new Error(`worker ${this.child.pid}: no matching event within ${ms} ms (last: ${JSON.stringify(this.events.at(-1))})`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Waits for the process to exit on its own (it has no handle left), or kills it after `ms`. */
  exited(ms: number): Promise<number | null | 'killed'> {
    return new Promise((done) => {
      if (this.child.exitCode !== null) return done(this.child.exitCode);
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        done('killed');
      }, ms);
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        done(code);
      });
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Percentile of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
