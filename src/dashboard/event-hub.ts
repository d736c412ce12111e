import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CircuitBreakerRegistry } from '../index.js';
import { watchBreakers } from '../prometheus/watch-breakers.js';
import { RateHistory } from './history.js';
import { breakerView } from './view.js';

/**
 * The Server-Sent Events stream of the dashboard. Each client gets a `hello`
 * event (every breaker and its recent rates), then a `stats` event every
 * interval and a `transition` event as each state change happens. The timer
 * and the breaker listeners run only while a client is connected.
 */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly history: RateHistory;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopWatching: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly registry: CircuitBreakerRegistry,
    private readonly intervalMs: number,
    private readonly historySize: number,
  ) {
    this.history = new RateHistory(historySize);
  }

  /** Number of connected clients. */
  get size(): number {
    return this.clients.size;
  }

  /** Turns the response into an event stream for this client. */
  connect(req: IncomingMessage, res: ServerResponse): void {
    if (this.closed) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('dashboard closed');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    req.socket.setNoDelay(true);
    this.clients.add(res);
    const leave = () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stop();
    };
    res.on('close', leave);
    this.start();
    write(res, 'hello', {
      now: Date.now(),
      intervalMs: this.intervalMs,
      historySize: this.historySize,
      breakers: this.registry.breakers().map(breakerView),
      history: this.history.all(),
    });
  }

  /** Ends every stream and stops the timer and the listeners. */
  close(): void {
    this.closed = true;
    for (const res of [...this.clients]) res.end();
    this.clients.clear();
    this.stop();
  }

  private start(): void {
    if (this.timer !== undefined) return;
    this.history.record(
      this.registry.breakers().map((breaker) => breaker.stats()),
      Date.now(),
    );
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    this.stopWatching = watchBreakers(
      this.registry,
      (breaker) =>
        breaker.on('stateChange', (transition) => {
          this.broadcast('transition', { transition, breaker: breakerView(breaker) });
        }),
      'dashboard',
    );
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.history.pause();
  }

  private tick(): void {
    const now = Date.now();
    const breakers = this.registry.breakers().map(breakerView);
    const samples = this.history.record(breakers, now);
    this.broadcast('stats', {
      now,
      breakers: breakers.map((view) => ({ ...view, sample: samples.get(view.name) ?? null })),
    });
  }

  private broadcast(event: string, data: unknown): void {
    for (const res of this.clients) write(res, event, data);
  }
}

/** Writes one SSE event; JSON never contains a raw newline, so one `data:` line is enough. */
function write(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
