// py-memoize tests/unit/test_eviction.py, the eviction strategies, and the fix of the upstream
// "release skipped while being updated" leak (seed-semantics §1.4).
import {
  DefaultInMemoryCacheConfiguration,
  LeastRecentlyUpdatedEvictionStrategy,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
  NoEvictionStrategy,
  cacheControl,
  cacheEntry,
  memoize,
  settle,
  type CacheEntry,
  type CacheStorage,
  type EvictionStrategy,
} from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import { deferred } from './support/harness'

function mockStrategy(): jest.Mocked<EvictionStrategy> {
  return {
    markRead: jest.fn(),
    markWritten: jest.fn(),
    markReleased: jest.fn(),
    nextToRelease: jest.fn(() => undefined),
  }
}

function mockStorage(): jest.Mocked<CacheStorage> {
  return {
    get: jest.fn(async (_key: string): Promise<CacheEntry | undefined> => undefined),
    offer: jest.fn(async (_key: string, _entry: CacheEntry) => {}),
    release: jest.fn(async (_key: string) => {}),
  }
}

describe('the engine informs the eviction strategy (py-memoize test_eviction)', () => {
  let clock: FakeClock
  let strategy: jest.Mocked<EvictionStrategy>

  function memoized(options: { updateAfter?: number; storage?: CacheStorage } = {}) {
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({
        clock,
        updateAfter: options.updateAfter ?? 60_000,
        expireAfter: 120_000,
      }),
    )
      .setKeyExtractor({ formatKey: () => 'key' })
      .setEvictionStrategy(strategy)
    if (options.storage) configuration.setStorage(options.storage)
    return memoize(async (arg: string, _kwargs?: { kwarg?: string }) => arg, { configuration })
  }

  beforeEach(() => {
    clock = new FakeClock()
    strategy = mockStrategy()
  })

  it('reports a written entry once when an entry is added', async () => {
    const get = memoized()
    await get('test', { kwarg: 'args' })
    expect(strategy.markWritten).toHaveBeenCalledTimes(1)
    expect(strategy.markWritten).toHaveBeenCalledWith(
      'key',
      expect.objectContaining({ value: 'test' }),
    )
  })

  it('has not reported the background refresh yet when a stale call returns', async () => {
    // given an entry past its update time
    const get = memoized({ updateAfter: 100 })
    await get('test', { kwarg: 'args' })
    clock.advance(200)
    // when a second call returns the stale value
    await get('test', { kwarg: 'args' })
    // then the background refresh has not written yet
    expect(strategy.markWritten).toHaveBeenCalledTimes(1)
    await settle()
    expect(strategy.markWritten).toHaveBeenCalledTimes(2)
  })

  it('reports a read only when an entry was found (a miss is not a read)', async () => {
    const get = memoized()
    await get('test', { kwarg: 'args' })
    await get('test', { kwarg: 'args' })
    expect(strategy.markRead).toHaveBeenCalledTimes(1)
    expect(strategy.markRead).toHaveBeenCalledWith('key')
  })

  it('reports the released key after the release the strategy asked for', async () => {
    strategy.nextToRelease.mockReturnValueOnce('release-test')
    const get = memoized()
    await get('test', { kwarg: 'args' })
    await settle()
    expect(strategy.markReleased).toHaveBeenCalledTimes(1)
    expect(strategy.markReleased).toHaveBeenCalledWith('release-test')
  })

  it('asks for the next key to release and releases it from storage when an entry is added', async () => {
    strategy.nextToRelease.mockReturnValueOnce('release-test')
    const storage = mockStorage()
    const get = memoized({ storage })
    await get('test', { kwarg: 'args' })
    await settle()
    expect(strategy.nextToRelease).toHaveBeenCalledTimes(1)
    expect(storage.release).toHaveBeenCalledTimes(1)
    expect(storage.release).toHaveBeenCalledWith('release-test')
  })

  it('asks for the next key to release and releases it from storage when an entry is updated', async () => {
    // given a storage that always misses and a first call already made
    const storage = mockStorage()
    const get = memoized({ updateAfter: 50, storage })
    await get('test', { kwarg: 'args' })
    await settle()
    clock.advance(200)
    strategy.nextToRelease.mockReset()
    storage.release.mockClear()
    strategy.nextToRelease.mockReturnValueOnce('release-test')
    // when a second call refreshes
    await get('test', { kwarg: 'args' })
    await settle()
    // then one key is released
    expect(strategy.nextToRelease).toHaveBeenCalledTimes(1)
    expect(storage.release).toHaveBeenCalledTimes(1)
    expect(storage.release).toHaveBeenCalledWith('release-test')
  })
})

