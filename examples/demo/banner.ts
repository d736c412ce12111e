import type { RunningDashboard } from '../../src/dashboard/index.js';
import { redactUrl } from './redis.js';
import { bold, dim } from './terminal.js';
import { ENDPOINTS } from './upstream.js';

/** What the startup banner describes. */
export interface BannerInfo {
  readonly upstreamUrl: string;
  readonly dashboard: RunningDashboard;
  /** The Redis URL and this run's key prefix, with `--redis`. */
  readonly redis?: { readonly url: string; readonly keyPrefix: string };
  /** The number of worker processes, with `--workers`. */
  readonly workers?: number;
}

/** The lines printed when the demo has started: URLs, where the state lives, how the fleet is shown, the keys. */
export function bannerLines(info: BannerInfo): string[] {
  const { upstreamUrl, dashboard, redis, workers } = info;
  const lines = [
    '',
    `${bold('tripswitch demo')}  upstream ${dim(upstreamUrl)}`,
    `Dashboard: ${bold(dashboard.urlWithToken ?? dashboard.url)}`,
    dim(`Actions token: ${dashboard.token} (the link above carries it)`),
  ];
  if (redis !== undefined) {
    lines.push(
      `Shared state: RedisStateStore at ${bold(redactUrl(redis.url))}, key prefix ${bold(redis.keyPrefix)} ` +
        dim("(localTrip 'fleet': a trip decided by any process opens the circuit in every process)"),
    );
  }
  if (workers !== undefined) {
    lines.push(
      `Fleet: ${bold(String(workers))} worker process${workers === 1 ? '' : 'es'} run the load, each through its own breakers on the shared store.`,
      dim("  The dashboard cards are the main process's breakers for the same names: they make no calls, follow the fleet's"),
      dim('  state through Redis (pub/sub, within milliseconds), and their buttons (force open, force closed, reset) move every worker.'),
      dim('  The workers report their traffic over IPC every second: the terminal shows the fleet line, then one entry per worker.'),
      dim('  Transitions say who decided ("decided by w2": that process moved the circuit) and who followed (reason remote, from Redis).'),
    );
  }
  lines.push(
    dim(
      `Keys: ${ENDPOINTS.map((e, i) => `${i + 1} break/heal ${e.name}`).join(', ')}, h heal all, q quit. ` +
        `Or: curl -X POST ${upstreamUrl}/control/break/payments\n`,
    ),
  );
  return lines;
}
