import dns from 'node:dns';

/**
 * Name resolution for `*.invalid` without the system resolver. Here `/etc/resolv.conf` names a
 * nameserver on the network (not a local stub), so a real `getaddrinfo("intake.invalid")` would send a
 * query off the machine. Node's `net` reads `dns.lookup` at connect time (Node 20, 22, 24), so replacing
 * it answers `*.invalid` in-process, the way getaddrinfo does (ENOTFOUND), or, once "recovered", with
 * 127.0.0.1. Every other name goes to the real lookup untouched.
 */
export interface FakeDns {
  /** false: `*.invalid` fails with ENOTFOUND; true: it resolves to 127.0.0.1. */
  resolves: boolean;
  /** Every `*.invalid` name looked up, in order. */
  readonly queries: string[];
  restore(): void;
}

type Callback = (error: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;

export function fakeDns(): FakeDns {
  const real = dns.lookup;
  const state: FakeDns = {
    resolves: false,
    queries: [],
    restore() {
      (dns as { lookup: unknown }).lookup = real;
    },
  };
  function lookup(hostname: string, options: unknown, callback?: Callback): void {
    const cb = (typeof options === 'function' ? options : callback) as Callback;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean };
    if (!hostname.endsWith('.invalid')) {
      (real as (h: string, o: unknown, c: Callback) => void)(hostname, opts, cb);
      return;
    }
    state.queries.push(hostname);
    if (!state.resolves) {
      const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
        errno: -3008,
        syscall: 'getaddrinfo',
        hostname,
      });
      process.nextTick(cb, error);
    } else if (opts.all === true) process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
    else process.nextTick(cb, null, '127.0.0.1', 4);
  }
  (dns as { lookup: unknown }).lookup = lookup;
  return state;
}
