// One test per upstream defect DESIGN.md says not to copy (seed-semantics §1.5, §2, §3),
// showing memokit behaves correctly. The InMemoryLocks-level lock-timeout tests are in
// update-statuses.test.ts, the eviction leak in eviction.test.ts, invalidation races in
// invalidation.test.ts and late results after a timeout in method-timeout.test.ts.
import {
  CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  EncodedMethodNameAndArgsKeyExtractor,
  EncodedMethodReferenceAndArgsKeyExtractor,
  InMemoryLocks,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
  NoEvictionStrategy,
  cacheControl,
  invalidate,
  memoize,
  settle,
  withSignal,
  type KeyExtractor,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { deferred, outcomes, sleep, unhandledRejections } from './support/harness'

describe('a lock timeout (py-memoize handed waiters None)', () => {
  it('never hands a waiter a missing value: the waiter refreshes itself instead', async () => {
    // given two memoized functions sharing storage, keys and update statuses whose lock
    // (100 ms) is shorter than the method timeout (1 s), as another process would
    const clock = new FakeClock()
    const storage = new LocalInMemoryCacheStorage()
    const updateStatuses = new InMemoryLocks({ updateLockTimeout: 100, clock })
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 1_000 }),
    )
      .setStorage(storage)
      .setKeyExtractor({ formatKey: () => 'shared' })
    const slow = memoize(
      async () => {
        await sleep(clock, 500)
        return 'slow leader'
      },
      { configuration, updateStatuses },
    )
    const follower = memoize(async () => 'follower', { configuration, updateStatuses })
    const leading = slow()
    await flushPromises()
    const following = follower()
    await flushPromises()
    // when the leader's lock times out
    await clock.advanceAsync(100)
    // then the follower computes its own value rather than receiving nothing
    expect(await following).toBe('follower')
    await clock.advanceAsync(400)
    expect(await leading).toBe('slow leader')
  })
})

describe('a refresh outliving its lock (the lease-outlived race)', () => {
  function shared(lockTimeout: number) {
    const clock = new FakeClock()
    const storage = new LocalInMemoryCacheStorage()
    const updateStatuses = new InMemoryLocks({ updateLockTimeout: lockTimeout, clock })
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock, methodTimeout: 1_000 }),
    )
      .setStorage(storage)
      .setKeyExtractor({ formatKey: () => 'shared' })
    const stored = (): unknown[] => [...storage.entries()].map(([, entry]) => entry.value)
    return { clock, storage, updateStatuses, configuration, stored }
  }

  it('never overwrites the value stored by the refresh that took the key over', async () => {
    // given a slow refresh whose 100 ms lock times out, and a later refresh taking over
    const { clock, updateStatuses, configuration, stored } = shared(100)
    const slow = memoize(
      async () => {
        await sleep(clock, 500)
        return 'older (started first)'
      },
      { configuration, updateStatuses },
    )
    const fast = memoize(async () => 'newer (started later)', { configuration, updateStatuses })
    const late = slow()
    await flushPromises()
    const takingOver = fast()
    await flushPromises()
    await clock.advanceAsync(100)
    expect(await takingOver).toBe('newer (started later)')
    // when the slow refresh finally completes
    await clock.advanceAsync(400)
    // then its caller gets its value, but storage keeps the newer one
    expect(await late).toBe('older (started first)')
    expect(stored()).toEqual(['newer (started later)'])
  })

  it('still stores its value when nobody took the key over', async () => {
    const { clock, updateStatuses, configuration, stored } = shared(100)
    const slow = memoize(
      async () => {
        await sleep(clock, 500)
        return 'late but only'
      },
      { configuration, updateStatuses },
    )
    const call = slow()
    await clock.advanceAsync(500)
    expect(await call).toBe('late but only')
    expect(stored()).toEqual(['late but only'])
  })
})

