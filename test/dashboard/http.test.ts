import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboardHandler, startDashboard } from '../../src/dashboard/index.js';
import { CircuitBreakerRegistry } from '../../src/index.js';
import { rawRequest, readEvents } from './http-client.js';

const TOKEN = 'test-token-123';
const XSS = '<img src=x onerror=alert(1)>';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dashboard(options: Parameters<typeof startDashboard>[0] = {}) {
  const registry = new CircuitBreakerRegistry();
  registry.getOrCreate('payments', { failureThreshold: 1, resetTimeoutMs: 60_000 });
  registry.getOrCreate('a/b c');
  registry.getOrCreate(XSS);
  const running = await startDashboard({ registry, token: TOKEN, ...options });
  cleanups.push(() => running.close());
  return { registry, running, base: running.url };
}

const auth = { authorization: `Bearer ${TOKEN}` };
function trip(registry: CircuitBreakerRegistry, name = 'payments'): void {
  try {
    registry.get(name)?.execute(() => {
      throw new Error('down');
    });
  } catch {
    // the failure that trips it
  }
}

describe('dashboard HTTP', () => {
  it('serves the page, its assets, and security headers; nothing from another origin', async () => {
    const { base } = await dashboard();
    const page = await rawRequest(base, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('<script src="assets/app.js" defer></script>');
    for (const [path, type] of [
      ['/assets/app.js', 'text/javascript; charset=utf-8'],
      ['/assets/app.css', 'text/css; charset=utf-8'],
      ['/assets/favicon.svg', 'image/svg+xml'],
    ] as const) {
      const asset = await rawRequest(base, path);
      expect(asset.status, path).toBe(200);
      expect(asset.headers['content-type']).toBe(type);
      // Offline: no CDN, no web font, no absolute URL except the SVG namespace.
      expect(asset.body.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\/|@import|@font-face|url\(/);
    }
    const head = await rawRequest(base, '/assets/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
  });

  it('binds 127.0.0.1 by default and generates a token when none is given', async () => {
    const { running } = await dashboard({ token: undefined });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(running.token).toMatch(/^[\w-]{24}$/);
    expect(running.urlWithToken).toBe(`${running.url}#token=${running.token}`);
    const readOnly = await startDashboard({ readOnly: true });
    cleanups.push(() => readOnly.close());
    expect(readOnly.token).toBeUndefined();
    const refused = await rawRequest(readOnly.url, '/breakers/x/reset', { method: 'POST', headers: { authorization: 'Bearer anything' } });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error).toMatch(/no token/);
  });

  it('lists every breaker as JSON, and one by its encoded name', async () => {
    const { base, registry } = await dashboard();
    trip(registry);
    const list = await rawRequest(base, '/breakers');
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(list.body);
    expect(body.breakers.map((b: { name: string }) => b.name)).toEqual(['payments', 'a/b c', XSS]);
    const payments = body.breakers[0];
    expect(payments).toMatchObject({ state: 'open', totals: { failures: 1 }, window: { type: 'consecutive' } });
    expect(payments.nextAttemptInMs).toBeGreaterThan(59_000);
    expect(body.breakers[1].nextAttemptAt).toBeNull();
    const one = await rawRequest(base, `/breakers/${encodeURIComponent('a/b c')}`);
    expect(JSON.parse(one.body).name).toBe('a/b c');
    expect((await rawRequest(base, '/breakers/nope')).status).toBe(404);
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const { base } = await dashboard();
    const cases: [string, string, string][] = [
      ['POST', '/breakers', 'GET, HEAD'],
      ['DELETE', '/', 'GET, HEAD'],
      ['PUT', '/assets/app.js', 'GET, HEAD'],
      ['POST', '/events', 'GET'],
      ['GET', '/breakers/payments/reset', 'POST'],
      ['DELETE', '/breakers/payments/force-open', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await rawRequest(base, path, { method, headers: auth });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.allow).toBe(allow);
    }
  });

  it('answers 404 for unknown paths and every path traversal attempt, never a file', async () => {
    const { base } = await dashboard();
    const paths = [
      '/nope',
      '/index.html',
      '/assets/',
      '/assets/../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/app.js/../../../../etc/passwd',
      '/../../../../etc/passwd',
      '//etc/passwd',
      '/assets/app.js%00.png',
      '/assets\\..\\package.json',
      '/breakers/payments/explode',
    ];
    for (const path of paths) {
      const response = await rawRequest(base, path);
      expect(response.status, path).toBe(404);
      expect(response.body).not.toMatch(/"devDependencies"|root:x:0/);
    }
  });

  it('requires the token for actions: 403 without it or with a wrong one, whether or not the breaker exists', async () => {
    const { base, registry } = await dashboard();
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: TOKEN },
      { 'x-tripswitch-token': '' },
    ]) {
      for (const path of ['/breakers/payments/force-open', '/breakers/missing/reset']) {
        const response = await rawRequest(base, path, { method: 'POST', headers });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
    expect(registry.get('payments')?.state).toBe('closed');
  });

  it('forces open, forces closed and resets with the token (header or X-Tripswitch-Token)', async () => {
    const { base, registry } = await dashboard();
    const post = (path: string, headers: Record<string, string> = auth, body?: string) =>
      rawRequest(base, path, { method: 'POST', headers, body });
    let response = await post('/breakers/payments/force-open');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      ok: true,
      action: 'force-open',
      breaker: { name: 'payments', state: 'forced_open' },
    });
    expect(registry.get('payments')?.state).toBe('forced_open');
    response = await post(`/breakers/${encodeURIComponent(XSS)}/force-closed`, { 'x-tripswitch-token': TOKEN });
    expect(response.status).toBe(200);
    expect(registry.get(XSS)?.state).toBe('forced_closed');
    response = await post('/breakers/payments/reset', { ...auth, 'content-type': 'application/json' }, '{}');
    expect(response.status).toBe(200);
    expect(registry.get('payments')?.state).toBe('closed');
    expect((await post('/breakers/missing/reset')).status).toBe(404);
  });

  it('answers 400 for malformed input and 413 for huge bodies', async () => {
    const { base, registry } = await dashboard();
    const post = (path: string, body?: string, extra: Record<string, string> = {}) =>
      rawRequest(base, path, { method: 'POST', headers: { ...auth, ...extra }, body });
    expect((await post('/breakers/%E0%A4%A/reset')).status).toBe(400);
    expect((await post('/breakers/%/reset')).status).toBe(400);
    expect((await rawRequest(base, '/breakers/%zz')).status).toBe(400);
    expect((await post('/breakers//reset')).status).toBe(400);
    expect((await post('/breakers/payments/reset', 'not json')).status).toBe(400);
    expect((await post('/breakers/payments/reset', '[1,2]')).status).toBe(400);
    expect((await post('/breakers/payments/reset', 'x'.repeat(5000))).status).toBe(413);
    const declared = await rawRequest(base, '/breakers/payments/reset', {
      method: 'POST',
      headers: { ...auth, 'content-length': String(50 * 1024 * 1024) },
    });
    expect(declared.status).toBe(413);
    // Chunked, no Content-Length: refused as it streams in past the limit.
    const streamed = await rawRequest(base, '/breakers/payments/force-open', {
      method: 'POST',
      headers: auth,
      body: 'x'.repeat(512),
      chunks: 10,
    });
    expect(streamed.status).toBe(413);
    expect(registry.get('payments')?.state).toBe('closed');
  });

  it('streams a hello, stats every interval and each transition as it happens', async () => {
    const { base, registry } = await dashboard({ intervalMs: 100 });
    const started = Date.now();
    const events = await readEvents(
      base,
      '/events',
      (seen) => seen.some((e) => e.event === 'transition') && seen.filter((e) => e.event === 'stats').length >= 2,
      () => setTimeout(() => trip(registry), 50),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(events[0]?.event).toBe('hello');
    const hello = events[0]?.data as { breakers: { name: string }[]; intervalMs: number; history: object };
    expect(hello.breakers.map((b) => b.name)).toContain(XSS);
    expect(hello.intervalMs).toBe(100);
    const transition = events.find((e) => e.event === 'transition')?.data as { transition: object; breaker: { state: string } };
    expect(transition.transition).toMatchObject({ name: 'payments', from: 'closed', to: 'open', reason: 'tripped' });
    expect(transition.breaker.state).toBe('open');
    const stats = events.filter((e) => e.event === 'stats').at(-1)?.data as { breakers: { name: string; sample: object | null }[] };
    expect(stats.breakers.find((b) => b.name === 'payments')?.sample).toMatchObject({
      calls: expect.any(Number),
      failures: expect.any(Number),
    });
  });

  it('close() ends open event streams and stops everything', async () => {
    const { running, base } = await dashboard({ intervalMs: 50 });
    let opened!: () => void;
    const open = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const stream = readEvents(base, '/events', () => false, opened);
    await open;
    await running.close();
    const events = await stream; // resolves on end: the server ended the stream
    expect(events[0]?.event).toBe('hello');
    await expect(rawRequest(base, '/')).rejects.toThrow(/ECONNREFUSED/);
    await running.close(); // idempotent
  });

  it('validates its options, naming the option and the value', async () => {
    await expect(startDashboard({ port: 70_000 })).rejects.toThrow(/option "port" must be between 0 and 65535, got 70000/);
    await expect(startDashboard({ port: 1.5 })).rejects.toThrow(TypeError);
    await expect(startDashboard({ token: '' })).rejects.toThrow(/option "token"/);
    await expect(startDashboard({ token: 'has space' })).rejects.toThrow(/option "token"/);
    await expect(startDashboard({ host: '' })).rejects.toThrow(/option "host"/);
    await expect(startDashboard({ intervalMs: 1 })).rejects.toThrow(RangeError);
    await expect(startDashboard({ registry: {} as never })).rejects.toThrow(/option "registry"/);
    await expect(startDashboard({ prot: 1 } as never)).rejects.toThrow(/unknown option "prot"/);
    await expect(startDashboard({ readOnly: true, token: 'x' })).rejects.toThrow(/exclude/);
    expect(() => createDashboardHandler({ basePath: 'dash/' })).toThrow(/option "basePath"/);
  });
});

