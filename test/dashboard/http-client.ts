import { request } from 'node:http';

/** A raw HTTP response. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * Sends one request with the path exactly as given (no URL normalisation,
 * unlike fetch, so `..` and bad percent-encodings reach the server as typed).
 */
export function rawRequest(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; chunks?: number } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close the connection while a refused body is still being sent.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (options.chunks !== undefined && options.body !== undefined) {
      for (let i = 0; i < options.chunks; i++) req.write(options.body);
      req.end();
    } else req.end(options.body);
  });
}

/** Reads Server-Sent Events from `path` until `until` returns true for the events so far; then disconnects. */
export function readEvents(
  base: string,
  path: string,
  until: (events: { event: string; data: unknown }[]) => boolean,
  onOpen?: () => void,
): Promise<{ event: string; data: unknown }[]> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const events: { event: string; data: unknown }[] = [];
    const req = request({ host: url.hostname, port: url.port, path, agent: false }, (res) => {
      if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
        reject(new Error(`event stream answered ${res.statusCode} ${res.headers['content-type']}`));
        return;
      }
      onOpen?.();
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          events.push({ event, data: data === undefined ? undefined : JSON.parse(data) });
          end = buffer.indexOf('\n\n');
        }
        if (until(events)) {
          req.destroy();
          resolve(events);
        }
      });
      res.on('end', () => resolve(events));
    });
    req.on('error', reject);
    req.end();
  });
}
