// py-memoize tests/unit/test_invalidation.py, plus invalidation racing a refresh: a result
// computed before an invalidation is never stored after it.
import {
  DefaultInMemoryCacheConfiguration,
  InvalidConfigurationError,
  InvalidationNotBoundError,
  InvalidationSupport,
  MutableCacheConfiguration,
  cacheControl,
  invalidate,
  memoize,
  settle,
  type CacheEntry,
  type CacheKey,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { RecordingStorage, deferred } from './support/harness'

type Kwargs = { kwarg?: string }

describe('InvalidationSupport (py-memoize test_invalidation)', () => {
  it('makes the next call recompute after each invalidation', async () => {
    // given a counting method bound to an InvalidationSupport
    const invalidation = new InvalidationSupport<[string, Kwargs]>()
    let counter = 0
    const get = memoize(
      async (_arg: string, _kwargs: Kwargs) => {
        counter++
        return counter
      },
      {
        configuration: DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
        invalidation,
      },
    )
    expect(await get('test', { kwarg: 'args' })).toBe(1)
    expect(await get('test', { kwarg: 'args' })).toBe(1)
    // when invalidated, then recomputed once
    await invalidation.invalidateForArguments(['test', { kwarg: 'args' }])
    expect(await get('test', { kwarg: 'args' })).toBe(2)
    expect(await get('test', { kwarg: 'args' })).toBe(2)
    await invalidation.invalidateForArguments(['test', { kwarg: 'args' }])
    expect(await get('test', { kwarg: 'args' })).toBe(3)
  })

  it('rejects with InvalidationNotBoundError when never passed to memoize()', async () => {
    const invalidation = new InvalidationSupport()
    expect(invalidation.bound).toBe(false)
    const error = await invalidation.invalidateForArguments(['test']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidationNotBoundError)
    expect((error as Error).message).toMatch(/^Uninitialized: InvalidationSupport should be passed/)
  })

  it('refuses to be bound to a second memoized function', () => {
    const invalidation = InvalidationSupport()
    memoize(async function first() {}, { invalidation })
    expect(invalidation.bound).toBe(true)
    expect(() => memoize(async function second() {}, { invalidation })).toThrow(
      InvalidConfigurationError,
    )
  })

  it('invalidates only the entry of the given instance for decorated methods', async () => {
    const invalidation = new InvalidationSupport<[id: string]>()
    let loads = 0
    class Users {
      constructor(readonly tenant: string) {}
      @memoize({ invalidation })
      async byId(id: string): Promise<string> {
        loads++
        return `${this.tenant}/${id}#${loads}`
      }
    }
    const a = new Users('a')
    const b = new Users('b')
    expect(await a.byId('1')).toBe('a/1#1')
    expect(await b.byId('1')).toBe('b/1#2')
    await invalidation.invalidateForArguments(['1'], a)
    expect(await a.byId('1')).toBe('a/1#3')
    expect(await b.byId('1')).toBe('b/1#2')
  })

  it('invalidates through invalidate(() => call) without running the method', async () => {
    let loads = 0
    const get = memoize(async (id: number) => `${id}#${++loads}`)
    expect(await get(1)).toBe('1#1')
    await invalidate(() => get(1))
    expect(loads).toBe(1)
    expect(await get(1)).toBe('1#2')
    expect(cacheControl(get).stats().invalidations).toBe(1)
  })
})

describe('an invalidation racing a refresh', () => {
  it('gives callers already waiting the in-flight result but never stores it', async () => {
    // given a refresh in flight with one waiting caller
    const gate = deferred<string>()
    let calls = 0
    const get = memoize(async (_id: number) => {
      calls++
      return calls === 1 ? gate.promise : `fresh #${calls}`
    })
    const waiting = get(1)
    await flushPromises()
    // when the key is invalidated before the refresh finishes
    await invalidate(() => get(1))
    gate.resolve('computed before the invalidation')
    // then the waiter gets the in-flight result
    expect(await waiting).toBe('computed before the invalidation')
    // and the first call after the invalidation recomputes
    expect(await get(1)).toBe('fresh #2')
  })

  it('starts a new refresh for a caller arriving after the invalidation instead of joining the old one', async () => {
    const gates = [deferred<string>(), deferred<string>()]
    let calls = 0
    const get = memoize(async (_id: number) => gates[calls++]!.promise)
    const before = get(1)
    await flushPromises()
    await invalidate(() => get(1))
    const after = get(1)
    await flushPromises()
    expect(calls).toBe(2)
    gates[1]!.resolve('new')
    gates[0]!.resolve('old')
    expect(await before).toBe('old')
    expect(await after).toBe('new')
    expect(await get(1)).toBe('new') // the old result, finishing last, did not overwrite
  })

  it('never resurrects the entry when the storage write was already under way', async () => {
    // given a storage whose writes land late (a remote store), and a refresh writing to it
    class SlowOfferStorage extends RecordingStorage {
      readonly pendingOffers: Array<() => void> = []
      override offer(key: CacheKey, entry: CacheEntry): Promise<void> {
        return new Promise((resolve) =>
          this.pendingOffers.push(() => {
            this.data.set(key, entry)
            resolve()
          }),
        )
      }
    }
    const storage = new SlowOfferStorage()
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
    ).setStorage(storage)
    let calls = 0
    const get = memoize(async (_id: number) => `value #${++calls}`, { configuration })
    const first = get(1)
    await flushPromises()
    expect(storage.pendingOffers).toHaveLength(1)
    // when the key is invalidated while that write is in flight
    const invalidated = invalidate(() => get(1))
    await flushPromises()
    storage.pendingOffers.shift()!()
    await invalidated
    expect(await first).toBe('value #1')
    await settle()
    // then the first read after invalidate() resolved recomputes
    const next = get(1)
    await flushPromises()
    storage.pendingOffers.shift()?.()
    expect(await next).toBe('value #2')
  })

  it('drops the stale entry and the result of a background refresh running at invalidation time', async () => {
    const clock = new FakeClock()
    const configuration = DefaultInMemoryCacheConfiguration({
      clock,
      updateAfter: 100,
      expireAfter: 10_000,
    })
    const gate = deferred<string>()
    let calls = 0
    const get = memoize(
      async (_id: number) => {
        calls++
        return calls === 2 ? gate.promise : `value #${calls}`
      },
      { configuration },
    )
    expect(await get(1)).toBe('value #1')
    clock.advance(200)
    expect(await get(1)).toBe('value #1') // stale; background refresh #2 starts and hangs
    await flushPromises()
    await invalidate(() => get(1))
    gate.resolve('value #2 (computed before the invalidation)')
    await settle()
    expect(await get(1)).toBe('value #3')
  })
})
