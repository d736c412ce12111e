import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CircuitBreakerRegistry } from '../index.js';
import { readBody } from './body.js';
import { EventHub } from './event-hub.js';
import { type DashboardOptions, type ResolvedDashboardOptions, resolveDashboardOptions } from './options.js';
import { PAGE_SECURITY_HEADERS, send, sendError, sendJson } from './respond.js';
import { ACTIONS, type ActionName, matchRoute } from './routes.js';
import { requestToken, tokensMatch } from './token.js';
import { breakerView } from './view.js';

/**
 * Largest request body accepted by the action endpoints (they need none).
 *
 * @example
 * ```ts
 * import { MAX_BODY_BYTES } from 'tripswitch/dashboard';
 * console.log(MAX_BODY_BYTES); // 1024: larger bodies get a 413
 * ```
 */
export const MAX_BODY_BYTES = 1024;

/** Express-style continuation: called for paths that are not the dashboard's, or with an error. */
export type NextFunction = (error?: unknown) => void;

/** A request handler for `http`, Express or Fastify, with a `close()` that ends its event streams. */
export interface DashboardHandler {
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void;
  /** Ends every event stream and stops the stats timer. The handler answers 503 to new streams afterwards. */
  close(): void;
  /** Number of connected event-stream clients. */
  readonly clients: number;
}

/**
 * The dashboard as a request handler: mount it in an existing `http`,
 * Express or Fastify server. Paths that are not the dashboard's go to `next`
 * when given, else get a 404.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createDashboardHandler } from 'tripswitch/dashboard';
 * const app = express();
 * app.use('/tripswitch', createDashboardHandler({ token: process.env.DASHBOARD_TOKEN }));
 * ```
 */
export function createDashboardHandler(options: DashboardOptions = {}): DashboardHandler {
  const resolved = resolveDashboardOptions(options, 'createDashboardHandler');
  const hub = new EventHub(resolved.registry, resolved.intervalMs, resolved.historySize);
  const handler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void => {
    handle(req, res, next, resolved, hub).catch((error: unknown) => {
      if (next !== undefined) next(error);
      else sendError(res, 500, 'internal error');
    });
  };
  Object.defineProperty(handler, 'clients', { get: () => hub.size });
  return Object.assign(handler, { close: () => hub.close() }) as DashboardHandler;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction | undefined,
  options: ResolvedDashboardOptions,
  hub: EventHub,
): Promise<void> {
  const notOurs = () => (next !== undefined ? next() : sendError(res, 404, 'not found'));
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  let path = queryAt === -1 ? url : url.slice(0, queryAt);
  const method = req.method ?? 'GET';
  const readMethod = method === 'GET' || method === 'HEAD';

  if (options.basePath !== '') {
    if (path === options.basePath) return readMethod ? redirect(res, `${options.basePath}/${query}`) : notOurs();
    if (!path.startsWith(`${options.basePath}/`)) return notOurs();
    path = path.slice(options.basePath.length);
  } else if (path === '/' && readMethod) {
    // Mounted by Express at /mount: the page needs the trailing slash for its relative links to resolve under it.
    const original = (req as { originalUrl?: unknown }).originalUrl;
    if (typeof original === 'string') {
      const originalPath = original.split('?')[0] ?? '';
      if (originalPath !== '' && !originalPath.endsWith('/')) return redirect(res, `${originalPath}/${query}`);
    }
  }

  const route = matchRoute(path);
  if (route === undefined) return notOurs();
  if (route.kind === 'malformed') return sendError(res, 400, route.message);
  if (!route.methods.includes(method)) {
    return sendError(res, 405, `method ${method} not allowed on this path`, { allow: route.methods.join(', ') });
  }
  switch (route.kind) {
    case 'asset':
      return send(res, 200, route.asset.type, route.asset.body, route.asset.type.startsWith('text/html') ? PAGE_SECURITY_HEADERS : {});
    case 'list':
      return sendJson(res, 200, { now: Date.now(), breakers: options.registry.breakers().map(breakerView) });
    case 'one': {
      const breaker = options.registry.get(route.name);
      return breaker === undefined ? sendError(res, 404, 'no such breaker') : sendJson(res, 200, breakerView(breaker));
    }
    case 'events':
      return hub.connect(req, res);
    case 'action':
      return act(req, res, options, route.name, route.action);
  }
}

async function act(
  req: IncomingMessage,
  res: ServerResponse,
  options: ResolvedDashboardOptions,
  name: string,
  action: ActionName,
): Promise<void> {
  // Refuse a huge body before reading it, and close the connection so it is never read.
  const close = { connection: 'close' };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return sendError(res, 413, `request body larger than ${MAX_BODY_BYTES} bytes`, close);
  if (options.token === undefined) return sendError(res, 403, 'actions are disabled: the dashboard has no token');
  if (!tokensMatch(requestToken(req), options.token)) return sendError(res, 403, 'missing or wrong token');
  const body = await readBody(req, MAX_BODY_BYTES);
  if (!body.ok) return sendError(res, body.status, body.message, body.status === 413 ? close : {});
  if (body.text.trim() !== '' && !isJsonObject(body.text)) return sendError(res, 400, 'the body must be empty or a JSON object');
  const breaker = (options.registry as CircuitBreakerRegistry).get(name);
  if (breaker === undefined) return sendError(res, 404, 'no such breaker');
  breaker[ACTIONS[action]]();
  sendJson(res, 200, { ok: true, action, breaker: breakerView(breaker) });
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function redirect(res: ServerResponse, location: string): void {
  send(res, 308, 'text/plain; charset=utf-8', `see ${location}`, { location });
}
