import { ASSETS, type Asset } from './assets.js';

/**
 * The manual actions the dashboard exposes, by their path segment.
 *
 * @example
 * ```ts
 * import { ACTIONS } from 'tripswitch/dashboard';
 * await fetch(`${url}breakers/db/${Object.keys(ACTIONS)[2]}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export const ACTIONS = Object.freeze({ 'force-open': 'forceOpen', 'force-closed': 'forceClosed', reset: 'reset' } as const);

/** One of the keys of {@link ACTIONS}. */
export type ActionName = keyof typeof ACTIONS;

/** What a request path points to. */
export type Route =
  | { readonly kind: 'asset'; readonly asset: Asset; readonly methods: readonly string[] }
  | { readonly kind: 'list'; readonly methods: readonly string[] }
  | { readonly kind: 'one'; readonly name: string; readonly methods: readonly string[] }
  | { readonly kind: 'events'; readonly methods: readonly string[] }
  | { readonly kind: 'action'; readonly name: string; readonly action: ActionName; readonly methods: readonly string[] }
  | { readonly kind: 'malformed'; readonly message: string };

const READ = ['GET', 'HEAD'] as const;
const PREFIX = '/breakers/';

/**
 * Matches a path (below the mount point, without the query) to a route, or
 * `undefined` when it is not the dashboard's. Breaker names are one
 * percent-encoded segment, so any name fits, `/` included.
 */
export function matchRoute(path: string): Route | undefined {
  const asset = ASSETS.get(path);
  if (asset !== undefined) return { kind: 'asset', asset, methods: READ };
  if (path === '/breakers') return { kind: 'list', methods: READ };
  if (path === '/events') return { kind: 'events', methods: ['GET'] };
  if (!path.startsWith(PREFIX)) return undefined;
  const rest = path.slice(PREFIX.length);
  const slash = rest.indexOf('/');
  const encodedName = slash === -1 ? rest : rest.slice(0, slash);
  const action = slash === -1 ? undefined : rest.slice(slash + 1);
  if (action !== undefined && !Object.hasOwn(ACTIONS, action)) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(encodedName);
  } catch {
    return { kind: 'malformed', message: 'malformed percent-encoding in the breaker name' };
  }
  if (name === '') return { kind: 'malformed', message: 'empty breaker name' };
  if (action === undefined) return { kind: 'one', name, methods: READ };
  return { kind: 'action', name, action: action as ActionName, methods: ['POST'] };
}
