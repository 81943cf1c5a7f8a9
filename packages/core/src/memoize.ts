import { DefaultInMemoryCacheConfiguration, type CacheConfiguration } from './configuration.js'
import { InvalidConfigurationError, MemoizeUsageError } from './errors.js'
import { InvalidationSupport } from './invalidation.js'
import { MemoizedMethod, type MemoizedControl } from './memoized-method.js'
import { MethodReference } from './method-reference.js'
import type { UpdateStatuses } from './update-statuses.js'
import { requireMethods } from './validate.js'

export interface MemoizeOptions {
  /** Storage, keys, lifetimes, eviction... Without one, each method gets its own default. */
  configuration?: CacheConfiguration
  /** Binds this `InvalidationSupport` to the memoized method. */
  invalidation?: InvalidationSupport<never>
  /** Dog-pile coordination; `RedisUpdateStatuses` makes it cross-process. @default InMemoryLocks */
  updateStatuses?: UpdateStatuses
  /**
   * The name used in keys, events and errors (`Class.method` / the function name otherwise).
   * Give one when minification renames classes or when two methods share a shared storage.
   */
  name?: string
}

/**
 * An async method: what `@memoize()` decorates. The decorator returns the method's own type,
 * so generic methods and overload-free signatures come out unchanged. (`any[]` is what lets a
 * generic method match; `unknown[]` or `never` do not.)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AsyncMethod<This> = (this: This, ...args: any[]) => Promise<unknown>

/**
 * `@memoize()` works under both TypeScript decorator modes; which one applies depends on the
 * compiling project's `experimentalDecorators`. Only async methods type-check.
 */
export interface MemoizeDecorator {
  /** TC39 standard decorator (TypeScript 5+, the default). */
  <This, Method extends AsyncMethod<This>>(
    value: Method,
    context: ClassMethodDecoratorContext<This, Method>,
  ): Method
  /** Legacy `experimentalDecorators` method decorator. */
  <T extends (...args: never[]) => Promise<unknown>>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T> | void
}

const OPTION_KEYS = new Set(['configuration', 'invalidation', 'updateStatuses', 'name'])
const controls = new WeakMap<object, MemoizedMethod>()

/**
 * Memoizes an async method or function: concurrent identical calls share one execution,
 * results are cached with a refresh time and an expiry time, and failures are never cached.
 *
 * ```ts
 * class Users {
 *   @memoize()
 *   async byId(id: string): Promise<User> { ... }
 * }
 * const rate = memoize(async (ccy: string) => fetchRate(ccy), { configuration })
 * ```
 */
export function memoize(options?: MemoizeOptions): MemoizeDecorator
export function memoize<F extends (...args: never[]) => PromiseLike<unknown>>(
  fn: F,
  options?: MemoizeOptions,
): F
export function memoize(
  fnOrOptions?: ((...args: unknown[]) => unknown) | MemoizeOptions,
  maybeOptions?: MemoizeOptions,
): unknown {
  if (typeof fnOrOptions === 'function') {
    const options = checkOptions(maybeOptions)
    const fn = fnOrOptions
    const reference = new MethodReference(options.name ?? fn.name, { className: '' })
    return wrap(fn, reference, options)
  }
  return decorator(checkOptions(fnOrOptions))
}

function decorator(options: MemoizeOptions): MemoizeDecorator {
  return function memoizeDecorator(...args: unknown[]): unknown {
    const [first, second, third] = args
    // Standard decorators: (value, context) where context has a `kind`.
    if (
      args.length === 2 &&
      typeof second === 'object' &&
      second !== null &&
      'kind' in second &&
      'name' in second
    ) {
      const context = second as ClassMethodDecoratorContext
      if (context.kind !== 'method' || typeof first !== 'function')
        throw new InvalidConfigurationError(
          `@memoize() decorates methods only; ${String(context.name)} is a ${context.kind}`,
        )
      const reference = new MethodReference(options.name ?? String(context.name), {
        isStatic: context.static,
        className: options.name === undefined ? undefined : '',
      })
      const wrapper = wrap(first as (...a: unknown[]) => unknown, reference, options)
      context.addInitializer(function (this: unknown) {
        reference.resolveClassFrom(this, wrapper)
      })
      return wrapper
    }
    // Legacy decorators: (prototype or constructor, key, descriptor).
    if (args.length === 3 && typeof third === 'object' && third !== null) {
      const target = first as object
      const key = second as string | symbol
      const descriptor = third as PropertyDescriptor
      if (typeof descriptor.value !== 'function')
        throw new InvalidConfigurationError(
          `@memoize() decorates methods only; ${String(key)} is ${descriptor.get || descriptor.set ? 'an accessor' : 'not a method'}`,
        )
      const isStatic = typeof target === 'function'
      const className =
        options.name !== undefined
          ? ''
          : isStatic
            ? (target as { name?: string }).name
            : (target as { constructor?: { name?: string } }).constructor?.name
      const reference = new MethodReference(options.name ?? String(key), { isStatic, className })
      const original = descriptor.value as (...a: unknown[]) => unknown
      const wrapper = wrap(original, reference, options)
      copyMetadata(original, wrapper)
      descriptor.value = wrapper
      return descriptor
    }
    throw new InvalidConfigurationError(
      '@memoize() must decorate a method (got a property, a class or a direct call)',
    )
  } as MemoizeDecorator
}

