// settle(): resolves when every background refresh and release started so far (and what they
// started) has finished — what a serverless handler awaits before returning.
import {
  DefaultInMemoryCacheConfiguration,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
  cacheControl,
  cacheEntry,
  memoize,
  settle,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { deferred, track } from './support/harness'

function staleSetup() {
  const clock = new FakeClock()
  const configuration = DefaultInMemoryCacheConfiguration({
    clock,
    updateAfter: 100,
    expireAfter: 10_000,
  })
  return { clock, configuration }
}

describe('settle()', () => {
  it('resolves at once when nothing runs in the background', async () => {
    const settled = track(settle())
    await flushPromises(1)
    expect(settled.settled).toBe(true)
  })

  it('waits for a background refresh started by a stale read', async () => {
    // given a stale read whose background refresh is slow
    const { clock, configuration } = staleSetup()
    const gate = deferred<void>()
    let version = 0
    const get = memoize(
      async () => {
        if (++version > 1) await gate.promise
        return version
      },
      { configuration },
    )
    await get()
    clock.advance(100)
    expect(await get()).toBe(1)
    // when settle() is called
    const settled = track(settle())
    await flushPromises()
    // then it waits for the refresh
    expect(settled.settled).toBe(false)
    gate.resolve()
    await settled.promise
    expect(await get()).toBe(2)
  })

  it('waits for evictions started by a write', async () => {
    // A storage whose releases take a turn of the event loop to complete.
    class SlowReleases extends LocalInMemoryCacheStorage {
      override async release(key: string): Promise<void> {
        await new Promise((resolve) => setImmediate(resolve))
        return super.release(key)
      }
    }
    const storage = new SlowReleases()
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock: new FakeClock(), capacity: 1 }),
    ).setStorage(storage)
    const get = memoize(async (x: number) => x, { configuration })
    await get(1)
    await get(2)
    expect(storage.size).toBe(2) // the release is still under way
    await settle()
    expect(storage.size).toBe(1)
  })

  it('waits for work started by background work (an eviction chosen by a background refresh)', async () => {
    // given a stale entry whose background refresh will make the strategy release 'victim'
    const { clock } = staleSetup()
    const storage = new LocalInMemoryCacheStorage()
    await storage.offer('victim', cacheEntry(0, 0, Number.MAX_SAFE_INTEGER, 'old'))
    let writes = 0
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock, updateAfter: 100, expireAfter: 10_000 }),
    )
      .setStorage(storage)
      .setEvictionStrategy({
        markRead: () => {},
        markWritten: () => void writes++,
        markReleased: () => {},
        nextToRelease: () => (writes === 2 ? 'victim' : undefined),
      })
    const get = memoize(async (x: number) => x, { configuration })
    await get(1)
    clock.advance(100)
    await get(1)
    // when settle() resolves
    await settle()
    // then the release started by the background refresh is done too
    expect(writes).toBe(2)
    expect(await storage.get('victim')).toBeUndefined()
  })

  it('never rejects, even when background work failed', async () => {
    const { clock, configuration } = staleSetup()
    let calls = 0
    const get = memoize(
      async () => {
        if (++calls > 1) throw new Error('refresh failed')
        return 'v'
      },
      { configuration },
    )
    await get()
    clock.advance(100)
    await get()
    await expect(settle()).resolves.toBeUndefined()
  })

  it('per method, waits only for that method', async () => {
    const { clock, configuration } = staleSetup()
    const gate = deferred<void>()
    let slowCalls = 0
    const slow = memoize(
      async () => {
        if (++slowCalls > 1) await gate.promise
        return 'slow'
      },
      { configuration },
    )
    const fast = memoize(async () => 'fast', { configuration })
    await slow()
    await fast()
    clock.advance(100)
    await slow()
    await fast()
    await cacheControl(fast).settle()
    const slowSettled = track(cacheControl(slow).settle())
    const allSettled = track(settle())
    await flushPromises()
    expect(slowSettled.settled).toBe(false)
    expect(allSettled.settled).toBe(false)
    gate.resolve()
    await Promise.all([slowSettled.promise, allSettled.promise])
  })
})
