import type { CacheEntry, CacheKey } from './cache-entry.js'
import { callable } from './callable.js'
import { minutes, systemClock, type Clock, type Milliseconds, type Timestamp } from './clock.js'
import { InvalidConfigurationError } from './errors.js'
import { requireDuration, requireMethods, requireOptions } from './validate.js'

/**
 * Wraps a freshly computed value into an entry, deciding its lifetime. A custom builder gives
 * per-entry lifetimes (for example from a value's own TTL or a Cache-Control header).
 * `now` is the engine's clock reading; builders that ignore it read their own clock.
 */
export interface CacheEntryBuilder {
  build<T>(key: CacheKey, value: T, now?: Timestamp): CacheEntry<T>
}

export interface ProvidedLifeSpanCacheEntryBuilderOptions {
  /** Delay after which a background refresh starts. @default 10 minutes */
  updateAfter?: Milliseconds
  /** Delay after which the entry is never served. @default 30 minutes */
  expireAfter?: Milliseconds
  /** Used only when `build` is called without `now`. @default systemClock */
  clock?: Clock
}

/** Gives every entry the same lifespan: refresh after `updateAfter`, expire after `expireAfter`. */
class ProvidedLifeSpanCacheEntryBuilderImpl implements CacheEntryBuilder {
  #updateAfter: Milliseconds = 0
  #expireAfter: Milliseconds = 0
  readonly #clock: Clock

  constructor(options?: ProvidedLifeSpanCacheEntryBuilderOptions) {
    options = requireOptions('ProvidedLifeSpanCacheEntryBuilder', options)
    this.#clock =
      options.clock === undefined ? systemClock : requireMethods('clock', options.clock, ['now'])
    this.updateTimeouts(options.updateAfter ?? minutes(10), options.expireAfter ?? minutes(30))
  }

  get updateAfter(): Milliseconds {
    return this.#updateAfter
  }

  get expireAfter(): Milliseconds {
    return this.#expireAfter
  }

  /** Changes both delays for entries built from now on. */
  updateTimeouts(updateAfter: Milliseconds, expireAfter: Milliseconds): void {
    requireDuration('updateAfter', updateAfter)
    requireDuration('expireAfter', expireAfter)
    if (updateAfter > expireAfter)
      throw new InvalidConfigurationError(
        `updateAfter (${updateAfter} ms) must not be later than expireAfter (${expireAfter} ms)`,
      )
    this.#updateAfter = updateAfter
    this.#expireAfter = expireAfter
  }

  build<T>(_key: CacheKey, value: T, now: Timestamp = this.#clock.now()): CacheEntry<T> {
    return {
      created: now,
      updateAfter: now + this.#updateAfter,
      expiresAfter: now + this.#expireAfter,
      value,
    }
  }
}
export const ProvidedLifeSpanCacheEntryBuilder = callable(ProvidedLifeSpanCacheEntryBuilderImpl)
export type ProvidedLifeSpanCacheEntryBuilder = ProvidedLifeSpanCacheEntryBuilderImpl
