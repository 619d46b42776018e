// Bindings the workerd project's Miniflare gives every worker (see test/workerd/vitest.config.ts).
declare namespace Cloudflare {
  interface Env {
    DD_API_KEY: string;
    DD_DD_URL: string;
  }
}
