// A Worker that flushes WITHOUT ctx.waitUntil: `metrics.flush()` is started and the response returned.
// Used by test/workerd/miniflare.test.ts to show what the real runtime does with that flush.
// The client is created at module scope with the default options: on Workers the timer is off by
// default (a timer at module scope would stop the Worker from starting).
import { env } from 'cloudflare:workers';
import { createMetrics } from 'handlerstats';

const vars = env as { DD_API_KEY?: string; DD_DD_URL?: string };
const metrics = createMetrics({
  apiKey: vars.DD_API_KEY,
  intakeUrl: vars.DD_DD_URL,
  namespace: 'unwaited',
  flushTimeoutMs: 1000,
});

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/stats') return Response.json(metrics.stats());
    metrics.increment('requests', 1, { tags: { path: url.pathname } });
    if (url.pathname === '/probe') {
      // Does a flush started now deliver (within its own 1 s deadline)?
      const outcome = await Promise.race([
        metrics.flush({ timeoutMs: 1000 }).then(
          () => 'flushed',
          (error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
        scheduler.wait(3000).then(() => 'still waiting'),
      ]);
      return Response.json({ outcome });
    }
    metrics.flush().catch(() => {}); // fire and forget: the anti-pattern withFetchMetrics exists for
    return new Response('ok');
  },
} satisfies ExportedHandler;
