import {
  EncodedMethodNameAndArgsKeyExtractor,
  minutes,
  MutableCacheConfiguration,
  NoEvictionStrategy,
  ProvidedLifeSpanCacheEntryBuilder,
  systemClock,
  type CacheStorage,
  type Clock,
  type EncodedMethodNameAndArgsKeyExtractorOptions,
  type Milliseconds,
} from '@memokit/core'
import { callable } from './callable.js'
import { RedisCacheStorage, type RedisCacheStorageOptions } from './redis-cache-storage.js'

export interface RedisCacheConfigurationOptions extends Partial<RedisCacheStorageOptions> {
  /**
   * The storage to use instead of building a `RedisCacheStorage` from `client` and the storage
   * options (for example a `TwoTierCacheStorage`).
   */
  storage?: CacheStorage
  /** @default 2 minutes */
  methodTimeout?: Milliseconds
  /** Delay after which a background refresh starts. @default 10 minutes */
  updateAfter?: Milliseconds
  /** Delay after which an entry is never served (and Redis deletes it). @default 30 minutes */
  expireAfter?: Milliseconds
  /** Options of the `EncodedMethodNameAndArgsKeyExtractor` (e.g. `version`, `instanceKey`). */
  keys?: EncodedMethodNameAndArgsKeyExtractorOptions
  /** @default systemClock */
  clock?: Clock
  /**
   * After a background refresh of a key fails, stale calls keep the old value without a new
   * refresh for this long. @default 0
   */
  refreshBackoff?: Milliseconds
}

/**
 * The configuration for a cache shared through Redis: a {@link RedisCacheStorage} (or the
 * `storage` given), keys stable across processes (`EncodedMethodNameAndArgsKeyExtractor`),
 * `NoEvictionStrategy` (Redis expires entries at `expiresAfter`; bound its memory with
 * `maxmemory` and a `volatile-*` policy), and fixed lifetimes. It is a
 * `MutableCacheConfiguration`, so every part can still be replaced.
 *
 * ```ts
 * const configuration = RedisCacheConfiguration({ client, namespace: 'shop', updateAfter: minutes(1) })
 * ```
 */
class RedisCacheConfigurationImpl extends MutableCacheConfiguration {
  constructor(options: RedisCacheConfigurationOptions) {
    const clock = options.clock ?? systemClock
    const storage = options.storage ?? new RedisCacheStorage(options as RedisCacheStorageOptions)
    super({
      methodTimeout: options.methodTimeout ?? minutes(2),
      storage,
      keyExtractor: new EncodedMethodNameAndArgsKeyExtractor(options.keys ?? {}),
      evictionStrategy: new NoEvictionStrategy(),
      entryBuilder: new ProvidedLifeSpanCacheEntryBuilder({
        updateAfter: options.updateAfter ?? minutes(10),
        expireAfter: options.expireAfter ?? minutes(30),
        clock,
      }),
      clock,
      refreshBackoff: options.refreshBackoff,
    })
  }
}
export const RedisCacheConfiguration = callable(RedisCacheConfigurationImpl)
export type RedisCacheConfiguration = RedisCacheConfigurationImpl
