// MemoryCacheStorage under core's engine, configured with the one-line preset.
import {
  MutableCacheConfiguration,
  NoEvictionStrategy,
  cacheControl,
  memoize,
  settle,
  type CacheEvent,
} from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import {
  DataTooLargeError,
  MemoryCacheConfiguration,
  MemoryCacheStorage,
  memoryCacheConfiguration,
} from '@memokit/memory'

const SECOND = 1000

function counted<A extends unknown[], R>(compute: (...args: A) => R) {
  const calls: A[] = []
  const fn = async (...args: A): Promise<R> => {
    calls.push(args)
    return compute(...args)
  }
  return { fn, calls }
}

describe('memoize() with memoryCacheConfiguration', () => {
  it('builds a MutableCacheConfiguration over a MemoryCacheStorage with no eviction strategy', () => {
    const configuration = memoryCacheConfiguration({ maxSizeBytes: '64M', maxItems: 10 })
    expect(configuration).toBeInstanceOf(MutableCacheConfiguration)
    expect(configuration).toBeInstanceOf(MemoryCacheConfiguration)
    expect(configuration.storage()).toBe(configuration.memoryStorage)
    expect(configuration.memoryStorage).toBeInstanceOf(MemoryCacheStorage)
    expect(configuration.memoryStorage.maxSizeBytes).toBe(64 * 1024 * 1024)
    expect(configuration.memoryStorage.maxItems).toBe(10)
    expect(configuration.evictionStrategy()).toBeInstanceOf(NoEvictionStrategy)
    expect(MemoryCacheConfiguration({ maxItems: 1 })).toBeInstanceOf(MemoryCacheConfiguration)
    configuration.memoryStorage.close()
  })

  it('serves hits from memory', async () => {
    const clock = new FakeClock()
    const { fn, calls } = counted((id: number) => ({ id, name: `user ${id}` }))
    const cached = memoize(fn, {
      configuration: memoryCacheConfiguration({ clock, maxSizeBytes: '1M' }),
    })
    const first = await cached(1)
    expect(await cached(1)).toBe(first)
    expect(await cached(2)).toEqual({ id: 2, name: 'user 2' })
    expect(calls).toEqual([[1], [2]])
    expect(cacheControl(cached).stats()).toMatchObject({ hits: 1, misses: 2 })
  })

  it('serves a stale value while one background refresh runs, then the new value', async () => {
    const clock = new FakeClock()
    let version = 0
    const { fn, calls } = counted(() => ++version)
    const configuration = memoryCacheConfiguration({
      clock,
      updateAfter: 10 * SECOND,
      expireAfter: 60 * SECOND,
    })
    const cached = memoize(fn, { configuration })
    expect(await cached()).toBe(1)
    clock.advance(11 * SECOND)
    expect(await Promise.all([cached(), cached(), cached()])).toEqual([1, 1, 1])
    await settle()
    expect(calls).toHaveLength(2)
    expect(await cached()).toBe(2)
    expect(cacheControl(cached).stats()).toMatchObject({ staleHits: 3, refreshes: 2 })
  })

  it('drops an expired entry from memory and computes again', async () => {
    const clock = new FakeClock()
    let version = 0
    const { fn, calls } = counted(() => ++version)
    const configuration = memoryCacheConfiguration({
      clock,
      updateAfter: 10 * SECOND,
      expireAfter: 30 * SECOND,
      purgeInterval: 5 * SECOND,
    })
    const cached = memoize(fn, { configuration })
    expect(await cached()).toBe(1)
    clock.advance(30 * SECOND)
    expect(configuration.memoryStorage.size).toBe(0) // physically gone, by the purge timer
    expect(await cached()).toBe(2)
    expect(calls).toHaveLength(2)
  })

  it('evicts least recently used results to stay within a byte budget', async () => {
    const clock = new FakeClock()
    const { fn, calls } = counted((id: number) => `${id}:`.padEnd(10_000, '.'))
    const configuration = memoryCacheConfiguration({ clock, maxSizeBytes: '32K' })
    const cached = memoize(fn, { configuration })
    for (let id = 0; id < 10; id++) await cached(id)
    const storage = configuration.memoryStorage
    expect(storage.byteSize).toBeLessThanOrEqual(32 * 1024)
    expect(storage.size).toBe(3)
    await cached(9) // still cached
    await cached(0) // evicted long ago: computed again
    expect(calls).toHaveLength(11)
    expect(calls.at(-1)).toEqual([0])
    expect(storage.size).toBe(3)
  })

  it('returns a value too large for the whole budget to the caller, uncached', async () => {
    const clock = new FakeClock()
    const events: CacheEvent[] = []
    const { fn, calls } = counted((size: number) => 'x'.repeat(size))
    const configuration = memoryCacheConfiguration({ clock, maxSizeBytes: '16K' })
    const cached = memoize(fn, { configuration })
    cacheControl(cached).on((event) => events.push(event))
    await cached(100)
    expect(await cached(100_000)).toHaveLength(100_000)
    expect(await cached(100_000)).toHaveLength(100_000)
    expect(calls).toEqual([[100], [100_000], [100_000]])
    expect(configuration.memoryStorage.size).toBe(1) // the small result stayed
    const errors = events.filter((event) => event.type === 'error')
    expect(errors).toHaveLength(2)
    expect(errors[0]?.source).toBe('storage.offer')
    expect(errors[0]?.error).toBeInstanceOf(DataTooLargeError)
    expect(cacheControl(cached).stats().errors).toBe(2)
  })

  it('works as a decorator configuration, one cache per method', async () => {
    const clock = new FakeClock()
    const configuration = memoryCacheConfiguration({
      clock,
      maxSizeBytes: '1M',
      updateAfter: SECOND,
      expireAfter: 5 * SECOND,
    })
    let loads = 0
    class Catalog {
      @memoize({ configuration })
      async product(id: string): Promise<{ id: string; loads: number }> {
        return { id, loads: ++loads }
      }

      @memoize({ configuration })
      async price(id: string): Promise<number> {
        return id.length * 100
      }
    }
    const catalog = new Catalog()
    expect(await catalog.product('p1')).toEqual({ id: 'p1', loads: 1 })
    expect(await catalog.product('p1')).toEqual({ id: 'p1', loads: 1 })
    expect(await catalog.price('p1')).toBe(200)
    expect(configuration.memoryStorage.size).toBe(2)
    clock.advance(5 * SECOND)
    expect(await catalog.product('p1')).toEqual({ id: 'p1', loads: 2 })
  })

  it('keeps hits hot: a hit through the engine makes the entry most recently used', async () => {
    const clock = new FakeClock()
    const { fn, calls } = counted((id: number) => `${id}:`.padEnd(10_000, '.'))
    const configuration = memoryCacheConfiguration({ clock, maxSizeBytes: '32K' })
    const cached = memoize(fn, { configuration })
    await cached(1)
    await cached(2)
    await cached(3)
    await cached(1) // a hit: 1 becomes the most recently used
    await cached(4) // room for three: evicts 2, the least recently used
    expect(calls).toHaveLength(4)
    await Promise.all([cached(1), cached(3), cached(4)])
    expect(calls).toHaveLength(4) // all hits
    await cached(2)
    expect(calls).toHaveLength(5)
    expect(calls.at(-1)).toEqual([2])
  })
})
