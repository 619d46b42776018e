// One decorator function that works both as a TC39 standard method decorator (TypeScript 5+,
// `(value, context)`) and under `experimentalDecorators` (`(target, key, descriptor)`).

type AnyMethod = (this: unknown, ...args: never[]) => unknown;

/** A method decorator usable in both decorator modes. */
export interface MethodDecorator {
  <T extends AnyMethod>(value: T, context: ClassMethodDecoratorContext): T;
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
}

/**
 * The type a decorator that makes methods async (`@flushMetrics`) returns for a method whose return type
 * does not admit a Promise (a sync method): the type check then fails with "Decorator function return
 * type 'MethodMustReturnPromise' is not assignable to …". Declare the method `async` (or returning a
 * Promise): decorated, it returns one anyway.
 */
export interface MethodMustReturnPromise {
  readonly 'declare the decorated method async: it returns a Promise once decorated': true;
}

/** `Ok` when a method of type `M` may return a Promise of its result (`Promise<Awaited<R>>` fits `R`). */
type IfAsync<M, Ok> = M extends (...args: never[]) => infer R
  ? [Promise<Awaited<R>>] extends [R]
    ? Ok
    : MethodMustReturnPromise
  : Ok;

/**
 * A method decorator, usable in both decorator modes, whose wrapper always returns a Promise. Decorators
 * cannot change a method's type, so a method typed as returning something else (a sync method) is a type
 * error ({@link MethodMustReturnPromise}) instead of a method whose type says it returns a plain value.
 */
export interface AsyncMethodDecorator {
  <T extends AnyMethod>(value: T, context: ClassMethodDecoratorContext): IfAsync<T, T>;
  <T>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): IfAsync<T, TypedPropertyDescriptor<T>>;
}

/** Builds a {@link MethodDecorator} from a function that wraps the original method. */
export function methodDecorator<D extends MethodDecorator | AsyncMethodDecorator = MethodDecorator>(
  wrap: (method: AnyMethod, name: string) => AnyMethod,
): D {
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
  return decorator as D;
}