describe('LeastRecentlyUpdatedEvictionStrategy', () => {
  const entry = cacheEntry(0, 1, 2, 'v')

  it('releases nothing until more keys than its capacity are tracked', () => {
    const strategy = new LeastRecentlyUpdatedEvictionStrategy({ capacity: 2 })
    strategy.markWritten('a', entry)
    strategy.markWritten('b', entry)
    expect(strategy.nextToRelease()).toBeUndefined()
    strategy.markWritten('c', entry)
    expect(strategy.nextToRelease()).toBe('a')
    expect(strategy.nextToRelease()).toBeUndefined()
    expect(strategy.size).toBe(2)
  })

  it('orders keys by their last write, ignoring reads', () => {
    const strategy = LeastRecentlyUpdatedEvictionStrategy({ capacity: 2 })
    strategy.markWritten('a', entry)
    strategy.markWritten('b', entry)
    strategy.markRead('b')
    strategy.markWritten('a', entry) // a is now the most recently updated
    strategy.markRead('b')
    strategy.markWritten('c', entry)
    expect(strategy.nextToRelease()).toBe('b')
  })

  it('stops tracking a released key', () => {
    const strategy = new LeastRecentlyUpdatedEvictionStrategy({ capacity: 1 })
    strategy.markWritten('a', entry)
    strategy.markWritten('b', entry)
    strategy.markReleased('a')
    expect(strategy.nextToRelease()).toBeUndefined()
    expect(strategy.size).toBe(1)
  })

  it('NoEvictionStrategy never releases anything', () => {
    const strategy = NoEvictionStrategy()
    for (let i = 0; i < 10_000; i++) strategy.markWritten(`k${i}`, entry)
    expect(strategy.nextToRelease()).toBeUndefined()
  })
})

describe('a key chosen for eviction while it is being refreshed (upstream leak, fixed)', () => {
  /**
   * Capacity 1; key 'a' is cached, then refreshed in the background by a stale read and held
   * there; meanwhile 'b' is written, so the strategy picks 'a' for release. py-memoize skipped
   * that release and forgot the key: 'a' stayed in storage, untracked, for ever.
   */
  async function scenario(refreshOutcome: 'fails' | 'succeeds') {
    const clock = new FakeClock()
    const storage = new LocalInMemoryCacheStorage()
    const strategy = new LeastRecentlyUpdatedEvictionStrategy({ capacity: 1 })
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock, updateAfter: 100, expireAfter: 10_000 }),
    )
      .setStorage(storage)
      .setEvictionStrategy(strategy)
    const gate = deferred<void>()
    let refreshingA = false
    const load = memoize(
      async (key: string) => {
        if (key === 'a' && refreshingA) {
          await gate.promise
          if (refreshOutcome === 'fails') throw new Error('refresh of a failed')
          return 'a2'
        }
        return `${key}1`
      },
      { configuration },
    )
    // given 'a' cached and now being refreshed in the background
    expect(await load('a')).toBe('a1')
    clock.advance(200)
    refreshingA = true
    expect(await load('a')).toBe('a1')
    await new Promise((resolve) => setImmediate(resolve)) // the background refresh starts
    // when 'b' is written, making 'a' the key to release
    expect(await load('b')).toBe('b1')
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setImmediate(resolve))
    // and the refresh of 'a' ends
    gate.resolve()
    await settle()
    return { storage, strategy, load }
  }

  it('releases the key once its refresh fails', async () => {
    const { storage, strategy, load } = await scenario('fails')
    // then storage holds only 'b', which is the one key tracked
    expect(storage.size).toBe(1)
    expect([...storage.keys()][0]).toMatch(/"b"/)
    expect(strategy.size).toBe(1)
    expect(cacheControl(load).stats().evictions).toBe(1)
  })

  it('keeps the key when its refresh succeeds, and storage stays within capacity', async () => {
    const { storage, strategy } = await scenario('succeeds')
    // 'a' was written again, so 'b' became the least recently updated and was released
    expect(storage.size).toBe(1)
    expect([...storage.entries()][0]?.[1].value).toBe('a2')
    expect(strategy.size).toBe(1)
  })
})

describe('the capacity bound in a loop that never yields to the event loop', () => {
  it('keeps the storage within capacity through 2,000 awaited misses of a fast method', async () => {
    // Found by the reliability suite (reliability/test/core/bounded-maps.test.ts): releases
    // waited for the next turn of the event loop, so a loop of awaited misses that only ever
    // awaits resolved promises grew the storage to 2,000 entries with a capacity of 100.
    const storage = new LocalInMemoryCacheStorage()
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ capacity: 100 }),
    ).setStorage(storage)
    const square = memoize(async (x: number) => x * x, { configuration })
    let largest = 0
    for (let i = 0; i < 2_000; i++) {
      expect(await square(i)).toBe(i * i)
      largest = Math.max(largest, storage.size)
    }
    expect(largest).toBeLessThanOrEqual(101) // the newest entry, before its victim is released
    await settle()
    expect(storage.size).toBe(100)
    expect(cacheControl(square).stats().evictions).toBe(1_900)
  })
})
