import { LocalInMemoryCacheStorage, type CacheStorage } from './cache-storage.js'
import { callable } from './callable.js'
import { MAX_TIMER_DELAY, minutes, systemClock, type Clock, type Milliseconds } from './clock.js'
import { ProvidedLifeSpanCacheEntryBuilder, type CacheEntryBuilder } from './entry-builder.js'
import { InvalidConfigurationError } from './errors.js'
import { LeastRecentlyUpdatedEvictionStrategy, type EvictionStrategy } from './eviction-strategy.js'
import { EncodedMethodReferenceAndArgsKeyExtractor, type KeyExtractor } from './key-extractor.js'
import { NoPostprocessing, type Postprocessing } from './postprocessing.js'
import { requireDuration, requireMethods, requireOptions } from './validate.js'

/**
 * Everything a memoized method needs, one accessor per concept. Read once per call: a call in
 * flight keeps the parts it started with even if the configuration changes meanwhile.
 */
export interface CacheConfiguration {
  /** When false, calls fail with `NotConfiguredCacheCalledError` (checked on every call). */
  configured(): boolean
  /** How long the memoized method may run before callers get 'Refresh timed out'. */
  methodTimeout(): Milliseconds
  entryBuilder(): CacheEntryBuilder
  keyExtractor(): KeyExtractor
  storage(): CacheStorage
  evictionStrategy(): EvictionStrategy
  postprocessing(): Postprocessing
  /** The clock for freshness decisions and timeouts. @default systemClock */
  clock?(): Clock
  /**
   * After a background refresh of a key fails, stale calls of that key keep getting the old
   * value without starting another refresh for this long, so a failing backend is not retried
   * at the rate of calls. @default 0 (retry on the next stale call, as py-memoize does)
   */
  refreshBackoff?(): Milliseconds
}

/** The parts of a configuration as read for one call. */
export interface ConfigurationSnapshot {
  readonly configured: boolean
  readonly methodTimeout: Milliseconds
  readonly entryBuilder: CacheEntryBuilder
  readonly keyExtractor: KeyExtractor
  readonly storage: CacheStorage
  readonly evictionStrategy: EvictionStrategy
  readonly postprocessing: Postprocessing
  readonly clock: Clock
  readonly refreshBackoff: Milliseconds
  /** True when `postprocessing` returns values unchanged, so the engine can skip calling it. */
  readonly passesValuesThrough?: boolean
}

export interface MutableCacheConfigurationOptions {
  /** @default true */
  configured?: boolean
  /** @default 2 minutes */
  methodTimeout?: Milliseconds
  storage: CacheStorage
  keyExtractor: KeyExtractor
  evictionStrategy: EvictionStrategy
  entryBuilder: CacheEntryBuilder
  /** @default NoPostprocessing */
  postprocessing?: Postprocessing
  /** @default systemClock */
  clock?: Clock
  /** See {@link CacheConfiguration.refreshBackoff}. @default 0 */
  refreshBackoff?: Milliseconds
}

/**
 * A configuration whose parts can be replaced at run time; each setter checks its argument,
 * returns `this` for chaining, and affects calls started afterwards.
 *
 * ```ts
 * MutableCacheConfiguration.initializedWith(DefaultInMemoryCacheConfiguration())
 *   .setMethodTimeout(seconds(30))
 *   .setPostprocessing(DeepcopyPostprocessing())
 * ```
 */
class MutableCacheConfigurationImpl implements CacheConfiguration {
  #configured = true
  #methodTimeout: Milliseconds = minutes(2)
  #storage!: CacheStorage
  #keyExtractor!: KeyExtractor
  #evictionStrategy!: EvictionStrategy
  #entryBuilder!: CacheEntryBuilder
  #postprocessing: Postprocessing = new NoPostprocessing()
  #clock: Clock = systemClock
  #refreshBackoff: Milliseconds = 0
  #snapshot: ConfigurationSnapshot | undefined

