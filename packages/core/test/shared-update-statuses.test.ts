// Two memoized functions sharing storage, keys and update statuses behave like two processes
// sharing Redis: one refresh per key between them, its result or its failure handed to the
// other ("followers").
import {
  type CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  InMemoryLocks,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
  cacheControl,
  memoize,
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
