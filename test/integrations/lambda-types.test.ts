// What a user meets first: the handler types of withMetrics, withStreamingMetrics and metricsMiddleware
// under `--strict`. `expectTypeOf` checks run with `tsc` (npm run typecheck); the snippets below are
// compiled by the TypeScript compiler with `strict: true` in the test, each on its own, as a user's
// file would be. `@types/aws-lambda` is not a dependency: AwsLambda below mirrors its shapes.
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { type LambdaContextLike, withMetrics, withStreamingMetrics } from '../../src/integrations/lambda.js';
import { metricsMiddleware } from '../../src/integrations/middy.js';

/** `@types/aws-lambda` 8.10's shapes, as far as the snippets use them. */
const AWS_LAMBDA = `
export interface Context {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}
export type Callback<TResult = any> = (error?: Error | string | null, result?: TResult) => void;
export type Handler<TEvent = any, TResult = any> = (
  event: TEvent,
  context: Context,
  callback: Callback<TResult>,
) => void | Promise<TResult>;
export interface APIGatewayProxyEvent { body: string | null; path: string; queryStringParameters: Record<string, string | undefined> | null }
export interface APIGatewayProxyResult { statusCode: number; body: string }
export type APIGatewayProxyHandler = Handler<APIGatewayProxyEvent, APIGatewayProxyResult>;
export interface ResponseStream { write(chunk: string | Uint8Array): boolean; end(chunk?: string): void; setContentType(type: string): void }
export type StreamifyHandler<TEvent = any, TResult = void> = (event: TEvent, responseStream: ResponseStream, context: Context) => TResult | Promise<TResult>;
`;

const HEADER = `
import { createMetrics } from '../../src/index.js';
import { withMetrics, withStreamingMetrics } from '../../src/integrations/lambda.js';
import { metricsMiddleware } from '../../src/integrations/middy.js';
import type { APIGatewayProxyEvent, APIGatewayProxyHandler, APIGatewayProxyResult, Context, StreamifyHandler } from './aws-lambda-types.js';
const metrics = createMetrics({ namespace: 'shop', flushInterval: 0 });
`;

/** Snippets that must compile under --strict with no diagnostic at all. */
const COMPILES: Record<string, string> = {
  'README quick start, event annotated': `
export const handler = withMetrics(metrics, async (event: { plan: string }) => {
  metrics.increment('orders.placed', 1, { tags: { plan: event.plan } });
  return { statusCode: 200 };
});`,
  'event unused, not annotated': `
export const handler = withMetrics(metrics, async (event) => {
  metrics.increment('orders');
  return { statusCode: 200 };
});`,
  'an annotated APIGatewayProxyHandler passed in': `
const inner: APIGatewayProxyHandler = async (event) => ({ statusCode: 200, body: event.path });
export const handler = withMetrics(metrics, inner);
const direct: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult> = handler;`,
  'the export annotated: event and context inferred from it': `
export const handler: APIGatewayProxyHandler = withMetrics(metrics, async (event, context) => ({
  statusCode: 200,
  body: event.path + context.functionName,
}));`,
  'generics: event and result from the type arguments': `
export const handler = withMetrics<APIGatewayProxyEvent, APIGatewayProxyResult>(metrics, async (event) => ({
  statusCode: 200,
  body: event.body ?? '',
}));`,
  'generics with a context type': `
export const handler = withMetrics<APIGatewayProxyEvent, APIGatewayProxyResult, Context>(
  metrics,
  async (_event, context) => ({ statusCode: 200, body: context.awsRequestId }),
);`,
  'a callback handler with explicit generics': `
export const handler = withMetrics<APIGatewayProxyEvent, APIGatewayProxyResult>(metrics, (event, _context, callback) => {
  callback(null, { statusCode: 200, body: event.path });
});
const twoParameters: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult> = handler;`,
  'a callback handler, partly annotated': `
export const handler = withMetrics(metrics, (event: { x: number }, _context, callback: (e?: unknown, r?: number) => void) => {
  setTimeout(() => callback(null, event.x * 2), 1);
});`,
  'a sync handler': `
export const handler = withMetrics(metrics, (event: { x: number }) => event.x * 2);`,
  'streaming: parameters from the annotated export': `
export const handler: StreamifyHandler<{ q: string }> = withStreamingMetrics(metrics, async (event, responseStream, context) => {
  responseStream.setContentType('text/plain');
  responseStream.write(event.q + context.functionName);
  responseStream.end();
});`,
  'streaming: parameters annotated': `
export const handler = withStreamingMetrics(metrics, async (event: { q: string }, responseStream) => {
  responseStream.write(event.q);
  responseStream.end();
});`,
  'middy middleware options': `
export const mw = metricsMiddleware(metrics, { coldStartMetric: 'invocations', streaming: true });
export const hooks = [mw.before, mw.after, mw.onError, mw.requestEnd];`,
};