describe('a caller giving up (aiomemoizeconcurrent and MemoizedLambda poisoned the shared call)', () => {
  it('never affects the other waiters of a memoized refresh, which is still cached', async () => {
    // given three callers of one refresh, one of them with its own deadline
    const gate = deferred<string>()
    let runs = 0
    const get = memoize(async (_id: number) => {
      runs++
      return gate.promise
    })
    const deadline = new AbortController()
    const impatient = withSignal(deadline.signal, () => get(1)).catch((e: unknown) => e)
    const patient = [get(1), get(1)]
    await flushPromises()
    // when its deadline passes
    deadline.abort(new DOMException('deadline passed', 'TimeoutError'))
    expect(((await impatient) as DOMException).name).toBe('TimeoutError')
    // then the others still get the value, and it is cached
    gate.resolve('value')
    expect(await Promise.all(patient)).toEqual(['value', 'value'])
    expect(await get(1)).toBe('value')
    expect(runs).toBe(1)
  })

  it('lets the refresh finish and cache its value when every caller gave up', async () => {
    const gate = deferred<string>()
    let runs = 0
    const get = memoize(async () => {
      runs++
      return gate.promise
    })
    const controller = new AbortController()
    const calls = outcomes([
      withSignal(controller.signal, () => get()),
      withSignal(controller.signal, () => get()),
    ])
    await flushPromises()
    controller.abort(new Error('gave up'))
    expect(((await calls) as Error[]).map((e) => e.message)).toEqual(['gave up', 'gave up'])
    gate.resolve('computed anyway')
    await flushPromises()
    expect(await get()).toBe('computed anyway')
    expect(runs).toBe(1)
  })
})

describe('a late result (py-memoize stored it after an invalidation)', () => {
  it('is handed to its waiter but never overwrites what came after the invalidation', async () => {
    const gates = [deferred<string>(), deferred<string>()]
    let runs = 0
    const get = memoize(async () => gates[runs++]!.promise)
    const old = get()
    await flushPromises()
    await invalidate(() => get())
    const fresh = get()
    await flushPromises()
    gates[1]!.resolve('newer')
    expect(await fresh).toBe('newer')
    gates[0]!.resolve('older')
    expect(await old).toBe('older')
    await flushPromises()
    expect(await get()).toBe('newer')
  })
})

describe('cache keys (MemoizedLambda left the function out)', () => {
  const extractors: Array<[string, () => KeyExtractor]> = [
    [
      'EncodedMethodReferenceAndArgsKeyExtractor',
      () => new EncodedMethodReferenceAndArgsKeyExtractor(),
    ],
    ['EncodedMethodNameAndArgsKeyExtractor', () => new EncodedMethodNameAndArgsKeyExtractor()],
  ]

  it.each(extractors)(
    'never collide for two functions with identical arguments sharing one storage (%s)',
    async (_name, extractor) => {
      const storage = new LocalInMemoryCacheStorage()
      const configuration = MutableCacheConfiguration.initializedWith(
        DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
      )
        .setStorage(storage)
        .setKeyExtractor(extractor())
      const price = memoize(
        async function price(id: string) {
          return `price of ${id}`
        },
        { configuration },
      )
      const stock = memoize(
        async function stock(id: string) {
          return `stock of ${id}`
        },
        { configuration },
      )
      expect(await price('42')).toBe('price of 42')
      expect(await stock('42')).toBe('stock of 42')
      expect(await price('42')).toBe('price of 42')
      expect(storage.size).toBe(2)
    },
  )

  it.each(extractors)(
    'never collide for same-named methods of two classes sharing one storage (%s)',
    async (_name, extractor) => {
      const configuration = MutableCacheConfiguration.initializedWith(
        DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
      ).setKeyExtractor(extractor())
      class Users {
        @memoize({ configuration })
        async get(id: string): Promise<string> {
          return `user ${id}`
        }
      }
      class Orders {
        @memoize({ configuration })
        async get(id: string): Promise<string> {
          return `order ${id}`
        }
      }
      expect(await new Users().get('1')).toBe('user 1')
      expect(await new Orders().get('1')).toBe('order 1')
      expect(await new Users().get('1')).toBe('user 1')
    },
  )
})

