// Two memoized functions sharing storage, keys and update statuses behave like two processes
// sharing Redis: one refresh per key between them, its result or its failure handed to the
// other ("followers").
import {
  type CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  InMemoryLocks,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
  UpdateStatusError,
  cacheControl,
  memoize,
  settle,
  type CacheEntry,
  type UpdateClaim,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { deferred, outcomes } from './support/harness'

function twoProcesses() {
  const clock = new FakeClock()
  const storage = new LocalInMemoryCacheStorage()
  const updateStatuses = new InMemoryLocks({ clock })
  const configuration = MutableCacheConfiguration.initializedWith(
    DefaultInMemoryCacheConfiguration({ clock }),
  )
    .setStorage(storage)
    .setKeyExtractor({ formatKey: (_m, args) => `rate:${String(args[0])}` })
  const gate = deferred<number>()
  let runs = 0
  const make = () =>
    memoize(
      async (_ccy: string) => {
        runs++
        return gate.promise
      },
      { configuration, updateStatuses },
    )
  return { a: make(), b: make(), gate, storage, runs: () => runs }
}

describe('memoized functions sharing update statuses', () => {
  it('run one refresh between them and hand its value to the other', async () => {
    const { a, b, gate, storage, runs } = twoProcesses()
    const leader = a('EUR')
    await flushPromises()
    const follower = b('EUR')
    await flushPromises()
    gate.resolve(1.1)
    expect(await Promise.all([leader, follower])).toEqual([1.1, 1.1])
    expect(runs()).toBe(1)
    expect(storage.size).toBe(1)
    expect(await b('EUR')).toBe(1.1) // a hit from the shared storage
    expect(runs()).toBe(1)
  })

  it("hand the leader's failure to the follower as a concurrent failure", async () => {
    const { a, b, gate, runs } = twoProcesses()
    const calls = outcomes([a('EUR')])
    await flushPromises()
    const followers = outcomes([b('EUR'), b('EUR')])
    await flushPromises()
    const boom = new Error('rate service down')
    gate.reject(boom)
    const [leaderError] = (await calls) as CachedMethodFailedError[]
    const followerErrors = (await followers) as CachedMethodFailedError[]
    expect(leaderError!.message).toBe('Refresh failed to complete')
    expect(followerErrors.map((e) => e.message)).toEqual([
      'Concurrent refresh failed to complete',
      'Concurrent refresh failed to complete',
    ])
    expect(followerErrors.every((e) => e.cause === boom)).toBe(true)
    expect(runs()).toBe(1)
    expect(cacheControl(b).stats().refreshes).toBe(0)
  })
})

describe('a background refresh whose claim is redirected to the storage', () => {
  it('does not settle for the stale entry it was started to replace', async () => {
    // Redis-like statuses: right after another process completed an update, a claim is told
    // "taken" once and `awaitUpdated` says "read the storage" (UpdateStatusError).
    const clock = new FakeClock()
    const locks = new InMemoryLocks({ clock })
    let redirectNext = false
    const updateStatuses = {
      isBeingUpdated: (key: string) => locks.isBeingUpdated(key),
      markBeingUpdated: (key: string) => locks.markBeingUpdated(key),
      markUpdated: (key: string, entry: CacheEntry, claim?: UpdateClaim) =>
        locks.markUpdated(key, entry, claim),
      markUpdateAborted: (key: string, error: unknown, claim?: UpdateClaim) =>
        locks.markUpdateAborted(key, error, claim),
      awaitUpdated: (key: string) =>
        redirectNext
          ? ((redirectNext = false),
            Promise.reject(new UpdateStatusError('completed moments ago: read storage')))
          : locks.awaitUpdated(key),
      tryMarkBeingUpdated: (key: string) =>
        redirectNext ? undefined : locks.tryMarkBeingUpdated(key),
    }
    let version = 0
    const quote = memoize(async () => ++version, {
      configuration: DefaultInMemoryCacheConfiguration({
        clock,
        updateAfter: 300,
        expireAfter: 30_000,
      }),
      updateStatuses,
    })
    expect(await quote()).toBe(1)
    clock.advance(350) // stale
    redirectNext = true
    expect(await quote()).toBe(1) // served stale at once
    await settle()
    expect(await quote()).toBe(2) // the background refresh claimed again and computed
    expect(version).toBe(2)
  })
})
