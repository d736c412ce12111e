import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM, launchChromium, CHROMIUM_REQUIRED as REQUIRED } from './support/chromium.js';

/**
 * The core promises to run in any JavaScript runtime. This bundles the public
 * entry for the browser (a Node-only import would fail the bundle) and runs
 * the seed's behaviours in Debian's Chromium: trip, reject, half-open, close,
 * a timeout with AbortSignal, events, retry and the registry.
 */
const root = resolve(import.meta.dirname, '..');

describe.skipIf(!HAVE_CHROMIUM && !REQUIRED)(
  HAVE_CHROMIUM || REQUIRED ? 'the core in a real browser' : `the core in a real browser: SKIPPED, no chromium at ${CHROMIUM}`,
  () => {
    let browser: Browser;
    let server: Server;
    let url: string;

    beforeAll(async () => {
      const bundle = await build({
        entryPoints: [join(root, 'src/index.ts')],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        write: false,
        logLevel: 'silent',
      });
      const code = bundle.outputFiles[0]?.text ?? '';
      // The page imports the bundle as a module and hands it to the test on `window`.
      const page =
        '<!doctype html><meta charset="utf-8"><title>tripswitch</title>' +
        '<script type="module">import * as tripswitch from "/tripswitch.js"; window.tripswitch = tripswitch;</script>';
      server = createServer((req, res) => {
        if (req.url === '/tripswitch.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
        else res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      browser = await launchChromium();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((done) => server?.close(done));
    });

    it('bundles for the browser with no Node-only import, and runs the breaker there', async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(url);
      await page.waitForFunction(() => 'tripswitch' in window);
      const result = await page.evaluate(async () => {
        // biome-ignore lint/suspicious/noExplicitAny: the bundle's exports, as the page sees them
        const ts = (window as any).tripswitch;
        let now = 0;
        const clock = { now: () => now };
        const breaker = new ts.CircuitBreaker('browser', { failureThreshold: 2, resetTimeoutMs: 1000, clock, callTimeoutMs: 20 });
        const changes: string[] = [];
        breaker.on('stateChange', (e: { from: string; to: string }) => changes.push(`${e.from}->${e.to}`));
        const sync = breaker.wrap((x: number) => {
          if (x < 0) throw new Error('negative');
          return x * 2;
        });
        const first = sync(21);
        for (const x of [-1, -2]) {
          try {
            sync(x);
          } catch {}
        }
        let rejection = '';
        try {
          sync(1);
        } catch (error) {
          rejection = `${ts.isCircuitOpenError(error)} ${(error as { breakerName: string }).breakerName} ${(error as { retryAfter: number }).retryAfter}`;
        }
        now = 1000;
        const trial = sync(5);
        // A timeout aborts the call's own signal, in the browser's AbortController.
        let aborted = '';
        const hang = breaker.wrapWithSignal(
          (signal: AbortSignal) =>
            new Promise((_, reject) =>
              signal.addEventListener('abort', () => {
                aborted = String(ts.isCallTimeoutError(signal.reason));
                reject(signal.reason);
              }),
            ),
        );
        const timedOut = await hang(undefined).then(
          () => 'resolved',
          (error: unknown) => String(ts.isCallTimeoutError(error)),
        );
        let attempts = 0;
        const retried = await ts.retry({ maxAttempts: 3, backoff: { initialDelayMs: 1 } }).execute(async () => {
          if (++attempts < 3) throw new Error('again');
          return attempts;
        });
        const registry = new ts.CircuitBreakerRegistry();
        registry.getOrCreate('a');
        return { first, rejection, trial, state: breaker.state, changes, timedOut, aborted, retried, states: registry.getAllStates() };
      });
      expect(errors).toEqual([]);
      expect(result).toEqual({
        first: 42,
        rejection: 'true browser 1000',
        trial: 10,
        state: 'closed',
        changes: ['closed->open', 'open->half_open', 'half_open->closed'],
        timedOut: 'true',
        aborted: 'true',
        retried: 3,
        states: { a: 'closed' },
      });
      await page.close();
    });
  },
);
