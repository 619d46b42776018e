import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';

/** Datadog's per-request limits. */
export const MAX_COMPRESSED_BYTES = 3_200_000;
export const MAX_DECOMPRESSED_BYTES = 62_914_560;

export interface BodyLimits {
  maxCompressed: number;
  maxDecompressed: number;
}

export type BodyResult =
  | { ok: true; text: string; raw: number; decoded: number }
  | { ok: false; status: number; error: string; raw: number; decoded: number }
  /** The client went away mid-body: nothing to answer. */
  | { ok: false; status: 0; error: string; raw: number; decoded: number; aborted: true };

/**
 * Reads a request body, decompressing as it streams (`deflate` = zlib, `gzip`) and stopping to keep
 * bytes once a limit is passed. An oversized body is still drained so the client reads the 413
 * instead of a broken pipe; past 4× the compressed limit the socket is destroyed.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<BodyResult> {
  return new Promise((resolve) => {
    const encoding = String(req.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    const chunks: Buffer[] = [];
    let raw = 0;
    let decoded = 0;
    let failure: { status: number; error: string } | undefined;
    let reqDone = false;
    let decoderDone = false;
    let settled = false;
    let decoder = encoding === 'deflate' ? createInflate() : encoding === 'gzip' ? createGunzip() : undefined;

    const fail = (status: number, error: string): void => {
      failure ??= { status, error };
      chunks.length = 0;
      if (decoder !== undefined) {
        decoder.removeAllListeners('data');
        decoder.on('error', () => {});
        decoder.destroy();
      }
      decoder = undefined;
      check();
    };
    const check = (): void => {
      if (settled || !reqDone || (decoder !== undefined && !decoderDone)) return;
      settled = true;
      if (failure !== undefined) resolve({ ok: false, ...failure, raw, decoded });
      else resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8'), raw, decoded });
    };
    const onDecoded = (chunk: Buffer): void => {
      if (failure !== undefined) return;
      decoded += chunk.length;
      if (decoded > limits.maxDecompressed)
        fail(413, `Payload too large: more than ${limits.maxDecompressed} bytes decompressed`);
      else chunks.push(chunk);
    };

    if (encoding !== 'identity' && encoding !== '' && decoder === undefined)
      fail(415, `Unsupported Content-Encoding "${encoding.slice(0, 40)}" (use deflate, gzip or none)`);
    if (Number(req.headers['content-length']) > limits.maxCompressed)
      fail(413, `Payload too large: more than ${limits.maxCompressed} bytes`);
    decoder?.on('data', onDecoded);
    decoder?.on('end', () => {
      decoderDone = true;
      check();
    });
    decoder?.on('error', (e: Error) =>
      fail(400, `Payload could not be decompressed as ${encoding}: ${e.message}`),
    );

    req.on('data', (chunk: Buffer) => {
      raw += chunk.length;
      if (raw > limits.maxCompressed * 4) {
        req.destroy();
        return;
      }
      if (raw > limits.maxCompressed) fail(413, `Payload too large: more than ${limits.maxCompressed} bytes`);
      if (failure !== undefined) return;
      if (decoder !== undefined) decoder.write(chunk);
      else onDecoded(chunk);
    });
    req.on('end', () => {
      reqDone = true;
      decoder?.end();
      check();
    });
    req.on('close', () => {
      if (reqDone || settled) return;
      settled = true;
      decoder?.destroy();
      resolve({ ok: false, status: 0, error: 'client went away', raw, decoded, aborted: true });
    });
  });
}
