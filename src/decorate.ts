// One decorator function that works both as a TC39 standard method decorator (TypeScript 5+,
// `(value, context)`) and under `experimentalDecorators` (`(target, key, descriptor)`).

type AnyMethod = (this: unknown, ...args: never[]) => unknown;

/** A method decorator usable in both decorator modes. */
export interface MethodDecorator {
  <T extends AnyMethod>(value: T, context: ClassMethodDecoratorContext): T;
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
}

/** Builds a {@link MethodDecorator} from a function that wraps the original method. */
export function methodDecorator(wrap: (method: AnyMethod, name: string) => AnyMethod): MethodDecorator {
  function decorator(a: unknown, b: unknown, c?: unknown): unknown {
    if (typeof a === 'function' && typeof b === 'object' && b !== null && 'kind' in b) {
      const context = b as ClassMethodDecoratorContext;
      if (context.kind !== 'method')
        throw new TypeError('handlerstats: this decorator applies to methods only');
      return wrap(a as AnyMethod, String(context.name));
    }
    const descriptor = c as PropertyDescriptor | undefined;
    if (descriptor === undefined || typeof descriptor.value !== 'function')
      throw new TypeError('handlerstats: this decorator applies to methods only');
    descriptor.value = wrap(descriptor.value as AnyMethod, String(b));
    return descriptor;
  }
  return decorator as MethodDecorator;
}
