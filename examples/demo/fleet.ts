import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isWorkerMessage, type MainMessage, type WorkerMessage, type WorkerSetup } from './messages.js';

/** The worker script, run from the sources through tsx like the demo itself. */
const WORKER_SCRIPT = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** How long the workers may take to start (tsx compiles on first run) before the demo gives up. */
const START_TIMEOUT_MS = 30_000;

/** The latest stats a worker reported. */
export type StatsReport = Extract<WorkerMessage, { type: 'stats' }>;

/** What the fleet tells the main process. */
export interface FleetHandlers {
  /** Every message from a worker (ready, transition, stats, store, fatal). */
  onMessage(message: WorkerMessage): void;
  /** A worker exited while the fleet was running (not during {@link Fleet.stop}). */
  onUnexpectedExit(worker: number, code: number | null, signal: NodeJS.Signals | null): void;
}

interface Worker {
  readonly number: number;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  hasExited: boolean;
}

/**
 * The worker processes of `--workers <n>`: forks them (each runs examples/demo/worker.ts through tsx),
 * keeps their latest stats, and stops them. Workers stop by themselves if the main process disappears.
 */
export class Fleet {
  private readonly workers: Worker[] = [];
  private readonly latest = new Map<number, StatsReport>();
  private stopping = false;

  constructor(
    private readonly setup: Omit<WorkerSetup, 'worker'>,
    private readonly handlers: FleetHandlers,
  ) {}

  /** The latest stats of each worker, by worker number. */
  reports(): ReadonlyMap<number, StatsReport> {
    return this.latest;
  }

  /** Workers still running. */
  get running(): number {
    return this.workers.filter((worker) => !worker.hasExited).length;
  }

  /** Forks `count` workers; resolves when every one is ready, rejects if one fails or they take too long. */
  start(count: number): Promise<void> {
    const ready = Array.from({ length: count }, (_, index) => this.fork(index + 1));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the workers did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    return Promise.race([Promise.all(ready), timeout]).then(
      () => clearTimeout(timer),
      (error: unknown) => {
        clearTimeout(timer);
        throw error;
      },
    );
  }

  private fork(number: number): Promise<void> {
    const setup: WorkerSetup = { ...this.setup, worker: number };
    const child = fork(WORKER_SCRIPT, [JSON.stringify(setup)], {
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker: Worker = {
      number,
      child,
      hasExited: false,
      exited: new Promise((resolve) =>
        child.once('exit', (code, signal) => {
          worker.hasExited = true;
          this.latest.delete(number);
          if (!this.stopping) this.handlers.onUnexpectedExit(number, code, signal);
          resolve();
        }),
      ),
    };
    this.workers.push(worker);
    return new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      void worker.exited.then(() => reject(new Error(`worker ${number} exited before it was ready (code ${child.exitCode})`)));
      child.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        if (message.type === 'stats') this.latest.set(number, message);
        if (message.type === 'ready') resolve();
        if (message.type === 'fatal') reject(new Error(`worker ${number}: ${message.error}`));
        this.handlers.onMessage(message);
      });
    });
  }

  /** Asks every worker to stop, waits for them (at most `timeoutMs`), then kills any left. Never rejects. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopping = true;
    const stop: MainMessage = { type: 'stop' };
    for (const { child } of this.workers) if (child.connected) child.send(stop, () => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const all = Promise.all(this.workers.map((worker) => worker.exited));
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    for (const worker of this.workers) if (!worker.hasExited) worker.child.kill('SIGKILL');
    await all;
  }
}