function wrap(
  original: (...args: unknown[]) => unknown,
  reference: MethodReference,
  options: MemoizeOptions,
): (...args: unknown[]) => Promise<unknown> {
  const engine = new MemoizedMethod(original, reference, {
    configuration: options.configuration ?? new DefaultInMemoryCacheConfiguration(),
    updateStatuses: options.updateStatuses,
  })
  // Standard decorators learn the declaring class at construction (addInitializer); a call on
  // an object that was never constructed (`Class.prototype.method.call(x)`) resolves it here.
  let classKnown = reference.className !== undefined
  const wrapper = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    if (!classKnown && this !== undefined) {
      reference.resolveClassFrom(this, wrapper)
      classKnown = reference.className !== undefined
    }
    return engine.call(this, args)
  }
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true })
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true })
  controls.set(wrapper, engine)
  options.invalidation?.bind(engine)
  return wrapper
}

/** Keeps framework metadata that other decorators attached to the method (reflect-metadata). */
function copyMetadata(from: object, to: object): void {
  const reflect = Reflect as unknown as {
    getOwnMetadataKeys?: (target: object) => unknown[]
    getOwnMetadata?: (key: unknown, target: object) => unknown
    defineMetadata?: (key: unknown, value: unknown, target: object) => void
  }
  if (!reflect.getOwnMetadataKeys || !reflect.getOwnMetadata || !reflect.defineMetadata) return
  for (const key of reflect.getOwnMetadataKeys(from))
    reflect.defineMetadata(key, reflect.getOwnMetadata(key, from), to)
}

function checkOptions(options: MemoizeOptions | undefined): MemoizeOptions {
  if (options === undefined) return {}
  if (options === null || typeof options !== 'object')
    throw new InvalidConfigurationError(
      `memoize() options must be an object, got ${String(options)}`,
    )
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key))
      throw new InvalidConfigurationError(
        `unknown memoize() option "${key}"; expected one of ${[...OPTION_KEYS].join(', ')}`,
      )
  }
  if (options.configuration !== undefined)
    requireMethods('configuration', options.configuration, [
      'configured',
      'methodTimeout',
      'entryBuilder',
      'keyExtractor',
      'storage',
      'evictionStrategy',
      'postprocessing',
    ])
  if (options.updateStatuses !== undefined)
    requireMethods('updateStatuses', options.updateStatuses, [
      'isBeingUpdated',
      'markBeingUpdated',
      'markUpdated',
      'markUpdateAborted',
      'awaitUpdated',
    ])
  if (options.invalidation !== undefined && !(options.invalidation instanceof InvalidationSupport))
    throw new InvalidConfigurationError('invalidation must be an InvalidationSupport')
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === ''))
    throw new InvalidConfigurationError('name must be a non-empty string')
  return options
}

/**
 * The control surface of a memoized function or decorated method: stats, events, invalidation
 * by arguments, settling its background work.
 *
 * ```ts
 * cacheControl(Users.prototype.byId).stats().hits
 * cacheControl(fetchRate).on((event) => metrics.count(event.type))
 * ```
 */
export function cacheControl(memoized: unknown): MemoizedControl {
  const engine = typeof memoized === 'function' ? controls.get(memoized) : undefined
  if (engine === undefined)
    throw new MemoizeUsageError(
      'cacheControl() expects a function returned by memoize() or a method decorated with @memoize()',
    )
  return engine
}
