/**
 * A class that can also be called without `new` (`FaasCacheMap({ maxItems: 10 })` and
 * `new FaasCacheMap({ maxItems: 10 })` both work). `instanceof`, subclassing and static members
 * behave as on the class itself. A copy of core's helper: packages never deep-import core.
 *
 * @internal
 */
export type Callable<C extends abstract new (...args: never[]) => unknown> = C &
  ((...args: ConstructorParameters<C>) => InstanceType<C>)

/** @internal */
export function callable<C extends new (...args: never[]) => unknown>(cls: C): Callable<C> {
  return new Proxy(cls, {
    apply: (target, _thisArg, args: unknown[]) => new target(...(args as never[])),
  }) as Callable<C>
}
