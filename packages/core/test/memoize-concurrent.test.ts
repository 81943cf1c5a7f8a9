// aiomemoizeconcurrent's test.py (7 tests) for memoizeConcurrent(), plus what memokit adds: a
// caller giving up never cancels the others, and a call everybody gave up on is aborted.
import {
  MemoizeUsageError,
  invalidate,
  memoizeConcurrent,
  methodSignal,
  withSignal,
} from '@memokit/core'
import { flushPromises } from '@memokit/core/testing'
import { deferred, outcomes, track } from './support/harness'

type Options = { a: string; b: string }

describe('memoizeConcurrent (aiomemoizeconcurrent)', () => {
  it('runs an async function once for identical concurrent calls', async () => {
    const calls: unknown[][] = []
    const fn = memoizeConcurrent(async (...args: [number, number, Options]) => {
      calls.push(args)
      await Promise.resolve() // yields once
      return 'value'
    })
    const results = await Promise.all([
      fn(10, 20, { a: 'val_a', b: 'val_b' }),
      fn(10, 20, { a: 'val_a', b: 'val_b' }),
    ])
    expect(results).toEqual(['value', 'value'])
    expect(calls).toEqual([[10, 20, { a: 'val_a', b: 'val_b' }]])
  })

  it('runs a function returning a shared pending promise once for identical concurrent calls', async () => {
    const shared = deferred<string>()
    const fn = jest.fn((_x: number, _options: Options) => shared.promise)
    const memoized = memoizeConcurrent(fn)
    const both = Promise.all([
      memoized(10, { a: 'val_a', b: 'val_b' }),
      memoized(10, { a: 'val_a', b: 'val_b' }),
    ])
    await flushPromises(1)
    shared.resolve('value')
    expect(await both).toEqual(['value', 'value'])
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('runs concurrent calls with different arguments separately', async () => {
    // given a function that finishes only once it has been entered twice (a barrier)
    const calls: Options[] = []
    const bothEntered = deferred<void>()
    const fn = memoizeConcurrent(async (_x: number, options: Options) => {
      calls.push(options)
      if (calls.length === 2) bothEntered.resolve()
      await bothEntered.promise
      return 'value'
    })
    const results = await Promise.all([
      fn(10, { a: 'val_a', b: 'val_b' }),
      fn(10, { a: 'val_a', b: 'val_d' }),
    ])
    expect(results).toEqual(['value', 'value'])
    expect(calls).toEqual([
      { a: 'val_a', b: 'val_b' },
      { a: 'val_a', b: 'val_d' },
    ])
  })

  it('runs identical sequential calls again: nothing is cached', async () => {
    let runs = 0
    const fn = memoizeConcurrent(async (_x: number) => ++runs)
    expect(await fn(1)).toBe(1)
    expect(await fn(1)).toBe(2)
  })

  it('rejects every identical concurrent caller with the same error, running once', async () => {
    let runs = 0
    const inner = new Error('inner')
    const fn = memoizeConcurrent(async (_x: number) => {
      runs++
      await Promise.resolve()
      throw inner
    })
    expect(await outcomes([fn(1), fn(1)])).toEqual([inner, inner])
    expect(runs).toBe(1)
  })

  it('hands the original error over, unwrapped and with its message', async () => {
    const original = new Error('Some message')
    const fn = memoizeConcurrent(async () => {
      throw original
    })
    const error = await fn().catch((e: unknown) => e)
    expect(error).toBe(original)
    expect((error as Error).message).toBe('Some message')
    expect((error as Error).cause).toBeUndefined()
  })

  it('passes the cancellation of the running call to every concurrent caller', async () => {
    // given a running call waiting on an operation that gets cancelled
    const operation = new AbortController()
    const entered = deferred<void>()
    const fn = memoizeConcurrent(async (_x: number) => {
      entered.resolve()
      await new Promise((_resolve, reject) =>
        operation.signal.addEventListener('abort', () => reject(operation.signal.reason)),
      )
    })
    const calls = outcomes([fn(1), fn(1)])
    await entered.promise
    // when the operation is cancelled
    operation.abort()
    // then both callers get the cancellation
    const [first, second] = await calls
    expect((first as DOMException).name).toBe('AbortError')
    expect(second).toBe(first)
  })
})

describe('memoizeConcurrent and callers giving up', () => {
  it('never cancels the others when one waiter gives up', async () => {
    // given one call shared by a caller with a signal and one without
    const gate = deferred<string>()
    let signal: AbortSignal | undefined
    let runs = 0
    const fn = memoizeConcurrent(async (_x: number) => {
      runs++
      signal = methodSignal()
      return gate.promise
    })
    const impatient = new AbortController()
    const giving = withSignal(impatient.signal, () => fn(1)).catch((e: unknown) => e)
    const patient = fn(1)
    await flushPromises(1)
    // when the first gives up
    impatient.abort(new Error('gave up'))
    expect(((await giving) as Error).message).toBe('gave up')
    // then the call goes on for the other
    expect(signal?.aborted).toBe(false)
    gate.resolve('value')
    expect(await patient).toBe('value')
    expect(runs).toBe(1)
  })

  it('aborts the call once every waiter gave up, and starts a new one for a new caller', async () => {
    // given a call whose two waiters both have signals
    const signals: AbortSignal[] = []
    const gates = [deferred<string>(), deferred<string>()]
    const fn = memoizeConcurrent(async (_x: number) => {
      signals.push(methodSignal())
      return gates[signals.length - 1]!.promise
    })
    const first = new AbortController()
    const second = new AbortController()
    const a = withSignal(first.signal, () => fn(1)).catch((e: unknown) => e)
    const b = withSignal(second.signal, () => fn(1)).catch((e: unknown) => e)
    await flushPromises(1)
    expect(signals).toHaveLength(1)
    // when one gives up, the call goes on
    first.abort()
    await flushPromises(1)
    expect(signals[0]!.aborted).toBe(false)
    // when the last one gives up, the call is aborted
    second.abort(new Error('nobody waits'))
    expect(signals[0]!.aborted).toBe(true)
    expect((signals[0]!.reason as Error).message).toBe('nobody waits')
    expect(((await a) as DOMException).name).toBe('AbortError')
    expect(((await b) as Error).message).toBe('nobody waits')
    // then a new caller starts a new call instead of joining the aborted one
    const c = fn(1)
    await flushPromises(1)
    expect(signals).toHaveLength(2)
    expect(signals[1]!.aborted).toBe(false)
    gates[1]!.resolve('fresh')
    gates[0]!.resolve('abandoned')
    expect(await c).toBe('fresh')
  })

  it('rejects at once a caller whose signal is already aborted, leaving others alone', async () => {
    const gate = deferred<string>()
    const fn = memoizeConcurrent(async (_x: number) => gate.promise)
    const patient = fn(1)
    const aborted = withSignal(AbortSignal.abort(new Error('too late')), () => fn(1))
    await expect(aborted).rejects.toThrow('too late')
    gate.resolve('value')
    expect(await patient).toBe('value')
  })

  it('never starts the function for a caller whose signal is already aborted', async () => {
    let runs = 0
    const fn = memoizeConcurrent(async (_x: number) => ++runs)
    await expect(withSignal(AbortSignal.abort(new Error('gone')), () => fn(1))).rejects.toThrow(
      'gone',
    )
    expect(runs).toBe(0)
    expect(await fn(1)).toBe(1)
  })

  it('gives methodSignal() a signal that never aborts outside a memoized call', () => {
    expect(methodSignal().aborted).toBe(false)
  })

  it('refuses withSignal() around something that is not a memoized call', () => {
    expect(() => withSignal(new AbortController().signal, () => Promise.resolve(1))).toThrow(
      MemoizeUsageError,
    )
  })
})

describe('memoizeConcurrent details', () => {
  it('keeps `this` and captures synchronous throws as rejections', async () => {
    const boom = new Error('sync')
    const fn = memoizeConcurrent(function (this: { n: number } | void, _x: number) {
      if (this === undefined) throw boom
      return Promise.resolve(this.n)
    })
    expect(await fn.call({ n: 7 }, 1)).toBe(7)
    await expect(fn(1)).rejects.toBe(boom)
  })

  it('uses a custom key when given one', async () => {
    let runs = 0
    const gate = deferred<number>()
    const fn = memoizeConcurrent(
      async (_user: { id: number; loadedAt: number }) => {
        runs++
        return gate.promise
      },
      { key: (user) => String((user as { id: number }).id) },
    )
    const both = Promise.all([fn({ id: 1, loadedAt: 1 }), fn({ id: 1, loadedAt: 2 })])
    gate.resolve(5)
    expect(await both).toEqual([5, 5])
    expect(runs).toBe(1)
  })

  it('treats invalidate() as a no-op that never runs the function (nothing is cached)', async () => {
    let runs = 0
    const fn = memoizeConcurrent(async (_x: number) => ++runs)
    expect(await invalidate(() => fn(1))).toBeUndefined()
    expect(runs).toBe(0)
    expect(await fn(1)).toBe(1)
  })

  it('forgets a call as soon as it settled', async () => {
    const gate = deferred<number>()
    let runs = 0
    const fn = memoizeConcurrent(async () => {
      runs++
      return runs === 1 ? gate.promise : runs
    })
    const first = track(fn())
    gate.resolve(1)
    await first.promise
    expect(await fn()).toBe(2)
  })
})
