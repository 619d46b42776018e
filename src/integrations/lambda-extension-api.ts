// The Lambda Extensions API (2020-01-01) calls the internal extension makes, over plain node:http with no
// timeout at all: an `event/next` long-poll is open for as long as the sandbox is frozen, minutes or
// hours, and must still get its INVOKE on the thaw (fetch/undici would give up after 5 minutes). A fresh
// connection per call (`agent: false`): a kept-alive socket could be closed by the other side while frozen.
import { request } from 'node:http';

export interface ApiReply {
  status: number;
  header(name: string): string | undefined;
  body: string;
}

const PREFIX = '/2020-01-01/extension/';

/**
 * `method` `path` (under /2020-01-01/extension/) at `api` (AWS_LAMBDA_RUNTIME_API, `host:port`).
 * `unref`: the call does not keep the process alive. aws-lambda-ric 3 calls `next` after a streaming or
 * callback handler only once the event loop is empty, so a ref'd long-poll would hold it out for good.
 */
export function callExtensionsApi(
  api: string,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  options: { body?: string; unref?: boolean } = {},
): Promise<ApiReply> {
  return new Promise((resolve, reject) => {
    const req = request(`http://${api}${PREFIX}${path}`, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('error', reject);
      res.on('end', () => {
        const header = (name: string): string | undefined => {
          const value = res.headers[name];
          return typeof value === 'string' ? value : undefined;
        };
        resolve({ status: res.statusCode ?? 0, header, body });
      });
    });
    if (options.unref === true) req.on('socket', (socket) => socket.unref());
    req.on('error', reject);
    req.end(options.body);
  });
}

/** `{ errorType, errorMessage }` of a refusal, as one line. */
export function describeRefusal(reply: ApiReply): string {
  try {
    const { errorType, errorMessage } = JSON.parse(reply.body) as Record<string, unknown>;
    if (typeof errorType === 'string') return `${reply.status} ${errorType}: ${String(errorMessage)}`;
  } catch {
    // not JSON: the status and the start of the body below
  }
  return `${reply.status} ${reply.body.slice(0, 200)}`.trim();
}
