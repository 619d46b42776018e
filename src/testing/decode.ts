// Request bodies as the Datadog API reads them, for tests that see real requests (a fake `fetch`, a
// node:http server): inflated per Content-Encoding with the platform's DecompressionStream (Node ≥ 18,
// Workers, Deno, Bun), then parsed as JSON.

/** A body as a test gets it: bytes (a Node Buffer is a Uint8Array), or text when it was not compressed. */
export type BodyBytes = Uint8Array | ArrayBuffer | string;

/** A fetch `Request`, or anything else with its headers and its body as bytes. */
export interface RequestWithBody {
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A decoded request: the same shape as the memory transport's records (`storeLikeDatadog` takes both). */
export interface DecodedRequest {
  /** The URL's path, e.g. `/api/v1/series`. */
  path: string;
  body: unknown;
  /** The `DD-API-KEY` header, when there was one. */
  apiKey?: string;
}

const ENCODINGS = ['deflate', 'gzip'] as const;

/** A copy of the body as bytes backed by a plain ArrayBuffer (what the streams take). */
const bytesOf = (body: BodyBytes): Uint8Array<ArrayBuffer> =>
  typeof body === 'string'
    ? new TextEncoder().encode(body)
    : ArrayBuffer.isView(body)
      ? Uint8Array.from(body)
      : new Uint8Array(body.slice(0));

/**
 * Inflates a body (`deflate`, `gzip`; none or `identity`: as it is) and parses it as JSON.
 * @example
 * const server = createServer((req, res) => {
 *   const chunks: Buffer[] = [];
 *   req.on('data', (c: Buffer) => chunks.push(c));
 *   req.on('end', async () => {
 *     bodies.push(await decodeBody(Buffer.concat(chunks), req.headers['content-encoding']));
 *     res.writeHead(202).end();
 *   });
 * });
 */
export async function decodeBody(body: BodyBytes, contentEncoding?: string | null): Promise<unknown> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  let text: string;
  if (encoding === '' || encoding === 'identity')
    text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  else {
    const format = ENCODINGS.find((e) => e === encoding);
    if (format === undefined)
      throw new TypeError(`handlerstats/testing: unsupported Content-Encoding "${contentEncoding}"`);
    const inflate = new DecompressionStream(format);
    const writer = inflate.writable.getWriter();
    // A corrupt body errors both sides: the reader below reports it, the writer's rejection is dropped.
    writer
      .write(bytesOf(body))
      .then(() => writer.close())
      .catch(() => {});
    try {
      text = await new Response(inflate.readable).text();
    } catch (error) {
      throw new TypeError(`handlerstats/testing: the body is not valid ${format} data`, { cause: error });
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`handlerstats/testing: the body is not JSON (${text.length} characters)`, {
      cause: error,
    });
  }
}

/**
 * Decodes a fetch `Request` (or the like) into `{ path, body, apiKey }`.
 * @example
 * const sent: DecodedRequest[] = [];
 * const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
 *   sent.push(await decodeRequest(new Request(input, init)));
 *   return new Response('{}', { status: 202 });
 * };
 * const metrics = createMetrics({ transport: createFetchTransport({ intakeUrl, apiKey, fetch }) });
 */
export async function decodeRequest(request: RequestWithBody): Promise<DecodedRequest> {
  const body = await decodeBody(await request.arrayBuffer(), request.headers.get('content-encoding'));
  const apiKey = request.headers.get('dd-api-key');
  const path = new URL(request.url).pathname;
  return apiKey === null ? { path, body } : { path, body, apiKey };
}
