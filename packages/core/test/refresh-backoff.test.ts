// refreshBackoff: after a background refresh fails, stale calls keep the old value without
// starting another refresh until the backoff has passed — a failing backend is retried at most
// once per backoff window per key, not at the rate of calls (notes/reliability.md A9).
import {
  DefaultInMemoryCacheConfiguration,
  InvalidConfigurationError,
  MutableCacheConfiguration,
  cacheControl,
  forceRefresh,
  invalidate,
  memoize,
  settle,
} from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import { unhandledRejections } from './support/harness'

function failingSource(refreshBackoff: number | undefined) {
  const clock = new FakeClock(0)
  let failing = false
  const attempts: number[] = []
  const get = memoize(
    async (id: string) => {
      attempts.push(clock.now())
      if (failing) throw new Error(`backend down (${id})`)
      return `${id}@${clock.now()}`
    },
    {
      configuration: DefaultInMemoryCacheConfiguration({
        clock,
        updateAfter: 100,
        expireAfter: 60_000,
        refreshBackoff,
      }),
    },
  )
  return {
    get,
    clock,
    attempts,
    fail: (value: boolean) => (failing = value),
  }
}

describe('refreshBackoff', () => {
  it('starts at most one background refresh per backoff window while the backend fails', async () => {
    const unhandled = unhandledRejections()
    const { get, clock, attempts, fail } = failingSource(1_000)
    expect(await get('a')).toBe('a@0')
    clock.advance(100)
    fail(true)
    // 10,000 stale reads over 10 s of fake time, one every millisecond
    for (let i = 0; i < 10_000; i++) {
      expect(await get('a')).toBe('a@0')
      if (i % 100 === 0) await settle()
      clock.advance(1)
    }
    await settle()
    // the first stale read tries at once; then one attempt per 1 s window
    const refreshes = attempts.slice(1)
    expect(refreshes).toHaveLength(10)
    for (let i = 1; i < refreshes.length; i++)
      expect(refreshes[i]! - refreshes[i - 1]!).toBeGreaterThanOrEqual(1_000)
    const stats = cacheControl(get).stats()
    expect(stats).toMatchObject({ staleHits: 10_000, refreshFailures: 10 })
    expect(stats.deferredRefreshes).toBe(10_000 - 10)
    unhandled.dispose()
    expect(unhandled.reasons).toEqual([])
  })

  it('retries on every stale call by default (py-memoize behaviour)', async () => {
    const { get, clock, attempts, fail } = failingSource(undefined)
    await get('a')
    clock.advance(100)
    fail(true)
    for (let i = 0; i < 5; i++) {
      expect(await get('a')).toBe('a@0')
      await settle()
    }
    expect(attempts).toHaveLength(6)
    expect(cacheControl(get).stats().deferredRefreshes).toBe(0)
  })

  it('is per key: another stale key still refreshes', async () => {
    const { get, clock, attempts, fail } = failingSource(1_000)
    await get('a')
    await get('b')
    clock.advance(100)
    fail(true)
    await get('a')
    await settle()
    await get('a') // backing off
    fail(false)
    expect(await get('b')).toBe('b@0') // stale, refresh starts
    await settle()
    expect(await get('b')).toBe('b@100')
    expect(attempts).toEqual([0, 0, 100, 100])
  })

  it('ends after a success, and is cleared by an invalidation and ignored by forceRefresh', async () => {
    const { get, clock, attempts, fail } = failingSource(10_000)
    await get('a')
    clock.advance(100)
    fail(true)
    await get('a')
    await settle()
    expect(attempts).toHaveLength(2)
    fail(false)
    // a forced refresh is the caller's explicit request: it runs during the backoff
    expect(await forceRefresh(() => get('a'))).toBe('a@100')
    clock.advance(100)
    fail(true)
    await get('a') // stale again: the success ended the backoff, so it refreshes (and fails)
    await settle()
    expect(attempts).toHaveLength(4)
    await get('a') // backing off now
    await settle()
    expect(attempts).toHaveLength(4)
    await invalidate(() => get('a'))
    fail(false)
    expect(await get('a')).toBe('a@200') // a miss after the invalidation: computed at once
    clock.advance(100)
    fail(true)
    await get('a') // stale: the invalidation cleared the backoff, so it refreshes at once
    await settle()
    expect(attempts).toHaveLength(6)
  })

  it('does not delay the refresh a miss needs: an expired entry is recomputed on demand', async () => {
    const { get, clock, attempts, fail } = failingSource(100_000)
    await get('a')
    clock.advance(100)
    fail(true)
    await get('a')
    await settle()
    clock.advance(60_000) // expired
    fail(false)
    expect(await get('a')).toBe('a@60100')
    expect(attempts).toHaveLength(3)
  })

  it('is validated and can be changed on a mutable configuration', () => {
    expect(() => DefaultInMemoryCacheConfiguration({ refreshBackoff: -1 })).toThrow(
      InvalidConfigurationError,
    )
    expect(() => DefaultInMemoryCacheConfiguration({ refreshBackoff: NaN })).toThrow(
      /refreshBackoff must be a non-negative number of milliseconds/,
    )
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ refreshBackoff: 500 }),
    )
    expect(configuration.refreshBackoff()).toBe(500)
    expect(configuration.setRefreshBackoff(0).snapshot().refreshBackoff).toBe(0)
  })
})