/** Snippets that must fail, with these diagnostic codes (a wrong result; `unknown`, never implicit any). */
const FAILS: Record<string, { code: number; snippet: string }> = {
  'an unannotated event that is used is unknown, not implicitly any': {
    code: 18046,
    snippet: `
export const handler = withMetrics(metrics, async (event) => ({ statusCode: 200, plan: event.plan }));`,
  },
  'a result that does not match the generics': {
    code: 2322,
    snippet: `
export const handler = withMetrics<APIGatewayProxyEvent, APIGatewayProxyResult>(metrics, async () => ({ status: 1 }));`,
  },
  'an event property the annotated handler type does not have': {
    code: 2339,
    snippet: `
export const handler: APIGatewayProxyHandler = withMetrics(metrics, async (event) => ({ statusCode: 200, body: event.nope }));`,
  },
};

function compile(snippets: Record<string, string>): Map<string, ts.Diagnostic[]> {
  const dir = join(import.meta.dirname);
  const files = new Map<string, string>([[join(dir, 'aws-lambda-types.ts'), AWS_LAMBDA]]);
  const names = new Map<string, string>();
  Object.entries(snippets).forEach(([name, code], i) => {
    const file = join(dir, `snippet-${i}.ts`);
    files.set(file, HEADER + code);
    names.set(file, name);
  });
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    skipLibCheck: true,
    allowImportingTsExtensions: true,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language) => {
    const text = files.get(file);
    return text === undefined ? getSourceFile(file, language) : ts.createSourceFile(file, text, language);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => files.has(file) || fileExists(file);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => files.get(file) ?? readFile(file);
  const program = ts.createProgram([...names.keys()], options, host);
  const out = new Map<string, ts.Diagnostic[]>();
  for (const [file, name] of names) {
    const source = program.getSourceFile(file);
    out.set(name, [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]);
  }
  return out;
}

const text = (d: ts.Diagnostic) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;

describe('handler types under --strict (the TypeScript compiler, in-memory snippets)', () => {
  const results = compile({
    ...COMPILES,
    ...Object.fromEntries(Object.entries(FAILS).map(([name, { snippet }]) => [name, snippet])),
  });
  it.each(Object.keys(COMPILES))('compiles: %s', (name) => {
    expect(results.get(name)?.map(text)).toEqual([]);
  });
  it.each(Object.keys(FAILS))('fails as it should: %s', (name) => {
    expect(results.get(name)?.map((d) => d.code)).toEqual([FAILS[name]?.code]);
  });
});

describe('handler types (expectTypeOf, checked by tsc)', () => {
  const metrics = createMetrics({ flushInterval: 0 });
  interface Event {
    id: string;
  }
  interface Result {
    ok: boolean;
  }
  interface Ctx extends LambdaContextLike {
    functionName: string;
  }

  it('withMetrics infers event, context and result; the wrapper declares two parameters', () => {
    const handler = withMetrics(metrics, async (event: Event, context: Ctx) => ({
      ok: event.id === context.functionName,
    }));
    expectTypeOf(handler).parameters.toEqualTypeOf<[Event, Ctx]>();
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<{ ok: boolean }>();
    const fromGenerics = withMetrics<Event, Result>(metrics, async (event) => {
      expectTypeOf(event).toEqualTypeOf<Event>();
      return { ok: true };
    });
    expectTypeOf(fromGenerics).parameters.toEqualTypeOf<[Event, LambdaContextLike]>();
    expectTypeOf(fromGenerics).returns.resolves.toEqualTypeOf<Result>();
    const callback = withMetrics<Event, Result>(metrics, (_event, _context, done) => {
      expectTypeOf(done).parameter(1).toEqualTypeOf<Result | undefined>();
      done(null, { ok: true });
    });
    expectTypeOf(callback).parameters.toEqualTypeOf<[Event, LambdaContextLike]>();
    expect(callback.length).toBe(2);
  });

  it('withStreamingMetrics keeps (event, responseStream, context) and the result', () => {
    const handler = withStreamingMetrics(
      metrics,
      async (event: Event, stream: { write(c: string): void; end(): void }) => {
        stream.write(event.id);
        stream.end();
        return 1;
      },
    );
    expectTypeOf(handler).parameter(0).toEqualTypeOf<Event>();
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<number>();
    expect(handler.length).toBe(3);
  });

  it('metricsMiddleware has before, after, onError and requestEnd', () => {
    const mw = metricsMiddleware(metrics, { streaming: true });
    expectTypeOf(mw.requestEnd).returns.toEqualTypeOf<Promise<void>>();
  });
});
