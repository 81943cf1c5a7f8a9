// forceRefresh(() => call): py-memoize's `force_refresh_memoized=True`, sequential and
// concurrent.
import {
  CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  MemoizeUsageError,
  forceRefresh,
  memoize,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { deferred, type Deferred } from './support/harness'

function setup() {
  const clock = new FakeClock()
  const gates: Array<Deferred<void> | undefined> = []
  let runs = 0
  const get = memoize(
    async (_id: number) => {
      const run = ++runs
      await gates[run]?.promise
      return `run ${run}`
    },
    {
      configuration: DefaultInMemoryCacheConfiguration({
        clock,
        updateAfter: 1_000,
        expireAfter: 2_000,
      }),
    },
  )
  const hold = (run: number): Deferred<void> => (gates[run] = deferred<void>())
  return { clock, get, hold, runs: () => runs }
}

describe('forceRefresh()', () => {
  it('runs the method again although the entry is fresh, and stores the new value', async () => {
    const { get, runs } = setup()
    expect(await get(1)).toBe('run 1')
    expect(await forceRefresh(() => get(1))).toBe('run 2')
    expect(await get(1)).toBe('run 2')
    expect(runs()).toBe(2)
  })

  it('forces only the call made inside it', async () => {
    const { get } = setup()
    await get(1)
    const [forced, plain] = await Promise.all([forceRefresh(() => get(1)), get(1)])
    expect(forced).toBe('run 2')
    expect(plain).toBe('run 1') // a hit, served while the forced refresh ran
  })

  it('returns the current value at once when a refresh of the key is already running', async () => {
    // given a forced refresh in flight
    const { get, hold, runs } = setup()
    await get(1)
    const gate = hold(2)
    const first = forceRefresh(() => get(1))
    await flushPromises()
    // when a second forced call arrives
    const second = await forceRefresh(() => get(1))
    // then it gets the current value without starting another refresh
    expect(second).toBe('run 1')
    expect(runs()).toBe(2)
    gate.resolve()
    expect(await first).toBe('run 2')
  })

  it('runs a blocking refresh when there is no entry, joined by concurrent callers', async () => {
    const { get, hold, runs } = setup()
    const gate = hold(1)
    const calls = Promise.all([forceRefresh(() => get(1)), get(1), forceRefresh(() => get(1))])
    await flushPromises()
    gate.resolve()
    expect(await calls).toEqual(['run 1', 'run 1', 'run 1'])
    expect(runs()).toBe(1)
  })

  it('never returns an expired value, even while another refresh runs', async () => {
    const { clock, get, hold } = setup()
    await get(1)
    clock.advance(2_000)
    const gate = hold(2)
    const blocking = get(1)
    await flushPromises()
    const forced = forceRefresh(() => get(1))
    await flushPromises()
    gate.resolve()
    expect(await Promise.all([blocking, forced])).toEqual(['run 2', 'run 2'])
  })

  it('keeps the entry when the forced refresh fails, and rejects the caller', async () => {
    let failing = false
    const get = memoize(async () => {
      if (failing) throw new Error('down')
      return 'kept'
    })
    await get()
    failing = true
    const error = await forceRefresh(() => get()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CachedMethodFailedError)
    expect((error as Error).message).toBe('Refresh failed to complete')
    expect(await get()).toBe('kept')
  })

  it('does not force the calls the memoized method itself makes', async () => {
    let innerRuns = 0
    const inner = memoize(async () => ++innerRuns)
    let outerRuns = 0
    const outer = memoize(async () => `${++outerRuns}/${await inner()}`)
    expect(await outer()).toBe('1/1')
    expect(await forceRefresh(() => outer())).toBe('2/1')
  })

  it('refuses a function that makes no memoized call', () => {
    expect(() => forceRefresh(() => Promise.resolve(1))).toThrow(MemoizeUsageError)
    expect(() => forceRefresh(5 as never)).toThrow(MemoizeUsageError)
  })
})
