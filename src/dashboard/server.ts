import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe } from '../prometheus/watch-breakers.js';
import { createDashboardHandler } from './handler.js';
import { type DashboardOptions, integer, resolveDashboardOptions } from './options.js';

/** Options of {@link startDashboard}: the handler's, plus where to listen. */
export interface StartDashboardOptions extends Omit<DashboardOptions, 'basePath'> {
  /** TCP port; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** Interface to bind. Default `'127.0.0.1'` (this machine only). */
  readonly host?: string;
  /** Without a `token`, one is generated unless this is true (then the actions are disabled). */
  readonly readOnly?: boolean;
}

/** A running dashboard server. */
export interface RunningDashboard {
  /** The page's URL, like `http://127.0.0.1:4000/`. */
  readonly url: string;
  /** The URL with the token in its fragment (`#token=…`), which the page reads and then hides; `undefined` when read-only. */
  readonly urlWithToken: string | undefined;
  /** The token the actions require (given or generated); `undefined` when read-only. */
  readonly token: string | undefined;
  readonly host: string;
  readonly port: number;
  /** The underlying Node server. */
  readonly server: Server;
  /** Stops the server: ends the event streams, closes every connection, clears the timer. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the dashboard on its own HTTP server, bound to 127.0.0.1 by default.
 *
 * @example
 * ```ts
 * import { startDashboard } from 'tripswitch/dashboard';
 * const dashboard = await startDashboard({ port: 4000 });
 * console.log(`dashboard: ${dashboard.urlWithToken}`);
 * // later: await dashboard.close();
 * ```
 */
export async function startDashboard(options: StartDashboardOptions = {}): Promise<RunningDashboard> {
  const where = 'startDashboard';
  const resolved = resolveDashboardOptions(options, where, ['port', 'host', 'readOnly']);
  const port = integer(options.port, 'port', 0, 0, 65_535, where);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.trim() === '')
    throw new TypeError(`${where}: option "host" must be a non-empty string, got ${describe(host)}`);
  if (options.readOnly !== undefined && typeof options.readOnly !== 'boolean') {
    throw new TypeError(`${where}: option "readOnly" must be a boolean, got ${describe(options.readOnly)}`);
  }
  if (options.readOnly === true && resolved.token !== undefined)
    throw new TypeError(`${where}: options "readOnly" and "token" exclude each other`);
  const token = options.readOnly === true ? undefined : (resolved.token ?? randomBytes(18).toString('base64url'));
  const handler = createDashboardHandler({
    registry: resolved.registry,
    intervalMs: resolved.intervalMs,
    historySize: resolved.historySize,
    ...(token === undefined ? {} : { token }),
  });
  const server = createServer((req, res) => handler(req, res));
  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // the event stream is a long request
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}/`;
  let closing: Promise<void> | undefined;
  return {
    url,
    urlWithToken: token === undefined ? undefined : `${url}#token=${encodeURIComponent(token)}`,
    token,
    host,
    port: address.port,
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        handler.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