describe('failures (never cached)', () => {
  let unhandled: ReturnType<typeof unhandledRejections>

  beforeEach(() => {
    unhandled = unhandledRejections()
  })

  afterEach(async () => {
    await settle()
    await flushPromises()
    unhandled.dispose()
    expect(unhandled.reasons).toEqual([])
  })

  it('runs the method again for each sequential caller after a failure', async () => {
    let runs = 0
    const get = memoize(async () => {
      runs++
      if (runs < 3) throw new Error(`failure ${runs}`)
      return 'recovered'
    })
    await expect(get()).rejects.toBeInstanceOf(CachedMethodFailedError)
    await expect(get()).rejects.toBeInstanceOf(CachedMethodFailedError)
    expect(await get()).toBe('recovered')
    expect(runs).toBe(3)
  })

  it('rejects all concurrent callers with the one failure, then recomputes on the next call', async () => {
    let runs = 0
    const boom = new Error('boom')
    const get = memoize(async () => {
      runs++
      await Promise.resolve()
      if (runs === 1) throw boom
      return 'recovered'
    })
    const errors = (await outcomes([get(), get(), get()])) as CachedMethodFailedError[]
    expect(errors.map((e) => e.cause)).toEqual([boom, boom, boom])
    expect(runs).toBe(1)
    expect(await get()).toBe('recovered')
    expect(runs).toBe(2)
  })

  it('keeps the stale entry when background refreshes fail, retries on later calls, and raises no unhandled rejection', async () => {
    // given a stale entry whose source now fails
    const clock = new FakeClock()
    let failing = false
    let runs = 0
    const get = memoize(
      async () => {
        runs++
        if (failing) throw new Error(`refresh ${runs} failed`)
        return `value ${runs}`
      },
      {
        configuration: DefaultInMemoryCacheConfiguration({
          clock,
          updateAfter: 100,
          expireAfter: 1_000,
        }),
      },
    )
    expect(await get()).toBe('value 1')
    clock.advance(100)
    failing = true
    // when stale reads keep coming
    for (let i = 0; i < 3; i++) {
      expect(await get()).toBe('value 1')
      await settle()
    }
    // then each started one failed background refresh, and the entry stayed
    expect(runs).toBe(4)
    expect(cacheControl(get).stats()).toMatchObject({ staleHits: 3, refreshFailures: 3 })
    // and once the source recovers, the next stale read refreshes it
    failing = false
    expect(await get()).toBe('value 1')
    await settle()
    expect(await get()).toBe('value 5')
  })

  it('never serves the stale value after its expiry, even while refreshes fail', async () => {
    const clock = new FakeClock()
    let runs = 0
    const get = memoize(
      async () => {
        if (++runs > 1) throw new Error('down')
        return 'only value'
      },
      {
        configuration: DefaultInMemoryCacheConfiguration({
          clock,
          updateAfter: 100,
          expireAfter: 1_000,
        }),
      },
    )
    expect(await get()).toBe('only value')
    clock.advance(999)
    expect(await get()).toBe('only value')
    await settle()
    clock.advance(1)
    await expect(get()).rejects.toMatchObject({ message: 'Refresh failed to complete' })
    await expect(get()).rejects.toBeInstanceOf(CachedMethodFailedError)
  })

  it('does not leave a failed refresh blocking the key (no hung in-flight entry)', async () => {
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
    ).setEvictionStrategy(NoEvictionStrategy())
    let runs = 0
    const get = memoize(
      async () => {
        runs++
        throw new Error('always')
      },
      { configuration },
    )
    for (let i = 0; i < 5; i++) await expect(get()).rejects.toBeInstanceOf(CachedMethodFailedError)
    expect(runs).toBe(5)
  })
})
