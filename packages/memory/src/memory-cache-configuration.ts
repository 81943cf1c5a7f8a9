import {
  EncodedMethodReferenceAndArgsKeyExtractor,
  MutableCacheConfiguration,
  NoEvictionStrategy,
  NoPostprocessing,
  ProvidedLifeSpanCacheEntryBuilder,
  minutes,
  systemClock,
  type KeyExtractor,
  type Milliseconds,
  type Postprocessing,
} from '@memokit/core'
import { callable } from './callable.js'
import { MemoryCacheStorage, type MemoryCacheStorageOptions } from './memory-cache-storage.js'

export interface MemoryCacheConfigurationOptions extends MemoryCacheStorageOptions {
  /** Delay after which a background refresh starts. @default 10 minutes */
  updateAfter?: Milliseconds
  /** Delay after which an entry is never served (and is dropped from memory). @default 30 minutes */
  expireAfter?: Milliseconds
  /** @default 2 minutes */
  methodTimeout?: Milliseconds
  /** @default EncodedMethodReferenceAndArgsKeyExtractor (process-local keys) */
  keyExtractor?: KeyExtractor
  /** @default NoPostprocessing */
  postprocessing?: Postprocessing
  /**
   * After a background refresh of a key fails, stale calls keep the old value without a new
   * refresh for this long. @default 0
   */
  refreshBackoff?: Milliseconds
}

/**
 * A ready configuration storing results in a {@link MemoryCacheStorage}: bounded by estimated
 * bytes (`maxSizeBytes`) and/or entries (`maxItems`), least recently used evicted first,
 * expired entries dropped first, refreshed after `updateAfter`, expired after `expireAfter`.
 * The storage evicts by itself, so the eviction strategy is `NoEvictionStrategy`.
 *
 * ```ts
 * @memoize({ configuration: memoryCacheConfiguration({ maxSizeBytes: '64M', updateAfter: minutes(1), expireAfter: minutes(5) }) })
 * ```
 *
 * It is a `MutableCacheConfiguration`: every part can still be replaced with its setters.
 * `memoryStorage` is the storage it created, for inspection (`size`, `byteSize`) and tuning.
 */
class MemoryCacheConfigurationImpl extends MutableCacheConfiguration {
  /** The storage this configuration was created with. */
  readonly memoryStorage: MemoryCacheStorage

  constructor(options: MemoryCacheConfigurationOptions = {}) {
    const clock = options.clock ?? systemClock
    const storage = new MemoryCacheStorage({ ...options, clock })
    super({
      methodTimeout: options.methodTimeout ?? minutes(2),
      storage,
      keyExtractor: options.keyExtractor ?? new EncodedMethodReferenceAndArgsKeyExtractor(),
      evictionStrategy: new NoEvictionStrategy(),
      entryBuilder: new ProvidedLifeSpanCacheEntryBuilder({
        updateAfter: options.updateAfter ?? minutes(10),
        expireAfter: options.expireAfter ?? minutes(30),
        clock,
      }),
      postprocessing: options.postprocessing ?? new NoPostprocessing(),
      clock,
      refreshBackoff: options.refreshBackoff,
    })
    this.memoryStorage = storage
  }
}
export const MemoryCacheConfiguration = callable(MemoryCacheConfigurationImpl)
export type MemoryCacheConfiguration = MemoryCacheConfigurationImpl

/**
 * The same as `MemoryCacheConfiguration(options)`, as a plain function:
 * `@memoize({ configuration: memoryCacheConfiguration({ maxSizeBytes: '64M' }) })`.
 */
export function memoryCacheConfiguration(
  options: MemoryCacheConfigurationOptions = {},
): MemoryCacheConfiguration {
  return new MemoryCacheConfigurationImpl(options)
}
