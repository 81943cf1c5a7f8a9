// Hung methods (test plan A4): whatever hangs, the method timeout ends it and nothing is left
// behind — no refresh in flight (engine.refreshesInFlight), no update lock (InMemoryLocks.size),
// no timer (FakeClock.pendingTimers), and the hung promises themselves are garbage.
import {
  CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  InMemoryLocks,
  MethodTimeoutError,
  cacheControl,
  forceRefresh,
  invalidate,
  memoize,
  type Clock,
  type MemoizedMethod,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { collectUntil } from '../../../packages/core/test/support/gc'
import { unhandledRejections } from '../../../packages/core/test/support/harness'

const METHOD_TIMEOUT = 1_000

/** The real clock, counting its timers that are neither fired nor cleared. */
class CountingClock implements Clock {
  readonly #pending = new Set<ReturnType<typeof setTimeout>>()
  now(): number {
    return Date.now()
  }
  setTimer(callback: () => void, delay: number): unknown {
    const handle = setTimeout(() => {
      this.#pending.delete(handle)
      callback()
    }, delay)
    this.#pending.add(handle)
    return handle
  }
  clearTimer(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
    this.#pending.delete(handle as ReturnType<typeof setTimeout>)
  }
  get pendingTimers(): number {
    return this.#pending.size
  }
}

let unhandled: ReturnType<typeof unhandledRejections>
beforeEach(() => {
  unhandled = unhandledRejections()
})
afterEach(async () => {
  await flushPromises()
  unhandled.dispose()
  expect(unhandled.reasons).toEqual([])
})

/** A memoized function whose runs hang (or not), on a fake clock, with observable locks. */
function setup<C extends Clock & { readonly pendingTimers: number } = FakeClock>(
  options: { updateAfter?: number; expireAfter?: number; methodTimeout?: number; clock?: C } = {},
) {
  const { clock = new FakeClock() as Clock as C, ...lifetimes } = options
  const locks = new InMemoryLocks({ clock })
  const finalized = { count: 0 }
  const registry = new FinalizationRegistry(() => finalized.count++)
  let hang = true
  let runs = 0
  const fn = memoize(
    (key: number): Promise<string> => {
      runs++
      if (!hang) return Promise.resolve(`value ${key} #${runs}`)
      // Never settles; it holds 1 KB, and nothing but the engine's bookkeeping could keep it.
      const hung = new Promise<string>(() => {}).then(() => String(ballast.length))
      const ballast = new Uint8Array(1024)
      registry.register(hung, key)
      return hung
    },
    {
      configuration: DefaultInMemoryCacheConfiguration({
        clock,
        methodTimeout: METHOD_TIMEOUT,
        capacity: 100_000,
        ...lifetimes,
      }),
      updateStatuses: locks,
      name: 'hung.fn',
    },
  )
  const engine = cacheControl(fn) as MemoizedMethod
  return {
    clock,
    locks,
    fn,
    engine,
    finalized,
    runs: () => runs,
    setHang: (value: boolean) => (hang = value),
  }
}

function expectNothingPending(s: {
  engine: MemoizedMethod
  locks: InMemoryLocks
  clock: { readonly pendingTimers: number }
}): void {
  expect({
    refreshesInFlight: s.engine.refreshesInFlight,
    locks: s.locks.size,
    timers: s.clock.pendingTimers,
  }).toEqual({ refreshesInFlight: 0, locks: 0, timers: 0 })
}

describe('hung methods with a method timeout', () => {
  it('10,000 distinct keys × 3 callers: all time out, nothing left in flight, the hung promises are collected', async () => {
    // The real clock here: the fake clock's timer list is not made for 20,000 timers.
    const s = setup({ clock: new CountingClock(), methodTimeout: 1_500 })
    const calls = []
    for (let key = 0; key < 10_000; key++)
      for (let caller = 0; caller < 3; caller++) calls.push(s.fn(key).catch((e: unknown) => e))
    await flushPromises()
    expect(s.runs()).toBe(10_000) // one run per key: the other callers joined it
    expect(s.engine.refreshesInFlight).toBe(10_000)
    expect(s.locks.size).toBe(10_000)
    expect(s.clock.pendingTimers).toBe(20_000) // a method timeout and a lock timeout per key

    const errors = (await Promise.all(calls)) as CachedMethodFailedError[]
    expect(errors.every((e) => e instanceof CachedMethodFailedError)).toBe(true)
    expect(errors.every((e) => e.cause instanceof MethodTimeoutError)).toBe(true)
    expectNothingPending(s)
    // The engine holds no reference to a hung run once it timed out.
    expect(await collectUntil(() => s.finalized.count >= 9_990)).toBe(true)
  })

  it('a hung background refresh: the stale value is served, then the refresh ends, and a later read retries', async () => {
    const s = setup({ updateAfter: 100, expireAfter: 10_000 })
    s.setHang(false)
    expect(await s.fn(1)).toBe('value 1 #1')
    s.setHang(true)
    await s.clock.advanceAsync(100)
    expect(await s.fn(1)).toBe('value 1 #1') // stale, refresh started and hangs
    await flushPromises()
    expect(s.engine.refreshesInFlight).toBe(1)
    expect(await s.fn(1)).toBe('value 1 #1') // joins nothing new: one refresh at a time
    expect(s.runs()).toBe(2)
    await s.clock.advanceAsync(METHOD_TIMEOUT)
    await s.engine.settle()
    expectNothingPending(s)
    s.setHang(false)
    expect(await s.fn(1)).toBe('value 1 #1') // still stale: a new refresh starts
    await s.engine.settle()
    expect(await s.fn(1)).toBe('value 1 #3')
    expectNothingPending(s)
  })

  it('an invalidation during a hang frees the key at once; the hung run still times out cleanly', async () => {
    const s = setup()
    const first = s.fn(7).catch((e: unknown) => e)
    await flushPromises()
    expect(s.engine.refreshesInFlight).toBe(1)
    await invalidate(() => s.fn(7))
    expect(s.engine.refreshesInFlight).toBe(0)
    expect(s.locks.size).toBe(0)
    s.setHang(false)
    expect(await s.fn(7)).toBe('value 7 #2') // a fresh run, not the hung one
    await s.clock.advanceAsync(METHOD_TIMEOUT)
    expect(((await first) as CachedMethodFailedError).cause).toBeInstanceOf(MethodTimeoutError)
    expectNothingPending(s)
  })

  it('forced refreshes of a hung key do not pile up', async () => {
    const s = setup({ updateAfter: 100, expireAfter: 10_000 })
    s.setHang(false)
    await s.fn(3)
    s.setHang(true)
    const forced = Array.from({ length: 50 }, () =>
      forceRefresh(() => s.fn(3)).catch((e: unknown) => e),
    )
    await flushPromises()
    expect(s.runs()).toBe(2) // one forced refresh runs; the others got the current value
    expect(s.engine.refreshesInFlight).toBe(1)
    await s.clock.advanceAsync(METHOD_TIMEOUT)
    const outcomes = await Promise.all(forced)
    expect(outcomes.filter((o) => o === 'value 3 #1').length).toBe(49)
    expect((outcomes[0] as CachedMethodFailedError).cause).toBeInstanceOf(MethodTimeoutError)
    expectNothingPending(s)
  })
})
