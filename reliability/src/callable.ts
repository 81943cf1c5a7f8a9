/**
 * A class that can also be called without `new` (`LeastRecentlyUpdatedEvictionStrategy({ capacity })`
 * and `new LeastRecentlyUpdatedEvictionStrategy({ capacity })` both work). `instanceof`,
 * subclassing and static members behave as on the class itself.
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
