/** The demo's command-line flags. */
export interface DemoArgs {
  /** Seconds to run before stopping by itself; undefined runs until Ctrl-C. */
  readonly duration: number | undefined;
  /** Dashboard port; 0 picks a free one. */
  readonly port: number;
  /** Redis URL whose store the breakers share; undefined keeps state in memory. */
  readonly redis: string | undefined;
  /** Number of load processes (only with `redis`); undefined runs the load in the main process. */
  readonly workers: number | undefined;
  readonly help: boolean;
}

export const USAGE = `Usage: npm start -- [options]

  --duration <seconds>  stop by itself after this many seconds (default: run until Ctrl-C)
  --port <port>         dashboard port (default 4000; 0 picks a free one)
  --redis <url>         share breaker state through a RedisStateStore (redis:// or rediss:// URL)
  --workers <n>         run the load from n worker processes, 1 to 16, sharing state (needs --redis)
  --help                show this help`;

/** Most worker processes the demo starts. */
export const MAX_WORKERS = 16;

/** Parses `argv` (without node and the script); throws a message for the user on bad input. */
export function parseArgs(argv: readonly string[]): DemoArgs {
  let duration: number | undefined;
  let port = 4000;
  let redis: string | undefined;
  let workers: number | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const [name, inline] =
      flag.startsWith('--') && flag.includes('=')
        ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)]
        : [flag, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new Error(`${name} needs a value`);
      return next;
    };
    const number = (min: number, max: number): number => {
      const text = value();
      const parsed = Number(text);
      if (text.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max)
        throw new Error(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(text)}`);
      return parsed;
    };
    switch (name) {
      case '--duration':
        duration = number(0.1, 86_400);
        break;
      case '--port':
        port = Math.trunc(number(0, 65_535));
        break;
      case '--redis':
        redis = value();
        if (!/^rediss?:\/\/\S+$/.test(redis)) throw new Error(`--redis must be a redis:// or rediss:// URL, got ${JSON.stringify(redis)}`);
        break;
      case '--workers': {
        const text = value();
        if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > MAX_WORKERS)
          throw new Error(`--workers must be an integer from 1 to ${MAX_WORKERS}, got ${JSON.stringify(text)}`);
        workers = Number(text);
        break;
      }
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new Error(`unknown option ${JSON.stringify(flag)}`);
    }
  }
  if (workers !== undefined && redis === undefined && !help)
    throw new Error('--workers needs --redis <url>: the worker processes share breaker state through Redis');
  return { duration, port, redis, workers, help };
}
