// Streamed invocation responses (awslambda.streamifyResponse). Both runtime clients (aws-lambda-ric
// 3.3.0 ResponseStream.js, 4.0.2 stream/response-stream.js) POST /runtime/invocation/<id>/response over
// node:http with `Lambda-Runtime-Function-Response-Mode: streaming`, chunked transfer encoding (ric 4
// sets `Transfer-Encoding: chunked` itself, ric 3 gets it from node:http: no Content-Length),
// `Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body` and Content-Type
// `application/octet-stream` unless `setContentType` changed it. A handler that fails after the stream
// started is reported in those trailers: the error type, and the error JSON ({errorType, errorMessage,
// trace}) base64-encoded. `awslambda.HttpResponseStream.from(stream, prelude)` sets Content-Type
// `application/vnd.awslambda.http-integration-response` and writes JSON.stringify(prelude) then 8 NUL
// bytes before the first chunk.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export const RESPONSE_MODE_HEADER = 'lambda-runtime-function-response-mode';
export const ERROR_TYPE_TRAILER = 'lambda-runtime-function-error-type';
export const ERROR_BODY_TRAILER = 'lambda-runtime-function-error-body';
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);

export interface StreamChunk {
  seq: number;
  at: number;
  size: number;
}

export interface StreamedResponse {
  /** The request headers as the runtime sent them (response mode, transfer-encoding, trailer, …). */
  headers: IncomingHttpHeaders;
  contentType: string | undefined;
  /** Each body chunk as it arrived (TCP may merge writes made back to back). */
  chunks: StreamChunk[];
  /** The whole body, prelude included. */
  bytes: Buffer;
  /** HTTP trailers, lower-cased names. */
  trailers: Record<string, string | undefined>;
  /** Decoded from the error trailers, when the handler failed mid-stream. */
  error?: { errorType: string; body: unknown };
  /** For `HttpResponseStream.from`: the prelude (statusCode, headers, …) and the body after the delimiter. */
  http?: { prelude: unknown; body: Buffer };
}

/** Reads a streamed response to its end; `onChunk` stamps each chunk (returns its seq). */
export function receiveStream(
  req: IncomingMessage,
  onChunk: (index: number, size: number) => number,
): Promise<StreamedResponse> {
  const chunks: StreamChunk[] = [];
  const parts: Buffer[] = [];
  return new Promise((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      chunks.push({ seq: onChunk(chunks.length, chunk.length), at: Date.now(), size: chunk.length });
    });
    req.on('error', reject);
    req.on('end', () => {
      const bytes = Buffer.concat(parts);
      const trailers = req.trailers as Record<string, string | undefined>;
      const contentType = req.headers['content-type'];
      const errorType = trailers[ERROR_TYPE_TRAILER];
      const encoded = trailers[ERROR_BODY_TRAILER];
      resolve({
        headers: req.headers,
        contentType,
        chunks,
        bytes,
        trailers: { ...trailers },
        ...(errorType !== undefined ? { error: { errorType, body: decodeErrorBody(encoded) } } : {}),
        ...(contentType === HTTP_INTEGRATION_CONTENT_TYPE ? { http: splitPrelude(bytes) } : {}),
      });
    });
  });
}

function decodeErrorBody(encoded: string | undefined): unknown {
  if (encoded === undefined) return undefined;
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function splitPrelude(bytes: Buffer): { prelude: unknown; body: Buffer } {
  const at = bytes.indexOf(DELIMITER);
  if (at < 0) return { prelude: undefined, body: bytes };
  return { prelude: JSON.parse(bytes.subarray(0, at).toString('utf8')), body: bytes.subarray(at + 8) };
}
