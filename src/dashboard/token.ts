import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Whether `given` equals `expected`, in time independent of where they differ and of their lengths (both are hashed first). */
export function tokensMatch(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token a request carries: `Authorization: Bearer <token>` or `X-Tripswitch-Token: <token>`. */
export function requestToken(req: IncomingMessage): string | undefined {
  const authorization = req.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer +(.+)$/i.exec(authorization.trim());
    if (match) return match[1];
  }
  const header = req.headers['x-tripswitch-token'];
  return typeof header === 'string' ? header : undefined;
}
