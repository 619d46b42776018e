import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, gunzipSync, inflateSync } from 'node:zlib';

/** Datadog's per-request limits for /api/v1/series (https://docs.datadoghq.com/api/latest/metrics/). */
export const MAX_COMPRESSED_BYTES = 3_200_000;
export const MAX_DECOMPRESSED_BYTES = 62_914_560;
/** Datadog's per-request limits for /api/v2/series: 500 KB (512,000 bytes) and 5 MB decompressed. */
export const MAX_V2_COMPRESSED_BYTES = 512_000;
export const MAX_V2_DECOMPRESSED_BYTES = 5_242_880;

export interface BodyLimits {
  maxCompressed: number;
  maxDecompressed: number;
}

/**
 * Bytes held by request bodies in progress, across all requests of one intake. A request that would
 * take it past its limit is answered 503 with `Retry-After` — what an overloaded Datadog intake
 * answers, and what a client retries — never 413, which would tell the client to split a batch
 * that is fine as it is.
 */
export class BodyBudget {
  held = 0;
  constructor(readonly limit: number) {}
  take(n: number): boolean {
    if (this.held + n > this.limit) return false;
    this.held += n;
    return true;
  }
  release(n: number): void {
    this.held -= n;
  }
}

export type BodyResult =
  | {
      ok: true;
      /** The bytes as received (kept to read them a second time), or decoded when `keep` is "decoded". */
      bytes: Buffer;
      encoding: Encoding;
      raw: number;
      decoded: number;
      /** Gives the held bytes back to the budget. Call once the bytes are no longer needed. */
      release: () => void;
    }
  | { ok: false; status: number; error: string; cause?: unknown; raw: number; decoded: number }
  /** The client went away mid-body: nothing to answer. */
  | { ok: false; status: 0; error: string; cause?: undefined; raw: number; decoded: number; aborted: true };

export type Encoding = 'identity' | 'deflate' | 'gzip';

export interface ReadOptions {
  limits: BodyLimits;
  budget: BodyBudget;
  /** Receives the decoded bytes as they inflate; a throw refuses the body (400, `cause` = the error). */
  consume?: (chunk: Buffer) => void;
  /** Keep the body as received (to read it again, default) or decoded. */
  keep?: 'raw' | 'decoded';
}

/**
 * Reads a request body, inflating it as a stream (`deflate` = zlib, `gzip`) with the limits enforced
 * while inflating: decoded bytes go to `consume` and are not kept, so a bomb costs one zlib window,
 * and the inflater is paused (backpressure) rather than buffering ahead. An oversized or refused body
 * is still drained so the client reads the answer instead of a broken pipe; past 4× the compressed
 * limit the socket is destroyed.
 */
export function readBody(req: IncomingMessage, options: ReadOptions): Promise<BodyResult> {
  const { limits, budget, consume } = options;
  const keepDecoded = options.keep === 'decoded';
  return new Promise((resolve) => {
    const header = String(req.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    const encoding: Encoding = header === 'deflate' || header === 'gzip' ? header : 'identity';
    const kept: Buffer[] = [];
    let held = 0; // taken from the budget
    let keptBytes = 0;
    let raw = 0;
    let decoded = 0;
    let failure: { status: number; error: string; cause?: unknown } | undefined;
    let reqDone = false;
    let decoderDone = false;
    let settled = false;
    let decoder = encoding === 'deflate' ? createInflate() : encoding === 'gzip' ? createGunzip() : undefined;

    const giveBack = (): void => {
      budget.release(held);
      held = 0;
    };
    const keep = (chunk: Buffer): boolean => {
      const need = keptBytes + chunk.length - held;
      if (need > 0 && !budget.take(need)) {
        fail(
          503,
          `Service unavailable: the intake holds ${budget.held} bytes of request bodies (limit ${budget.limit}); retry`,
        );
        return false;
      }
      if (need > 0) held += need;
      kept.push(chunk);
      keptBytes += chunk.length;
      return true;
    };
    const fail = (status: number, error: string, cause?: unknown): void => {
      failure ??= { status, error, cause };
      kept.length = 0;
      giveBack();
      if (decoder !== undefined) {
        decoder.removeAllListeners('data');
        decoder.on('error', () => {});
        decoder.destroy();
      }
      decoder = undefined;
      req.resume();
      check();
    };
    const check = (): void => {
      if (settled || !reqDone || (decoder !== undefined && !decoderDone)) return;
      settled = true;
      if (failure !== undefined) {
        resolve({ ok: false, ...failure, raw, decoded });
        return;
      }
      let released = false;
      resolve({
        ok: true,
        bytes: kept.length === 1 ? kept[0]! : Buffer.concat(kept),
        encoding: keepDecoded ? 'identity' : encoding,
        raw,
        decoded,
        release: () => {
          if (!released) giveBack();
          released = true;
        },
      });
      kept.length = 0;
    };
    const onDecoded = (chunk: Buffer): void => {
      if (failure !== undefined) return;
      decoded += chunk.length;
      if (decoded > limits.maxDecompressed) {
        fail(413, `Payload too large: more than ${limits.maxDecompressed} bytes decompressed`);
        return;
      }
      if (keepDecoded && !keep(chunk)) return;
      try {
        consume?.(chunk);
      } catch (error) {
        fail(400, error instanceof Error ? error.message : String(error), error);
      }
    };

    if (header !== 'identity' && header !== '' && encoding === 'identity')
      fail(415, `Unsupported Content-Encoding "${header.slice(0, 40)}" (use deflate, gzip or none)`);
    const declared = Number(req.headers['content-length']);
    if (declared > limits.maxCompressed)
      fail(413, `Payload too large: more than ${limits.maxCompressed} bytes`);
    else if (failure === undefined && declared > 0 && !keepDecoded) {
      // Reserve what the body says it holds, so a burst of large uploads is refused at its start.
      if (budget.take(declared)) held = declared;
      else
        fail(
          503,
          `Service unavailable: the intake holds ${budget.held} bytes of request bodies (limit ${budget.limit}); retry`,
        );
    }
    decoder?.on('data', onDecoded);
    decoder?.on('end', () => {
      decoderDone = true;
      check();
    });
    decoder?.on('error', (e: Error) =>
      fail(400, `Payload could not be decompressed as ${encoding}: ${e.message}`),
    );
    decoder?.on('drain', () => req.resume());

    req.on('data', (chunk: Buffer) => {
      raw += chunk.length;
      if (raw > limits.maxCompressed * 4) return void req.destroy();
      if (failure !== undefined) return;
      if (raw > limits.maxCompressed)
        return fail(413, `Payload too large: more than ${limits.maxCompressed} bytes`);
      if (!keepDecoded && !keep(chunk)) return;
      if (decoder === undefined) onDecoded(chunk);
      else if (!decoder.write(chunk)) req.pause();
    });
    req.on('end', () => {
      reqDone = true;
      decoder?.end();
      check();
    });
    req.on('close', () => {
      if (reqDone || settled) return;
      settled = true;
      kept.length = 0;
      giveBack();
      decoder?.destroy();
      resolve({ ok: false, status: 0, error: 'client went away', raw, decoded, aborted: true });
    });
  });
}

/** Decodes a body kept as received, in one go (it was checked against `limits` while it arrived). */
export function decodeAgain(bytes: Buffer, encoding: Encoding, limits: BodyLimits): Buffer {
  const options = { maxOutputLength: limits.maxDecompressed + 1 };
  if (encoding === 'deflate') return inflateSync(bytes, options);
  if (encoding === 'gzip') return gunzipSync(bytes, options);
  return bytes;
}
