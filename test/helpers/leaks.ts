import { inspect } from 'node:util';
import { expect } from 'vitest';

/**
 * Where `secret` hides in an object graph: own properties (non-enumerable and symbol-keyed too), strings,
 * Buffers and typed arrays (read as latin1: `util.inspect` prints those as hex, a text search misses them),
 * Maps, Sets. Returns the path of the first find. Getters are not invoked.
 */
export function findSecret(
  value: unknown,
  secret: string,
  path = '$',
  seen = new Set<unknown>(),
): string | undefined {
  if (typeof value === 'string') return value.includes(secret) ? path : undefined;
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1').includes(secret)
      ? path
      : undefined;
  if (value instanceof ArrayBuffer) return findSecret(new Uint8Array(value), secret, path, seen);
  if (value instanceof Map || value instanceof Set) {
    let i = 0;
    for (const entry of value instanceof Map ? value.entries() : value.values()) {
      const hit = findSecret(entry, secret, `${path}<${i++}>`, seen);
      if (hit) return hit;
    }
  }
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined || !('value' in descriptor)) continue;
    const hit = findSecret(descriptor.value, secret, `${path}.${String(key)}`, seen);
    if (hit) return hit;
  }
  return undefined;
}

/** Fails naming where `secret` shows: the object graph, `util.inspect`, `JSON.stringify`, the stack. */
export function expectNoSecret(value: unknown, secret: string, where: string): void {
  expect(findSecret(value, secret), `${where}: secret in the object graph`).toBeUndefined();
  const shown = inspect(value, { depth: 20, showHidden: true });
  expect(shown.includes(secret), `${where}: secret in util.inspect`).toBe(false);
  let json = '';
  try {
    json = JSON.stringify(value) ?? '';
  } catch {}
  expect(json.includes(secret), `${where}: secret in JSON.stringify`).toBe(false);
  const stack = String((value as { stack?: unknown } | null)?.stack);
  expect(stack.includes(secret), `${where}: secret in the stack`).toBe(false);
}
