// The method timeout: callers get 'Refresh timed out' caused by a MethodTimeoutError, the
// method sees the cancellation through methodSignal(), and its late result is never stored.
import {
  CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  MethodTimeoutError,
  MutableCacheConfiguration,
  type MemoizedMethod,
  cacheControl,
  memoize,
  methodSignal,
  settle,
  type CacheEvent,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { deferred, outcomes, sleep } from './support/harness'

describe('a memoized method outliving the method timeout', () => {
  let clock: FakeClock

  beforeEach(() => {
    clock = new FakeClock()
  })

  it("rejects the caller with 'Refresh timed out' caused by a MethodTimeoutError", async () => {
    const fetchRate = memoize(
      async function fetchRate(_ccy: string) {
        await sleep(clock, 1_000)
        return 1.1
      },
      { configuration: DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 250 }) },
    )
    const call = fetchRate('EUR').catch((e: unknown) => e)
    await clock.advanceAsync(249)
    await clock.advanceAsync(1)
    const error = (await call) as CachedMethodFailedError
    expect(error).toBeInstanceOf(CachedMethodFailedError)
    expect(error.message).toBe('Refresh timed out')
    expect(error.code).toBe('E_CACHED_METHOD_FAILED')
    expect(error.method).toBe('fetchRate')
    const cause = error.cause as MethodTimeoutError
    expect(cause).toBeInstanceOf(MethodTimeoutError)
    expect(cause.timeout).toBe(250)
    expect(cause.message).toBe('fetchRate did not complete within 250 ms')
  })

  it('does not time out a method finishing just in time, and leaves no timer behind', async () => {
    const get = memoize(
      async () => {
        await sleep(clock, 250)
        return 'in time'
      },
      { configuration: DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 251 }) },
    )
    const call = get()
    await clock.advanceAsync(250)
    expect(await call).toBe('in time')
    expect(clock.pendingTimers).toBe(0) // the method timer and the lock timer are cleared
  })

  it('aborts the signal the method sees through methodSignal()', async () => {
    // given a method passing its signal on, as it would to fetch()
    let signal: AbortSignal | undefined
    const get = memoize(
      async () => {
        signal = methodSignal()
        await sleep(clock, 1_000)
        return signal.aborted ? 'saw the abort' : 'never aborted'
      },
      { configuration: DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 100 }) },
    )
    const call = get().catch((e: unknown) => e)
    await flushPromises()
    expect(signal?.aborted).toBe(false)
    // when the timeout fires
    await clock.advanceAsync(100)
    // then the method's signal is aborted with the timeout as reason
    expect(signal?.aborted).toBe(true)
    expect(signal?.reason).toBeInstanceOf(MethodTimeoutError)
    expect(await call).toBeInstanceOf(CachedMethodFailedError)
  })

  it("rejects every waiter with 'Concurrent refresh failed to complete' caused by the timeout", async () => {
    const get = memoize(
      async () => {
        await sleep(clock, 1_000)
        return 1
      },
      { configuration: DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 100 }) },
    )
    const calls = outcomes([get(), get(), get()])
    await clock.advanceAsync(100)
    const errors = (await calls) as CachedMethodFailedError[]
    expect(errors.map((e) => e.message)).toEqual([
      'Refresh timed out',
      'Concurrent refresh failed to complete',
      'Concurrent refresh failed to complete',
    ])
    expect(errors.every((e) => e.cause === errors[0]!.cause)).toBe(true)
    expect(errors[0]!.cause).toBeInstanceOf(MethodTimeoutError)
  })

  it('never stores a result arriving after the timeout, even when nothing newer exists', async () => {
    // given a first run that times out and resolves later
    const late = deferred<string>()
    let runs = 0
    const get = memoize(
      async () => {
        runs++
        return runs === 1 ? late.promise : `run ${runs}`
      },
      { configuration: DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 100 }) },
    )
    const first = get().catch((e: unknown) => e)
    await clock.advanceAsync(100)
    expect(await first).toBeInstanceOf(CachedMethodFailedError)
    // when its result finally arrives
    late.resolve('late result')
    await flushPromises()
    // then it was dropped: the next call runs the method again
    expect(await get()).toBe('run 2')
    expect(runs).toBe(2)
  })

  it('never lets a late result overwrite a newer value', async () => {
    const late = deferred<string>()
    let runs = 0
    const get = memoize(
      async () => {
        runs++
        return runs === 1 ? late.promise : 'newer'
      },
      { configuration: DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 100 }) },
    )
    const first = get().catch((e: unknown) => e)
    await clock.advanceAsync(100)
    await first
    expect(await get()).toBe('newer')
    late.resolve('older, arriving late')
    await flushPromises()
    expect(await get()).toBe('newer')
  })

  it('keeps the stale entry when a background refresh times out', async () => {
    const configuration = DefaultInMemoryCacheConfiguration({
      clock,
      methodTimeout: 100,
      updateAfter: 1_000,
      expireAfter: 10_000,
    })
    let runs = 0
    const get = memoize(
      async () => {
        if (++runs === 1) return 'first'
        await sleep(clock, 5_000)
        return 'slow'
      },
      { configuration },
    )
    expect(await get()).toBe('first')
    await clock.advanceAsync(1_000)
    expect(await get()).toBe('first') // stale; the background refresh starts
    await clock.advanceAsync(100) // and times out
    await settle()
    expect(await get()).toBe('first')
    expect(cacheControl(get).stats()).toMatchObject({ timeouts: 1, refreshFailures: 1 })
  })

  it("counts the timeout and emits a 'timeout' event", async () => {
    const get = memoize(
      async () => {
        await sleep(clock, 1_000)
      },
      { configuration: DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 100 }) },
    )
    const events: CacheEvent[] = []
    cacheControl(get).on((event) => events.push(event))
    const call = get().catch(() => {})
    await clock.advanceAsync(100)
    await call
    expect(events.map((e) => e.type)).toEqual(['miss', 'timeout'])
    expect(events[1]!.error).toBeInstanceOf(MethodTimeoutError)
    expect(events[1]!.duration).toBe(100)
    expect(cacheControl(get).stats()).toMatchObject({ timeouts: 1, refreshFailures: 1 })
  })

  it('sets no method timer with an infinite method timeout', async () => {
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock }),
    ).setMethodTimeout(Infinity)
    const gate = deferred<number>()
    const get = memoize(async () => gate.promise, { configuration })
    const call = get()
    await flushPromises()
    expect(clock.pendingTimers).toBe(1) // only the update lock's timer
    await clock.advanceAsync(24 * 3_600_000)
    gate.resolve(1)
    expect(await call).toBe(1)
  })

  it('leaves no refresh in flight and no timer behind once a hung backend timed out on many keys', async () => {
    // given a backend that never answers
    const get = memoize(async (_key: number) => new Promise<never>(() => {}), {
      configuration: DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 1_000 }),
    })
    const calls = outcomes(Array.from({ length: 1_000 }, (_, key) => get(key)))
    await flushPromises()
    const engine = cacheControl(get) as MemoizedMethod
    expect(engine.refreshesInFlight).toBe(1_000)
    // when the method timeout passes
    await clock.advanceAsync(1_000)
    // then every caller was rejected and nothing is left in flight
    const errors = await calls
    expect(errors.every((e) => e instanceof CachedMethodFailedError)).toBe(true)
    expect(engine.refreshesInFlight).toBe(0)
    expect(clock.pendingTimers).toBe(0)
  })
})
