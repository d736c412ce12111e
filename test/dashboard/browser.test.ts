import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDashboard, startDashboard } from '../../src/dashboard/index.js';
import { type CircuitBreaker, CircuitBreakerRegistry } from '../../src/index.js';
import { CHROMIUM, HAVE_CHROMIUM, launchChromium, CHROMIUM_REQUIRED as REQUIRED } from '../support/chromium.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = 'browser-test-token';
const XSS = '<img src=x onerror=alert(1)>';
const title =
  HAVE_CHROMIUM || REQUIRED
    ? 'dashboard in a real browser (Debian chromium)'
    : `dashboard in a real browser: SKIPPED, no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH; with CI=true this fails instead)`;

describe.skipIf(!HAVE_CHROMIUM && !REQUIRED)(title, () => {
  let browser: Browser;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function setup(
    intervalMs = 1000,
  ): Promise<{ registry: CircuitBreakerRegistry; dashboard: RunningDashboard; page: Page; dialogs: string[] }> {
    const registry = new CircuitBreakerRegistry();
    const dashboard = await startDashboard({ registry, token: TOKEN, intervalMs });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      // The token prompt gets a wrong token; anything else (an alert from injected HTML) is recorded and dismissed.
      void (dialog.type() === 'prompt' ? dialog.accept('wrong-token') : dialog.dismiss());
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    cleanups.push(async () => {
      await context.close();
      await dashboard.close();
      expect(errors).toEqual([]);
    });
    return { registry, dashboard, page, dialogs };
  }

  const card = (page: Page, name: string) => page.getByRole('article', { name, exact: true });
  const fail = (breaker: CircuitBreaker | undefined) => {
    try {
      breaker?.execute(() => {
        throw new Error('down');
      });
    } catch {
      // counted
    }
  };

  it('shows a card per breaker and turns it open within 2 s of a trip, without reload', async () => {
    const { registry, dashboard, page } = await setup();
    registry.getOrCreate('payments', { failureThreshold: 2, resetTimeoutMs: 60_000 });
    registry.getOrCreate('search');
    await page.goto(dashboard.url);
    await expect.poll(() => card(page, 'payments').getAttribute('data-state')).toBe('closed');
    await expect.poll(() => page.locator('#connection').getAttribute('data-status')).toBe('live');
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));

    fail(registry.get('payments'));
    fail(registry.get('payments'));
    const tripped = Date.now();
    await expect.poll(() => card(page, 'payments').getAttribute('data-state'), { timeout: 2_000, interval: 50 }).toBe('open');
    expect(Date.now() - tripped).toBeLessThan(2_000);
    await expect.poll(() => card(page, 'payments').locator('.state').textContent()).toBe('open');
    await expect.poll(() => card(page, 'payments').locator('[data-field="next"]').textContent()).toMatch(/^in \d/);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await card(page, 'search').getAttribute('data-state')).toBe('closed');

    // A breaker created later appears too.
    registry.getOrCreate('late');
    await expect.poll(() => card(page, 'late').count(), { timeout: 3_000 }).toBe(1);
  });

  it('resets a breaker with the token taken from the URL fragment, which it then hides', async () => {
    const { registry, dashboard, page } = await setup();
    const payments = registry.getOrCreate('payments', { failureThreshold: 1, resetTimeoutMs: 60_000 });
    fail(payments);
    await page.goto(`${dashboard.url}#token=${TOKEN}`);
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('');
    await expect.poll(() => card(page, 'payments').getAttribute('data-state')).toBe('open');
    await card(page, 'payments').getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => card(page, 'payments').getAttribute('data-state'), { timeout: 2_000 }).toBe('closed');
    expect(payments.state).toBe('closed');
    await card(page, 'payments').getByRole('button', { name: 'Force open' }).click();
    await expect.poll(() => card(page, 'payments').getAttribute('data-state'), { timeout: 2_000 }).toBe('forced_open');
    await card(page, 'payments').getByRole('button', { name: 'Force closed' }).click();
    await expect.poll(() => card(page, 'payments').getAttribute('data-state'), { timeout: 2_000 }).toBe('forced_closed');
    expect(payments.state).toBe('forced_closed');
  });

  it('gets 403 without the token (or with a wrong one) and changes nothing', async () => {
    const { registry, dashboard, page, dialogs } = await setup();
    const payments = registry.getOrCreate('payments');
    await page.goto(dashboard.url);
    expect(await page.evaluate(() => fetch('breakers/payments/force-open', { method: 'POST' }).then((r) => r.status))).toBe(403);
    await card(page, 'payments').getByRole('button', { name: 'Force open' }).click();
    await expect.poll(() => card(page, 'payments').locator('.message').textContent()).toMatch(/403/);
    expect(dialogs).toEqual([expect.stringMatching(/^prompt: Dashboard token/)]);
    expect(payments.state).toBe('closed');
    expect(await card(page, 'payments').getAttribute('data-state')).toBe('closed');
  });

  it('shows a breaker named like HTML as text, never as markup', async () => {
    const { registry, dashboard, page, dialogs } = await setup();
    registry.getOrCreate(XSS);
    registry.getOrCreate('"quotes" & <b>bold</b>');
    await page.goto(dashboard.url);
    await expect.poll(() => card(page, XSS).locator('.name').textContent()).toBe(XSS);
    expect(await card(page, '"quotes" & <b>bold</b>').locator('.name').textContent()).toBe('"quotes" & <b>bold</b>');
    expect(await page.locator('main img, main b').count()).toBe(0);
    fail(registry.get(XSS)); // a transition event carries the name too
    await page.waitForTimeout(300);
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('takes a screenshot of a busy dashboard', async () => {
    const { registry, dashboard, page } = await setup(100);
    const busy = await simulateTraffic(registry);
    cleanups.push(busy.stop);
    await page.goto(`${dashboard.url}#token=${TOKEN}`);
    await page.waitForTimeout(6_000);
    await expect.poll(() => card(page, 'checkout:payments').getAttribute('data-state')).toMatch(/open/);
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    const shot = join(ROOT, 'test-artifacts', 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    const docs = join(ROOT, 'docs', 'dashboard.png');
    // The committed copy changes only on request (or when missing), so test runs leave the tree clean.
    if (process.env.TRIPSWITCH_UPDATE_SCREENSHOT === '1' || !existsSync(docs)) await page.screenshot({ path: docs, fullPage: true });
  }, 30_000);
});

/** Calls a few breakers like a small service would: one healthy, one failing, one slow, one flaky. */
async function simulateTraffic(registry: CircuitBreakerRegistry): Promise<{ stop: () => void }> {
  const config = { window: { type: 'count', size: 20, minimumCalls: 10, failureRateThreshold: 0.5 }, resetTimeoutMs: 2_000 } as const;
  const profiles: [string, number, number][] = [
    ['users:profile', 0.02, 5],
    ['checkout:payments', 0.9, 5],
    ['catalog:search', 0.1, 80],
    ['recommendations', 0.35, 20],
  ];
  const breakers = profiles.map(([name]) => registry.getOrCreate(name, { ...config, slowCallThresholdMs: 60, fallback: () => null }));
  registry.getOrCreate('legacy-inventory', config).disable();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let running = true;
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    profiles.forEach(([, failureRate, latency], index) => {
      const breaker = breakers[index] as CircuitBreaker;
      const rate = index === 0 ? 1 + (tick % 40 > 20 ? 1 : 0) : 1;
      for (let i = 0; i < rate; i++) {
        void breaker.execute(async () => {
          await sleep(latency * (0.5 + Math.random()));
          if (Math.random() < failureRate) throw new Error('upstream error');
          return 'ok';
        });
      }
    });
    if (!running) clearInterval(timer);
  }, 40);
  return {
    stop: () => {
      running = false;
    },
  };
}
