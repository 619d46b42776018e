import { request } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body, or undefined. */
  json: unknown;
}

export interface PostOptions {
  encoding?: 'deflate' | 'gzip' | 'identity' | string;
  /** Default `{ 'DD-API-KEY': 'test-key' }`; pass `{}` to send no key. */
  headers?: Record<string, string>;
  method?: string;
  /** Abort after this many ms (rejects with the abort error). */
  timeoutMs?: number;
}

/** One HTTP request on a fresh connection (no keep-alive), body encoded as asked. */
export function send(
  baseUrl: string,
  path: string,
  body?: string | Buffer,
  options: PostOptions = {},
): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  const encoding = options.encoding ?? 'identity';
  const raw = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  const payload =
    raw === undefined || typeof body !== 'string'
      ? raw
      : encoding === 'deflate'
        ? deflateSync(raw)
        : encoding === 'gzip'
          ? gzipSync(raw)
          : raw;
  const headers: Record<string, string> = { ...(options.headers ?? { 'DD-API-KEY': 'test-key' }) };
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(payload.length);
    if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
  }
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
      headers,
      agent: false,
    });
    if (options.timeoutMs !== undefined)
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
      );
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.end(payload);
  });
}

/** POST a JSON value (stringified) to an intake path. */
export function postJson(
  baseUrl: string,
  path: string,
  value: unknown,
  options: PostOptions = {},
): Promise<RawResponse> {
  return send(baseUrl, path, JSON.stringify(value), options);
}
