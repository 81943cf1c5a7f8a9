// A hot key past its refresh time under a steady stream of calls: no caller ever waits, and
// exactly one background refresh runs per refresh period (reliability test plan A6).
import { DefaultInMemoryCacheConfiguration, cacheControl, memoize, settle } from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { sleep, track } from './support/harness'

describe('a hot key', () => {
  it('serves every call of a steady stream at once, with one background refresh per period', async () => {
    // given a value refreshed after 1 s, expiring after 1 min, that takes 300 ms to compute
    const clock = new FakeClock()
    const configuration = DefaultInMemoryCacheConfiguration({
      clock,
      updateAfter: 1_000,
      expireAfter: 60_000,
    })
    const t0 = clock.now()
    const started: number[] = []
    const get = memoize(
      async (_key: string) => {
        started.push(clock.now() - t0)
        await sleep(clock, 300)
        return `computed at ${started.at(-1)}`
      },
      { configuration },
    )
    const first = get('hot')
    await clock.advanceAsync(300)
    expect(await first).toBe('computed at 0')

    // when a call arrives every 10 ms for 5 s
    const values = new Set<unknown>()
    for (let t = 0; t < 5_000; t += 10) {
      const call = track(get('hot'))
      await flushPromises(1)
      // then it resolved without the clock moving: nobody waited for a refresh
      expect(call.settled).toBe(true)
      values.add(await call.promise)
      await clock.advanceAsync(10)
    }

    // and refreshes started once per refresh period (1 s after the previous one completed)
    expect(started).toEqual([0, 1_300, 2_600, 3_900, 5_200])
    expect([...values]).toEqual([
      'computed at 0',
      'computed at 1300',
      'computed at 2600',
      'computed at 3900',
    ])
    const stats = cacheControl(get).stats()
    expect(stats.misses).toBe(1)
    expect(stats.hits + stats.staleHits).toBe(500)
    expect(stats.refreshes).toBe(4) // the refresh started at 5200 is still running
    await clock.advanceAsync(300)
    await settle()
    expect(cacheControl(get).stats().refreshes).toBe(5)
  })

  it('serves 100 concurrent stale reads the old value with exactly one refresh (incrementing loader)', async () => {
    const clock = new FakeClock()
    let loads = 0
    const get = memoize(async () => ++loads, {
      configuration: DefaultInMemoryCacheConfiguration({
        clock,
        updateAfter: 100,
        expireAfter: 10_000,
      }),
    })
    expect(await get()).toBe(1)
    clock.advance(100)
    const results = await Promise.all(Array.from({ length: 100 }, () => get()))
    expect(new Set(results)).toEqual(new Set([1]))
    await settle()
    expect(loads).toBe(2)
    expect(await get()).toBe(loads) // the refreshed value is the one served, none discarded
  })
})
