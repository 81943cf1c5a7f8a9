// Refresh races explored with fast-check's scheduler (reliability test plan A7): the backend
// and every storage operation settle in random orders.
import {
  DefaultInMemoryCacheConfiguration,
  MutableCacheConfiguration,
  LeastRecentlyUpdatedEvictionStrategy,
  invalidate,
  memoize,
  settle,
  type CacheEntry,
  type CacheKey,
  type CacheStorage,
} from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import fc from 'fast-check'

/** A storage whose operations each complete when the scheduler decides. */
class ScheduledStorage implements CacheStorage {
  readonly data = new Map<CacheKey, CacheEntry>()
  constructor(private readonly s: fc.Scheduler) {}
  async get(key: CacheKey): Promise<CacheEntry | undefined> {
    await this.s.schedule(Promise.resolve(), `get`)
    return this.data.get(key)
  }
  async offer(key: CacheKey, entry: CacheEntry): Promise<void> {
    await this.s.schedule(Promise.resolve(), `offer ${String(entry.value)}`)
    this.data.set(key, entry)
  }
  async release(key: CacheKey): Promise<void> {
    await this.s.schedule(Promise.resolve(), 'release')
    this.data.delete(key)
  }
}

function setup(s: fc.Scheduler) {
  const storage = new ScheduledStorage(s)
  const configuration = MutableCacheConfiguration.initializedWith(
    DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
  ).setStorage(storage)
  let runs = 0
  const get = memoize(
    async (_id: number) => {
      const run = ++runs
      await s.schedule(Promise.resolve(), `method run ${run}`)
      return run
    },
    { configuration },
  )
  return { get, storage, runs: () => runs }
}

describe('refresh races', () => {
  it('never lets a refresh started before an invalidation be read after it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        async (s, callsBefore, callsAfter) => {
          // given calls in flight
          const { get, runs } = setup(s)
          const before = Array.from({ length: callsBefore }, () => get(1))
          // when the key is invalidated at a random moment, with more calls racing it
          let runsAtInvalidation = -1
          const invalidated = s.schedule(Promise.resolve(), 'invalidate').then(() => {
            runsAtInvalidation = runs()
            return invalidate(() => get(1))
          })
          const after = Array.from({ length: callsAfter }, (_, i) =>
            s.schedule(Promise.resolve(), `call ${i}`).then(() => get(1)),
          )
          await s.waitFor(invalidated)
          // then the first read started after invalidate() resolved returns a value computed
          // by a run that started after the invalidation was issued
          const next = get(1)
          await s.waitFor(next)
          expect(await next).toBeGreaterThan(runsAtInvalidation)
          await s.waitFor(Promise.allSettled([...before, ...after]))
          await s.waitFor(settle())
        },
      ),
      { numRuns: 300 },
    )
  })

  it('gives every concurrent caller the value of one run, and stores the newest run', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 6 }), async (s, callers) => {
        const { get, storage, runs } = setup(s)
        const calls = Array.from({ length: callers }, () => get(1))
        const results = await s.waitFor(Promise.all(calls))
        await s.waitFor(settle())
        expect(new Set(results).size).toBe(1)
        expect(runs()).toBe(1)
        expect([...storage.data.values()].map((e) => e.value)).toEqual([1])
      }),
      { numRuns: 200 },
    )
  })

  it('keeps storage within capacity and every stored key tracked, whatever the order of writes and evictions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.constantFrom(1, 2, 3), { minLength: 1, maxLength: 8 }),
        async (s, keys) => {
          const storage = new ScheduledStorage(s)
          const strategy = new LeastRecentlyUpdatedEvictionStrategy({ capacity: 2 })
          const configuration = MutableCacheConfiguration.initializedWith(
            DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
          )
            .setStorage(storage)
            .setEvictionStrategy(strategy)
          const get = memoize(
            async (id: number) => {
              await s.schedule(Promise.resolve(), `method ${id}`)
              return id
            },
            { configuration },
          )
          const calls = keys.map((key, i) =>
            s.schedule(Promise.resolve(), `call ${i}`).then(() => get(key)),
          )
          expect(await s.waitFor(Promise.all(calls))).toEqual(keys)
          await s.waitFor(settle())
          expect(storage.data.size).toBeLessThanOrEqual(2)
          expect(strategy.size).toBe(storage.data.size)
        },
      ),
      { numRuns: 300 },
    )
  })
})
