import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStateStore } from '../../src/redis/index.js';

/** How long the demo waits for Redis to answer at startup before giving up. */
export const REDIS_CHECK_TIMEOUT_MS = 3_000;

/** The demo's keys expire this long after their last write (10 minutes), so an interrupted run leaves nothing for long. */
const KEY_TTL_MS = 600_000;

/** A key prefix unique to one demo run, so runs (and their fleets) never share a circuit by accident. */
export function demoKeyPrefix(): string {
  return `tripswitch-demo:${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * The store every process of one demo run uses: same URL and prefix, so breakers of the same name are one circuit.
 * `localTrip: 'fleet'` makes a trip decided by any one process open the circuit in all of them.
 */
export function createDemoStore(url: string, keyPrefix: string, instanceId: string): RedisStateStore {
  return new RedisStateStore({ redis: url, keyPrefix, instanceId, localTrip: 'fleet', keyTtlMs: KEY_TTL_MS });
}

/** A short connection that never retries and never queues: for the startup check and the cleanup. */
function shortClient(url: string, timeoutMs: number): Redis & { lastError?: Error } {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectionName: 'tripswitch-demo',
  });
  const withError = client as Redis & { lastError?: Error };
  // Reported by the rejected promise instead; kept because it says why (ECONNREFUSED, ENOTFOUND, NOAUTH, ...).
  client.on('error', (error: Error) => {
    withError.lastError = error;
  });
  return withError;
}

/**
 * Resolves when Redis at `url` answers PING within `timeoutMs`; rejects with an error that says where it looked.
 * Never leaves a connection or a reconnect timer behind.
 */
export async function checkRedis(url: string, timeoutMs = REDIS_CHECK_TIMEOUT_MS): Promise<void> {
  const client = shortClient(url, timeoutMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (error) {
    const cause = client.lastError ?? (error as Error);
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${cause.message || String(cause)}`);
  } finally {
    clearTimeout(timer);
    release(client);
  }
}

/** Disconnects, unless the connection already ended (ioredis would then keep a 2 s timer for a socket that is gone). */
function release(client: Redis): void {
  if (client.status !== 'end') client.disconnect();
}

/** Deletes the keys of one demo run (bounded by `timeoutMs`; the keys expire anyway). Never rejects. */
export async function deleteDemoKeys(url: string, keyPrefix: string, timeoutMs = 1_000): Promise<number> {
  const client = shortClient(url, timeoutMs);
  let deleted = 0;
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `{${keyPrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
  } catch {
    // The keys expire by themselves.
  } finally {
    release(client);
  }
  return deleted;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
