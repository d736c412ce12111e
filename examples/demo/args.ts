/** The demo's command-line flags. */
export interface DemoArgs {
  /** Seconds to run before stopping by itself; undefined runs until Ctrl-C. */
  readonly duration: number | undefined;
  /** Dashboard port; 0 picks a free one. */
  readonly port: number;
  readonly redis: string | undefined;
  readonly workers: number | undefined;
  readonly help: boolean;
}

export const USAGE = `Usage: npm start -- [options]

  --duration <seconds>  stop by itself after this many seconds (default: run until Ctrl-C)
  --port <port>         dashboard port (default 4000; 0 picks a free one)
  --redis <url>         share breaker state through Redis (not available yet)
  --workers <n>         run the load from n processes (needs --redis; not available yet)
  --help                show this help`;

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
        break;
      case '--workers':
        workers = Math.trunc(number(1, 64));
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new Error(`unknown option ${JSON.stringify(flag)}`);
    }
  }
  return { duration, port, redis, workers, help };
}
