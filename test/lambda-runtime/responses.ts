// What the runtime posts back for an invocation — /response (a JSON body, or a stream: streaming.ts)
// and /error — read into an Answer, plus the refusals RAPID gives: an unknown or already answered
// request id is `400 InvalidRequestID`, a response mode other than `streaming` (or a streamed /error)
// `400 InvalidFunctionResponseMode` (aws-lambda-runtime-interface-emulator rapi/rendering).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESPONSE_MODE_HEADER, receiveStream, type StreamedResponse } from './streaming.js';
import type { Timeline } from './timeline.js';

export interface Answer {
  /** 'error': posted to /error, or a stream that ended with error trailers. */
  kind: 'response' | 'error';
  /** Parsed JSON body; streamed: the body text (after any HTTP prelude), or the decoded error. */
  body: unknown;
  /** `Lambda-Runtime-Function-Error-Type` (header, or trailer for streams). */
  errorType?: string;
  stream?: StreamedResponse;
}

/** What the runtime posted for one invocation (`stream` set for a streamed response). */
export interface Outcome extends Answer {
  requestId: string;
  /** When the answer had fully arrived (seq, Date.now()). */
  seq: number;
  at: number;
  /** When the runtime was handed the event. */
  deliveredSeq: number;
}

/** What the runtime posted to /runtime/init/error (or an extension to /extension/init/error). */
export interface InitError {
  errorType: string | undefined;
  body: { errorType?: string; errorMessage?: string };
  seq: number;
  /** Set when an extension reported it. */
  extension?: string;
}

/** `[status, errorType, errorMessage]` for a post naming no invocation in flight. */
const INVALID_REQUEST_ID: [number, string, string] = [400, 'InvalidRequestID', 'Invalid request ID'];

/** `[status, errorType, errorMessage]` when Lambda would refuse this post's response mode. */
function modeRefusal(req: IncomingMessage, kind: string): [number, string, string] | undefined {
  const mode = req.headers[RESPONSE_MODE_HEADER];
  if (mode === undefined || (mode === 'streaming' && kind === 'response')) return undefined;
  return [400, 'InvalidFunctionResponseMode', 'Invalid function response mode'];
}

/**
 * Serves a post to /runtime/invocation/<id>/response|error: refuses it as RAPID would, or reads it
 * whole (stamping each streamed chunk as it arrives) and records its arrival. The 202 is the caller's
 * to send, once it settled the invocation.
 */
export async function receivePost(
  req: IncomingMessage,
  res: ServerResponse,
  post: { id: string; kind: string; inFlight: boolean; timeline: Timeline },
): Promise<(Answer & { seq: number; at: number }) | undefined> {
  const { id, kind, timeline } = post;
  const refused = post.inFlight ? modeRefusal(req, kind) : INVALID_REQUEST_ID;
  if (refused !== undefined) {
    const [status, errorType, errorMessage] = refused;
    timeline.record({ type: 'refused', path: req.url ?? '', status, errorType, message: errorMessage });
    req.resume();
    res
      .writeHead(status, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ errorMessage, errorType }));
    return undefined;
  }
  const answer = await readAnswer(
    req,
    kind,
    (index, bytes) => timeline.record({ type: 'stream-chunk', requestId: id, index, bytes }).seq,
  );
  const { seq, at } = timeline.record({
    type: answer.kind,
    requestId: id,
    streamed: answer.stream !== undefined,
  });
  return { ...answer, seq, at };
}

/** Reads the whole post; `stamp` numbers each chunk of a streamed one as it arrives (returns its seq). */
async function readAnswer(
  req: IncomingMessage,
  kind: string,
  stamp: (index: number, bytes: number) => number,
): Promise<Answer> {
  if (req.headers[RESPONSE_MODE_HEADER] === 'streaming') {
    const stream = await receiveStream(req, stamp);
    if (stream.error)
      return { kind: 'error', body: stream.error.body, errorType: stream.error.errorType, stream };
    return { kind: 'response', body: (stream.http?.body ?? stream.bytes).toString('utf8'), stream };
  }
  const body = await readBody(req);
  const errorType = req.headers['lambda-runtime-function-error-type'];
  return {
    kind: kind === 'error' ? 'error' : 'response',
    body: parseJson(body),
    ...(typeof errorType === 'string' ? { errorType } : {}),
  };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('error', reject);
    req.on('end', () => resolve(body));
  });
}

export function parseJson(body: string): unknown {
  if (body === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
