// What the runtime posts back for an invocation — /response and /error, a JSON body — read into an
// Answer, plus the refusal RAPID gives: an unknown or already answered request id is
// `400 InvalidRequestID` (aws-lambda-runtime-interface-emulator rapi/rendering).
import type { IncomingMessage } from 'node:http';

export interface Answer {
  /** 'error': posted to /error. */
  kind: 'response' | 'error';
  /** Parsed JSON body. */
  body: unknown;
  /** `Lambda-Runtime-Function-Error-Type`. */
  errorType?: string;
}

/** `[status, errorType, errorMessage]` for a post naming no invocation in flight. */
export const INVALID_REQUEST_ID: [number, string, string] = [400, 'InvalidRequestID', 'Invalid request ID'];

/** Reads the whole post. */
export async function readAnswer(req: IncomingMessage, kind: string): Promise<Answer> {
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