  constructor(options: MutableCacheConfigurationOptions) {
    if (options === null || typeof options !== 'object')
      throw new InvalidConfigurationError('MutableCacheConfiguration needs an options object')
    this.setStorage(options.storage)
      .setKeyExtractor(options.keyExtractor)
      .setEvictionStrategy(options.evictionStrategy)
      .setEntryBuilder(options.entryBuilder)
    if (options.configured !== undefined) this.setConfigured(options.configured)
    if (options.methodTimeout !== undefined) this.setMethodTimeout(options.methodTimeout)
    if (options.postprocessing !== undefined) this.setPostprocessing(options.postprocessing)
    if (options.clock !== undefined) this.setClock(options.clock)
    if (options.refreshBackoff !== undefined) this.setRefreshBackoff(options.refreshBackoff)
  }

  /** A mutable copy of any configuration (py-memoize's `initialized_with`). */
  static initializedWith(other: CacheConfiguration): MutableCacheConfigurationImpl {
    const parts = snapshotOf(other)
    return new MutableCacheConfigurationImpl({
      configured: parts.configured,
      methodTimeout: parts.methodTimeout,
      storage: parts.storage,
      keyExtractor: parts.keyExtractor,
      evictionStrategy: parts.evictionStrategy,
      entryBuilder: parts.entryBuilder,
      postprocessing: parts.postprocessing,
      clock: parts.clock,
      refreshBackoff: parts.refreshBackoff,
    })
  }

  configured(): boolean {
    return this.#configured
  }
  methodTimeout(): Milliseconds {
    return this.#methodTimeout
  }
  storage(): CacheStorage {
    return this.#storage
  }
  keyExtractor(): KeyExtractor {
    return this.#keyExtractor
  }
  evictionStrategy(): EvictionStrategy {
    return this.#evictionStrategy
  }
  entryBuilder(): CacheEntryBuilder {
    return this.#entryBuilder
  }
  postprocessing(): Postprocessing {
    return this.#postprocessing
  }
  clock(): Clock {
    return this.#clock
  }
  refreshBackoff(): Milliseconds {
    return this.#refreshBackoff
  }

  setConfigured(value: boolean): this {
    if (typeof value !== 'boolean')
      throw new InvalidConfigurationError(`configured must be a boolean, got ${String(value)}`)
    return this.#set(() => (this.#configured = value))
  }

  /** Milliseconds; `Infinity` disables the timeout. */
  setMethodTimeout(value: Milliseconds): this {
    requireDuration('methodTimeout', value, true)
    if (Number.isFinite(value) && value > MAX_TIMER_DELAY)
      throw new InvalidConfigurationError(
        `methodTimeout must be at most ${MAX_TIMER_DELAY} ms (or Infinity), got ${value}`,
      )
    return this.#set(() => (this.#methodTimeout = value))
  }

  setStorage(value: CacheStorage): this {
    const storage = requireMethods<CacheStorage>('storage', value, ['get', 'offer', 'release'])
    return this.#set(() => (this.#storage = storage))
  }

  setKeyExtractor(value: KeyExtractor): this {
    const extractor = requireMethods<KeyExtractor>('keyExtractor', value, ['formatKey'])
    return this.#set(() => (this.#keyExtractor = extractor))
  }

  setEvictionStrategy(value: EvictionStrategy): this {
    const strategy = requireMethods<EvictionStrategy>('evictionStrategy', value, [
      'markRead',
      'markWritten',
      'markReleased',
      'nextToRelease',
    ])
    return this.#set(() => (this.#evictionStrategy = strategy))
  }

  setEntryBuilder(value: CacheEntryBuilder): this {
    const builder = requireMethods<CacheEntryBuilder>('entryBuilder', value, ['build'])
    return this.#set(() => (this.#entryBuilder = builder))
  }

  setPostprocessing(value: Postprocessing): this {
    const postprocessing = requireMethods<Postprocessing>('postprocessing', value, ['apply'])
    return this.#set(() => (this.#postprocessing = postprocessing))
  }

  setClock(value: Clock): this {
    const clock = requireMethods<Clock>('clock', value, ['now'])
    return this.#set(() => (this.#clock = clock))
  }

