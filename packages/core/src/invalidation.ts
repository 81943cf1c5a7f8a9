import { callable } from './callable.js'
import { InvalidConfigurationError, InvalidationNotBoundError } from './errors.js'
import type { MemoizedControl } from './memoized-method.js'

/**
 * Invalidates entries of one memoized method by arguments. Pass it to exactly one `memoize()`:
 *
 * ```ts
 * const invalidation = new InvalidationSupport<[id: string]>()
 * class Users { @memoize({ invalidation }) async byId(id: string) { ... } }
 * await invalidation.invalidateForArguments(['42'], users) // `self` for instance-scoped keys
 * ```
 *
 * The type parameter checks the arguments; `invalidate(() => users.byId('42'))` is the
 * alternative typed by the call itself.
 */
class InvalidationSupportImpl<Args extends readonly unknown[] = unknown[]> {
  #target: MemoizedControl | undefined

  /**
   * Releases the entry a call with `args` would use. A refresh of that key already running
   * still answers its waiters, but its result is not stored.
   */
  invalidateForArguments(args: Args, self?: unknown): Promise<void> {
    if (this.#target === undefined) return Promise.reject(new InvalidationNotBoundError())
    return this.#target.invalidate(args, self)
  }

  /** True once passed to `memoize()`. */
  get bound(): boolean {
    return this.#target !== undefined
  }

  /** @internal Called by `memoize()`. */
  bind(target: MemoizedControl): void {
    if (this.#target !== undefined && this.#target !== target)
      throw new InvalidConfigurationError(
        `this InvalidationSupport is already bound to ${this.#target.name || 'another method'}; ` +
          'create one InvalidationSupport per memoized method',
      )
    this.#target = target
  }
}
export const InvalidationSupport = callable(InvalidationSupportImpl)
export type InvalidationSupport<Args extends readonly unknown[] = unknown[]> =
  InvalidationSupportImpl<Args>
