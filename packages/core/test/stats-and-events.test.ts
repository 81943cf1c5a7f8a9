// Per-method stats and events through cacheControl(), their publication on the
// `memokit:cache` diagnostics channel, and listeners that throw.
import {
  DIAGNOSTICS_CHANNEL,
  DefaultInMemoryCacheConfiguration,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
  cacheControl,
  forceRefresh,
  invalidate,
  memoize,
  settle,
  type CacheEvent,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { deferred, outcomes } from './support/harness'

function setup(options: { capacity?: number } = {}) {
  const clock = new FakeClock()
  const configuration = DefaultInMemoryCacheConfiguration({
    clock,
    updateAfter: 100,
    expireAfter: 1_000,
    ...options,
  })
  let failing = false
  const load = memoize(
    async function load(id: number) {
      if (failing) throw new Error('down')
      return `value ${id}`
    },
    { configuration },
  )
  const events: CacheEvent[] = []
  cacheControl(load).on((event) => events.push(event))
  return {
    clock,
    load,
    events,
    fail: (value: boolean) => (failing = value),
    types: () => events.map((e) => e.type),
  }
}

describe('stats and events of one memoized function', () => {
  it('counts and reports hits, misses, stale hits, refreshes and failures', async () => {
    const { clock, load, fail, types } = setup()
    await load(1) // miss + refresh
    await load(1) // hit
    clock.advance(100)
    await load(1) // stale + background refresh
    await settle()
    fail(true)
    clock.advance(100)
    await load(1) // stale + background refresh that fails
    await settle()
    clock.advance(1_000)
    await load(1).catch(() => {}) // expired: miss + failed refresh
    expect(types()).toEqual([
      'miss',
      'refresh',
      'hit',
      'stale',
      'refresh',
      'stale',
      'refresh-failed',
      'miss',
      'refresh-failed',
    ])
    expect(cacheControl(load).stats()).toEqual({
      hits: 1,
      misses: 2,
      staleHits: 2,
      joined: 0,
      refreshes: 2,
      refreshFailures: 2,
      timeouts: 0,
      evictions: 0,
      invalidations: 0,
      errors: 0,
      deferredRefreshes: 0,
    })
  })

  it('counts callers joining a refresh in flight', async () => {
    const gate = deferred<number>()
    const load = memoize(async () => gate.promise)
    const calls = Promise.all([load(), load(), load()])
    await flushPromises()
    gate.resolve(1)
    await calls
    expect(cacheControl(load).stats()).toMatchObject({ misses: 3, joined: 2, refreshes: 1 })
  })

  it('reports evictions and invalidations', async () => {
    const { load, types } = setup({ capacity: 1 })
    await load(1)
    await load(2)
    await settle()
    await invalidate(() => load(2))
    expect(types()).toEqual(['miss', 'refresh', 'miss', 'refresh', 'evict', 'invalidate'])
    expect(cacheControl(load).stats()).toMatchObject({ evictions: 1, invalidations: 1 })
  })

  it('describes each event with the method name, the key, a duration or the error', async () => {
    const { load, events, fail } = setup()
    await load(1)
    fail(true)
    await load(2).catch(() => {})
    const [miss, refresh, , failed] = events
    expect(miss).toMatchObject({ type: 'miss', method: 'load' })
    expect(typeof miss!.key).toBe('string')
    expect(refresh).toMatchObject({ type: 'refresh', duration: 0 })
    expect(failed!.type).toBe('refresh-failed')
    expect((failed!.error as Error).message).toBe('down')
  })

  it('gives a forced refresh its own refresh event without a miss', async () => {
    const { load, types } = setup()
    await load(1)
    expect(await forceRefresh(() => load(1))).toBe('value 1')
    expect(types()).toEqual(['miss', 'refresh', 'refresh'])
  })

  it('stops notifying a listener after unsubscribing, in both ways', async () => {
    const load = memoize(async () => 1)
    const a = jest.fn()
    const b = jest.fn()
    const unsubscribe = cacheControl(load).on(a)
    cacheControl(load).on(b)
    unsubscribe()
    cacheControl(load).off(b)
    await load()
    expect(a).not.toHaveBeenCalled()
    expect(b).not.toHaveBeenCalled()
  })

  it('never breaks a call when a listener throws', async () => {
    const load = memoize(async (x: number) => x * 2)
    const later = jest.fn()
    cacheControl(load).on(() => {
      throw new Error('listener bug')
    })
    cacheControl(load).on(later)
    expect(await load(2)).toBe(4)
    expect(await load(2)).toBe(4)
    expect(later).toHaveBeenCalledTimes(3) // miss, refresh, hit
  })

  it('keeps the stats of two memoized functions apart', async () => {
    const a = memoize(async () => 'a')
    const b = memoize(async () => 'b')
    await a()
    await a()
    await b()
    expect(cacheControl(a).stats()).toMatchObject({ hits: 1, misses: 1 })
    expect(cacheControl(b).stats()).toMatchObject({ hits: 0, misses: 1 })
  })

  it('returns a frozen snapshot of the stats', async () => {
    const load = memoize(async () => 1)
    const before = cacheControl(load).stats()
    await load()
    expect(before.misses).toBe(0)
    expect(Object.isFrozen(before)).toBe(true)
    expect(cacheControl(load).stats().misses).toBe(1)
  })

  it('names decorated methods Class.method in events and errors', async () => {
    class Users {
      @memoize()
      async byId(id: string): Promise<string> {
        if (id === 'bad') throw new Error('no such user')
        return id
      }
    }
    const events: CacheEvent[] = []
    cacheControl(Users.prototype.byId).on((e) => events.push(e))
    const users = new Users()
    await users.byId('1')
    const [error] = await outcomes([users.byId('bad')])
    expect(events[0]!.method).toBe('Users.byId')
    expect((error as { method: string }).method).toBe('Users.byId')
    expect(cacheControl(Users.prototype.byId).name).toBe('Users.byId')
  })
})

describe(`the "${DIAGNOSTICS_CHANNEL}" diagnostics channel`, () => {
  it('receives every event of every memoized method', async () => {
    const published: CacheEvent[] = []
    const onMessage = (message: unknown): void => {
      published.push(message as CacheEvent)
    }
    subscribe(DIAGNOSTICS_CHANNEL, onMessage)
    try {
      const a = memoize(async function first() {
        return 1
      })
      const b = memoize(async function second() {
        return 2
      })
      await a()
      await b()
      await a()
    } finally {
      unsubscribe(DIAGNOSTICS_CHANNEL, onMessage)
    }
    expect(published.map((e) => `${e.method}:${e.type}`)).toEqual([
      'first:miss',
      'first:refresh',
      'second:miss',
      'second:refresh',
      'first:hit',
    ])
  })

  it('publishes nothing once unsubscribed', async () => {
    const onMessage = jest.fn()
    subscribe(DIAGNOSTICS_CHANNEL, onMessage)
    unsubscribe(DIAGNOSTICS_CHANNEL, onMessage)
    const load = memoize(async () => 1)
    await load()
    expect(onMessage).not.toHaveBeenCalled()
  })

  it('reports absorbed storage faults as error events with their source', async () => {
    const storage = new LocalInMemoryCacheStorage()
    storage.offer = () => Promise.reject(new Error('disk full'))
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
    ).setStorage(storage)
    const published: CacheEvent[] = []
    const onMessage = (message: unknown): void => {
      published.push(message as CacheEvent)
    }
    subscribe(DIAGNOSTICS_CHANNEL, onMessage)
    try {
      const load = memoize(
        async function faulty() {
          return 1
        },
        { configuration },
      )
      expect(await load()).toBe(1)
    } finally {
      unsubscribe(DIAGNOSTICS_CHANNEL, onMessage)
    }
    const error = published.find((e) => e.type === 'error')
    expect(error).toMatchObject({ method: 'faulty', source: 'storage.offer' })
    expect((error!.error as Error).message).toBe('disk full')
  })
})