  /** Milliseconds without a new background refresh of a key after one failed; `0` for none. */
  setRefreshBackoff(value: Milliseconds): this {
    requireDuration('refreshBackoff', value, false)
    return this.#set(() => (this.#refreshBackoff = value))
  }

  /**
   * The current parts as one frozen object, rebuilt only after a setter ran: this is what a
   * call reads, so per-call snapshots cost nothing.
   */
  snapshot(): ConfigurationSnapshot {
    return (this.#snapshot ??= Object.freeze({
      configured: this.#configured,
      methodTimeout: this.#methodTimeout,
      entryBuilder: this.#entryBuilder,
      keyExtractor: this.#keyExtractor,
      storage: this.#storage,
      evictionStrategy: this.#evictionStrategy,
      postprocessing: this.#postprocessing,
      clock: this.#clock,
      refreshBackoff: this.#refreshBackoff,
      passesValuesThrough: this.#postprocessing instanceof NoPostprocessing,
    }))
  }

  #set(assign: () => unknown): this {
    assign()
    this.#snapshot = undefined
    return this
  }
}
export const MutableCacheConfiguration = callable(MutableCacheConfigurationImpl)
export type MutableCacheConfiguration = MutableCacheConfigurationImpl

export interface DefaultInMemoryCacheConfigurationOptions {
  /** Most entries kept (least recently updated are released first). @default 4096 */
  capacity?: number
  /** @default 2 minutes */
  methodTimeout?: Milliseconds
  /** Delay after which a background refresh starts. @default 10 minutes */
  updateAfter?: Milliseconds
  /** Delay after which an entry is never served. @default 30 minutes */
  expireAfter?: Milliseconds
  /** @default systemClock */
  clock?: Clock
  /** See {@link CacheConfiguration.refreshBackoff}. @default 0 */
  refreshBackoff?: Milliseconds
}

/**
 * The default: a `Map` in this process, keys by method + instance + arguments, at most
 * `capacity` entries, refresh after `updateAfter`, expiry after `expireAfter`, no
 * postprocessing.
 */
class DefaultInMemoryCacheConfigurationImpl extends MutableCacheConfigurationImpl {
  constructor(options?: DefaultInMemoryCacheConfigurationOptions) {
    options = requireOptions('DefaultInMemoryCacheConfiguration', options)
    const clock = options.clock ?? systemClock
    super({
      methodTimeout: options.methodTimeout ?? minutes(2),
      storage: new LocalInMemoryCacheStorage(),
      keyExtractor: new EncodedMethodReferenceAndArgsKeyExtractor(),
      evictionStrategy: new LeastRecentlyUpdatedEvictionStrategy({
        capacity: options.capacity ?? 4096,
      }),
      entryBuilder: new ProvidedLifeSpanCacheEntryBuilder({
        updateAfter: options.updateAfter ?? minutes(10),
        expireAfter: options.expireAfter ?? minutes(30),
        clock,
      }),
      postprocessing: new NoPostprocessing(),
      clock,
      refreshBackoff: options.refreshBackoff,
    })
  }
}
export const DefaultInMemoryCacheConfiguration = callable(DefaultInMemoryCacheConfigurationImpl)
export type DefaultInMemoryCacheConfiguration = DefaultInMemoryCacheConfigurationImpl

/** Reads every part of a configuration once. */
export function snapshotOf(configuration: CacheConfiguration): ConfigurationSnapshot {
  if (configuration instanceof MutableCacheConfigurationImpl) return configuration.snapshot()
  return {
    configured: configuration.configured(),
    methodTimeout: configuration.methodTimeout(),
    entryBuilder: configuration.entryBuilder(),
    keyExtractor: configuration.keyExtractor(),
    storage: configuration.storage(),
    evictionStrategy: configuration.evictionStrategy(),
    postprocessing: configuration.postprocessing(),
    clock: configuration.clock?.() ?? systemClock,
    refreshBackoff: configuration.refreshBackoff?.() ?? 0,
  }
}
