import type { IncomingMessage } from 'node:http';

/** What reading a request body gave. */
export type BodyResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly status: 400 | 413; readonly message: string };

/**
 * Reads a small request body, refusing more than `limit` bytes (by its
 * Content-Length up front, or as it streams in). A body a framework already
 * consumed (Express or Fastify body parsers) reads as empty.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && !/^\d+$/.test(declared)) return Promise.resolve({ ok: false, status: 400, message: 'bad Content-Length' });
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve(tooLarge(limit));
  if (req.readableEnded) return Promise.resolve({ ok: true, text: '' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading; the response closes the connection.
        req.pause();
        finish(tooLarge(limit));
      } else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    const onError = () => finish({ ok: false, status: 400, message: 'the request body could not be read' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(limit: number): BodyResult {
  return { ok: false, status: 413, message: `request body larger than ${limit} bytes` };
}