describe('dashboard handler mounted in another server', () => {
  async function serve(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    const server: Server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    cleanups.push(() => server.closeAllConnections());
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('works under a basePath in a plain http server (as in Fastify), leaving other paths to the app', async () => {
    const registry = new CircuitBreakerRegistry();
    registry.getOrCreate('db');
    const handler = createDashboardHandler({ registry, token: TOKEN, basePath: '/ops/breakers' });
    cleanups.push(() => handler.close());
    const base = await serve((req, res) =>
      handler(req, res, () => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('app');
      }),
    );
    const redirect = await rawRequest(base, '/ops/breakers?x=1');
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe('/ops/breakers/?x=1');
    expect((await rawRequest(base, '/ops/breakers/')).status).toBe(200);
    expect(JSON.parse((await rawRequest(base, '/ops/breakers/breakers')).body).breakers[0].name).toBe('db');
    expect((await rawRequest(base, '/ops/breakers/db/reset', { method: 'POST', headers: auth })).body).toBe('app');
    expect((await rawRequest(base, '/ops/breakers/breakers/db/reset', { method: 'POST', headers: auth })).status).toBe(200);
    expect((await rawRequest(base, '/elsewhere')).body).toBe('app');
    expect((await rawRequest(base, '/ops/breakersX')).body).toBe('app');
  });

  it('follows Express mounting (req.url stripped, req.originalUrl kept) and passes unknown paths to next()', async () => {
    const registry = new CircuitBreakerRegistry();
    const handler = createDashboardHandler({ registry });
    cleanups.push(() => handler.close());
    // What express's app.use('/dash', handler) does to the request before calling the handler.
    const base = await serve((req, res) => {
      const url = req.url ?? '/';
      if (!url.startsWith('/dash')) return void res.writeHead(404).end();
      Object.assign(req, { originalUrl: url, url: url.slice('/dash'.length) || '/' });
      if (!req.url?.startsWith('/')) req.url = `/${req.url}`;
      handler(req, res, (error) => {
        res.writeHead(error ? 500 : 418).end('next');
      });
    });
    const redirect = await rawRequest(base, '/dash');
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe('/dash/');
    expect((await rawRequest(base, '/dash/')).status).toBe(200);
    expect((await rawRequest(base, '/dash/breakers')).status).toBe(200);
    expect((await rawRequest(base, '/dash/unknown')).status).toBe(418);
  });
});
