// The scenarios of py-memoize's tests/end2end/test_wrapper.py (decorated) and
// test_wrapper_manually_applied.py (function form), on a fake clock. Python's
// `get_value(arg, kwarg=None)` becomes `getValue(arg, { kwarg })`.
import {
  CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  LocalInMemoryCacheStorage,
  MethodTimeoutError,
  MutableCacheConfiguration,
  NotConfiguredCacheCalledError,
  memoize,
  settle,
  type MemoizeOptions,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { outcomes, sleep } from './harness'

export type Form = 'decorated' | 'function'
export type Mode = 'concurrent' | 'sequential'
type Kwargs = { kwarg?: string }
type GetValue = (arg: string, options?: Kwargs) => Promise<number>

/** `get_value` memoized as a decorated method or as a function. */
export function memoizedGetValue(form: Form, options: MemoizeOptions, impl: GetValue): GetValue {
  if (form === 'function')
    return memoize(async function getValue(arg: string, kwargs?: Kwargs): Promise<number> {
      return impl(arg, kwargs)
    }, options)
  class Service {
    @memoize(options)
    async getValue(arg: string, kwargs?: Kwargs): Promise<number> {
      return impl(arg, kwargs)
    }
  }
  const service = new Service()
  return (arg, kwargs) => service.getValue(arg, kwargs)
}

/**
 * Three calls, truly concurrent (JS promises start eagerly) or one after another (what
 * Python's "concurrent" tests really did, its coroutines being lazy).
 */
export async function threeCalls(mode: Mode, call: () => Promise<unknown>): Promise<unknown[]> {
  if (mode === 'concurrent') return outcomes([call(), call(), call()])
  const results: unknown[] = []
  for (let i = 0; i < 3; i++) results.push(await call().catch((error: unknown) => error))
  return results
}

function failure(error: unknown): CachedMethodFailedError {
  expect(error).toBeInstanceOf(CachedMethodFailedError)
  return error as CachedMethodFailedError
}

/** The messages three failing callers get in each mode. */
function expectedMessages(mode: Mode, first: string): string[] {
  return mode === 'sequential'
    ? [first, first, first]
    : [first, 'Concurrent refresh failed to complete', 'Concurrent refresh failed to complete']
}

export function describeWrapperScenarios(form: Form): void {
  let clock: FakeClock
  let value: number
  let executions: number
  const counting: GetValue = async () => {
    executions++
    return value
  }

  beforeEach(() => {
    clock = new FakeClock()
    value = 0
    executions = 0
  })

  const withLifetimes = (updateAfter: number, expireAfter: number): MemoizeOptions => ({
    configuration: DefaultInMemoryCacheConfiguration({ clock, updateAfter, expireAfter }),
  })

  describe.each<Mode>(['concurrent', 'sequential'])('with three %s callers', (mode) => {
    it('returns the cached value while the update time is not reached', async () => {
      // given an entry that needs no refresh for a minute
      const getValue = memoizedGetValue(form, withLifetimes(60_000, 120_000), counting)
      expect(await getValue('test', { kwarg: 'args' })).toBe(0)
      // when 200 ms pass and the source changes
      clock.advance(200)
      value = 1
      // then every caller still gets the cached value
      expect(await threeCalls(mode, () => getValue('test', { kwarg: 'args' }))).toEqual([0, 0, 0])
      expect(executions).toBe(1)
    })

    it('returns the updated value once the expiration time is reached', async () => {
      // given an entry expiring after 100 ms
      const getValue = memoizedGetValue(form, withLifetimes(50, 100), counting)
      expect(await getValue('test', { kwarg: 'args' })).toBe(0)
      // when it expired and the source changed
      clock.advance(200)
      value = 1
      // then the callers wait for one refresh and all get the new value
      expect(await threeCalls(mode, () => getValue('test', { kwarg: 'args' }))).toEqual([1, 1, 1])
      expect(executions).toBe(2)
    })

    it('returns the current value on the first call after the update time but before expiration', async () => {
      // given an entry to refresh after 100 ms, expiring after 5 minutes
      const getValue = memoizedGetValue(form, withLifetimes(100, 300_000), counting)
      expect(await getValue('test', { kwarg: 'args' })).toBe(0)
      // when the update time passed and the source changed
      clock.advance(200)
      value = 1
      // then callers get the stale value at once, and one background refresh is started
      expect(await threeCalls(mode, () => getValue('test', { kwarg: 'args' }))).toEqual([0, 0, 0])
      await settle()
      expect(executions).toBe(2)
    })

    it('returns the updated value on the calls after the background refresh finished', async () => {
      // given a stale entry whose background refresh was started by one call
      const getValue = memoizedGetValue(form, withLifetimes(100, 300_000), counting)
      expect(await getValue('test', { kwarg: 'args' })).toBe(0)
      clock.advance(200)
      value = 1
      expect(await getValue('test', { kwarg: 'args' })).toBe(0)
      // when the background work finished
      await settle()
      // then callers get the refreshed value
      expect(await threeCalls(mode, () => getValue('test', { kwarg: 'args' }))).toEqual([1, 1, 1])
      expect(executions).toBe(2)
    })

    it('rejects every caller when the method throws, never caching the failure', async () => {
      const stub = new Error('stub0')
      const getValue = memoizedGetValue(form, withLifetimes(60_000, 120_000), async () => {
        executions++
        await flushPromises(1)
        throw stub
      })
      const errors = await threeCalls(mode, () => getValue('test', { kwarg: 'args' }))
      expect(errors.map((e) => failure(e).message)).toEqual(
        expectedMessages(mode, 'Refresh failed to complete'),
      )
      for (const error of errors) expect(failure(error).cause).toBe(stub)
      // sequential callers each run the method again: failures are never cached
      expect(executions).toBe(mode === 'sequential' ? 3 : 1)
    })

    it('rejects every caller with the cancellation as cause when the method is cancelled', async () => {
      const getValue = memoizedGetValue(form, withLifetimes(60_000, 120_000), async () => {
        executions++
        // the method awaits an operation that was already cancelled
        AbortSignal.abort().throwIfAborted()
        return 0
      })
      const errors = await threeCalls(mode, () => getValue('test', { kwarg: 'args' }))
      expect(errors.map((e) => failure(e).message)).toEqual(
        expectedMessages(mode, 'Refresh failed to complete'),
      )
      for (const error of errors)
        expect((failure(error).cause as DOMException).name).toBe('AbortError')
      expect(executions).toBe(mode === 'sequential' ? 3 : 1)
    })

    it('rejects every caller with a timeout when the method outlives the method timeout', async () => {
      // given a 1 ms method timeout and a method taking 200 ms
      const getValue = memoizedGetValue(
        form,
        { configuration: DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 1 }) },
        async () => {
          executions++
          await sleep(clock, 200)
          return 0
        },
      )
      let errors: unknown[]
      if (mode === 'concurrent') {
        const calls = outcomes([1, 2, 3].map(() => getValue('test', { kwarg: 'args' })))
        await clock.advanceAsync(1)
        errors = await calls
      } else {
        errors = []
        for (let i = 0; i < 3; i++) {
          const call = getValue('test', { kwarg: 'args' }).catch((error: unknown) => error)
          await clock.advanceAsync(1)
          errors.push(await call)
        }
      }
      expect(errors.map((e) => failure(e).message)).toEqual(
        expectedMessages(mode, 'Refresh timed out'),
      )
      for (const error of errors) expect(failure(error).cause).toBeInstanceOf(MethodTimeoutError)
      expect(executions).toBe(mode === 'sequential' ? 3 : 1)
    })
  })

  it('returns different values for different arguments with the default key', async () => {
    const getValue = memoizedGetValue(form, withLifetimes(60_000, 120_000), counting)
    expect(await getValue('test1', { kwarg: 'args' })).toBe(0)
    value = 1
    expect(await getValue('test2', { kwarg: 'args' })).toBe(1)
  })

  it('returns different values for different options objects with the default key', async () => {
    const getValue = memoizedGetValue(form, withLifetimes(60_000, 120_000), counting)
    expect(await getValue('test', { kwarg: 'args1' })).toBe(0)
    value = 1
    expect(await getValue('test', { kwarg: 'args2' })).toBe(1)
  })

  it('returns the same value for a key extractor giving a constant key', async () => {
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock }),
    ).setKeyExtractor({ formatKey: () => 'lol' })
    const getValue = memoizedGetValue(form, { configuration }, counting)
    expect(await getValue('test1', { kwarg: 'args1' })).toBe(0)
    value = 1
    expect(await getValue('test2', { kwarg: 'args2' })).toBe(0)
  })

  it('releases the least recently updated keys when caching more elements than the capacity', async () => {
    // given a capacity of 2 and readable keys
    const storage = new LocalInMemoryCacheStorage()
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock, capacity: 2 }),
    )
      .setStorage(storage)
      .setKeyExtractor({
        formatKey: (_method, args) => `${String(args[0])}-${(args[1] as Kwargs).kwarg}`,
      })
    const getValue = memoizedGetValue(form, { configuration }, counting)
    // when four distinct keys are cached one after another and background work finished
    for (const arg of ['test1', 'test2', 'test3', 'test4']) await getValue(arg, { kwarg: 'args' })
    await settle()
    // then the two oldest are gone and the two newest are kept
    expect(await storage.get('test1-args')).toBeUndefined()
    expect(await storage.get('test2-args')).toBeUndefined()
    expect(await storage.get('test3-args')).toBeDefined()
    expect(await storage.get('test4-args')).toBeDefined()
  })

  it('throws NotConfiguredCacheCalledError when the configuration is not ready', async () => {
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock }),
    ).setConfigured(false)
    const getValue = memoizedGetValue(form, { configuration }, async () => {
      executions++
      throw new Error('should not be called')
    })
    await expect(getValue('test', { kwarg: 'args' })).rejects.toBeInstanceOf(
      NotConfiguredCacheCalledError,
    )
    expect(executions).toBe(0)
  })

  it('throws CachedMethodFailedError with the original cause when the method fails', async () => {
    const getLost = new Error('Get lost')
    const getValue = memoizedGetValue(form, withLifetimes(60_000, 120_000), async () => {
      throw getLost
    })
    const error = failure(await getValue('test', { kwarg: 'args' }).catch((e: unknown) => e))
    expect(error.message).toBe('Refresh failed to complete')
    expect(error.cause).toBe(getLost)
    expect((error.cause as Error).message).toBe('Get lost')
  })

  it('throws CachedMethodFailedError caused by a timeout when the refresh times out', async () => {
    // given a 100 ms method timeout and a method taking 200 ms
    const getValue = memoizedGetValue(
      form,
      { configuration: DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 100 }) },
      async () => {
        await sleep(clock, 200)
        return 0
      },
    )
    // when 100 ms pass
    const call = getValue('test', { kwarg: 'args' }).catch((e: unknown) => e)
    await clock.advanceAsync(100)
    // then the caller is told the refresh timed out
    const error = failure(await call)
    expect(error.message).toBe('Refresh timed out')
    expect(error.cause).toBeInstanceOf(MethodTimeoutError)
  })
}
