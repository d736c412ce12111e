import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How one upstream endpoint behaves right now. */
export interface Behaviour {
  /** Share of requests answered 503 (0..1). */
  readonly failureRate: number;
  /** Typical latency in ms (each request takes 0.5x to 1.5x of it). */
  readonly latencyMs: number;
}

/** One endpoint and its script: a behaviour for each phase of a repeating timeline. */
export interface Endpoint {
  readonly name: string;
  /** [seconds into the cycle at which the phase starts, behaviour], sorted. */
  readonly script: readonly (readonly [number, Behaviour])[];
}

/** The length of the script's cycle, in seconds. */
export const CYCLE_SECONDS = 60;

const ok = (latencyMs: number, failureRate = 0): Behaviour => ({ failureRate, latencyMs });

/** The demo's upstream: four endpoints, each with its own kind of trouble on a 60 s loop. */
export const ENDPOINTS: readonly Endpoint[] = [
  { name: 'users', script: [[0, ok(20, 0.01)]] },
  {
    name: 'payments',
    script: [
      [0, ok(40, 0.02)],
      [8, ok(40, 0.9)],
      [28, ok(40, 0.05)],
    ],
  },
  {
    name: 'search',
    script: [
      [0, ok(60, 0.02)],
      [22, ok(900, 0.02)],
      [42, ok(60, 0.02)],
    ],
  },
  {
    name: 'recommendations',
    script: [
      [0, ok(30, 0.3)],
      [35, ok(30, 0.7)],
      [50, ok(30, 0.3)],
    ],
  },
];

/** A local HTTP server whose endpoints fail and slow down on a script, and can be broken or healed by hand. */
export class FlakyUpstream {
  private server: Server | undefined;
  private readonly started = Date.now();
  /** Endpoints broken by hand (every request fails until healed). */
  readonly broken = new Set<string>();
  url = '';

  /** The behaviour of `name` now, with the manual overrides. */
  behaviour(name: string): Behaviour {
    if (this.broken.has(name)) return { failureRate: 1, latencyMs: 10 };
    const endpoint = ENDPOINTS.find((e) => e.name === name);
    if (endpoint === undefined) return ok(1);
    const second = ((Date.now() - this.started) / 1000) % CYCLE_SECONDS;
    let current = endpoint.script[0]?.[1] ?? ok(1);
    for (const [from, behaviour] of endpoint.script) if (second >= from) current = behaviour;
    return current;
  }

  /** Breaks (or heals) an endpoint by hand; returns whether it is now broken. */
  toggle(name: string): boolean {
    if (this.broken.delete(name)) return false;
    this.broken.add(name);
    return true;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const [, first, second] = (req.url ?? '/').split('?')[0]?.split('/') ?? [];
      // POST /control/break/<name>, /control/heal/<name>, /control/heal
      if (first === 'control' && req.method === 'POST') {
        if (second === 'heal' || second === 'break') {
          const name = (req.url ?? '').split('/')[3];
          if (name === undefined) this.broken.clear();
          else if (second === 'break') this.broken.add(name);
          else this.broken.delete(name);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ broken: [...this.broken] }));
          return;
        }
      }
      const endpoint = ENDPOINTS.find((e) => e.name === first);
      if (endpoint === undefined) {
        res.writeHead(404).end();
        return;
      }
      const { failureRate, latencyMs } = this.behaviour(endpoint.name);
      const timer = setTimeout(
        () => {
          if (Math.random() < failureRate) res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"unavailable"}');
          else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ endpoint: endpoint.name, at: Date.now() }));
        },
        latencyMs * (0.5 + Math.random()),
      );
      res.on('close', () => clearTimeout(timer));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
