/**
 * `npm start`: a flaky local upstream, a load generator calling it through a
 * family of breakers with fallbacks, and the live dashboard. Ctrl-C stops it.
 */
import { createInterface } from 'node:readline';
import { type RunningDashboard, startDashboard } from '../src/dashboard/index.js';
import { CircuitBreakerRegistry } from '../src/index.js';
import { parseArgs, USAGE } from './demo/args.js';
import { LoadGenerator } from './demo/load.js';
import { bold, dim, StatusLines, transitionLine } from './demo/terminal.js';
import { ENDPOINTS, FlakyUpstream } from './demo/upstream.js';

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`demo: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.redis !== undefined || args.workers !== undefined) {
    console.error('demo: --redis and --workers are not available yet: the Redis store has not landed. Run `npm start` without them.');
    return 2;
  }

  const registry = new CircuitBreakerRegistry();
  const upstream = new FlakyUpstream();
  const upstreamUrl = await upstream.start();
  const load = new LoadGenerator(registry, upstreamUrl);
  registry.on('add', (breaker) => breaker.on('stateChange', (event) => console.log(transitionLine(event))));
  let dashboard: RunningDashboard;
  try {
    dashboard = await startDashboard({ registry, port: args.port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.log(dim(`port ${args.port} is busy; using a free one`));
    dashboard = await startDashboard({ registry, port: 0 });
  }
  load.start();

  console.log(`\n${bold('tripswitch demo')}  upstream ${dim(upstreamUrl)}`);
  console.log(`Dashboard: ${bold(dashboard.urlWithToken ?? dashboard.url)}`);
  console.log(dim(`Actions token: ${dashboard.token} (the link above carries it)`));
  console.log(
    dim(
      `Keys: ${ENDPOINTS.map((e, i) => `${i + 1} break/heal ${e.name}`).join(', ')}, h heal all, q quit. ` +
        `Or: curl -X POST ${upstreamUrl}/control/break/payments\n`,
    ),
  );

  const status = new StatusLines();
  const report = setInterval(() => {
    const lines = status.lines(registry.breakers(), load.fallbacks);
    console.log(
      `${dim('—'.repeat(20))} ${dim(new Date().toISOString().slice(11, 19))}${upstream.broken.size > 0 ? `  broken by hand: ${[...upstream.broken].join(', ')}` : ''}`,
    );
    for (const line of lines) console.log(line);
  }, 2_000);

  const keys = listenToKeys((key) => {
    const index = Number(key) - 1;
    const endpoint = ENDPOINTS[index];
    if (endpoint !== undefined) console.log(`${endpoint.name}: ${upstream.toggle(endpoint.name) ? 'broken by hand' : 'healed'}`);
    else if (key === 'h') {
      upstream.broken.clear();
      console.log('all endpoints healed');
    } else if (key === 'q') stop('q');
  });

  let stopping = false;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(dim(`\nstopping (${why})…`));
    clearInterval(report);
    clearTimeout(deadline);
    keys.close();
    load.stop();
    void Promise.all([dashboard.close(), upstream.stop()]).then(done);
  };
  const deadline = args.duration === undefined ? undefined : setTimeout(() => stop(`--duration ${args.duration}`), args.duration * 1000);
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  await finished;
  console.log('stopped cleanly');
  return 0;
}

/** Single keypresses from a terminal (nothing when stdin is not one); Ctrl-C still stops. */
function listenToKeys(onKey: (key: string) => void): { close(): void } {
  if (!process.stdin.isTTY) return { close() {} };
  const input = process.stdin;
  input.setRawMode(true);
  input.setEncoding('utf8');
  const onData = (key: string) => {
    if (key === '\u0003') process.kill(process.pid, 'SIGINT');
    else onKey(key.toLowerCase());
  };
  input.on('data', onData);
  input.resume();
  // readline keeps Ctrl-C and terminal state sane if the process dies.
  const rl = createInterface({ input, terminal: false });
  return {
    close() {
      input.off('data', onData);
      input.setRawMode(false);
      rl.close();
      input.pause();
    },
  };
}

main().then(
  (code) => {
    process.exitCode = code;
    // Anything still pending past this point (a keep-alive socket) must not hold the demo open.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
