// Faults of the storage and of the update statuses degrade as documented — a failed read is a
// miss, a failed write hands the value out uncached, each is an 'error' event — and never
// reach a caller or become an unhandled rejection.
import {
  CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  InMemoryLocks,
  LeastRecentlyUpdatedEvictionStrategy,
  LocalInMemoryCacheStorage,
  MutableCacheConfiguration,
  cacheControl,
  invalidate,
  memoize,
  settle,
  type CacheEvent,
  type CacheStorage,
  type UpdateStatuses,
} from '@memokit/core'
import { FakeClock, flushPromises } from '@memokit/core/testing'
import { RecordingStorage, deferred, unhandledRejections } from './support/harness'

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

function withStorage(storage: CacheStorage, capacity = 4096) {
  const configuration = MutableCacheConfiguration.initializedWith(
    DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
  )
    .setStorage(storage)
    .setEvictionStrategy(new LeastRecentlyUpdatedEvictionStrategy({ capacity }))
  let runs = 0
  const load = memoize(
    async function load(id: number) {
      runs++
      await Promise.resolve()
      return `value ${id} #${runs}`
    },
    { configuration },
  )
  const events: CacheEvent[] = []
  cacheControl(load).on((event) => events.push(event))
  return {
    load,
    runs: () => runs,
    errors: () => events.filter((e) => e.type === 'error').map((e) => e.source),
  }
}

describe('a storage whose get fails', () => {
  it.each([
    ['rejects', () => Promise.reject(new Error('read failed'))],
    [
      'throws synchronously',
      () => {
        throw new Error('read failed')
      },
    ],
  ])('is treated as a miss when get %s', async (_how, failingGet) => {
    const storage = new RecordingStorage()
    storage.get = failingGet
    const { load, runs, errors } = withStorage(storage)
    expect(await load(1)).toBe('value 1 #1')
    expect(await load(1)).toBe('value 1 #2')
    expect(runs()).toBe(2)
    expect(errors()).toEqual(['storage.get', 'storage.get'])
    expect(cacheControl(load).stats().errors).toBe(2)
  })

  it('still collapses concurrent callers into one execution', async () => {
    const storage = new RecordingStorage()
    storage.failGet = new Error('read failed')
    const { load, runs } = withStorage(storage)
    expect(await Promise.all([load(1), load(1), load(1)])).toEqual([
      'value 1 #1',
      'value 1 #1',
      'value 1 #1',
    ])
    expect(runs()).toBe(1)
  })

  it('is a miss when an in-process getSync throws', async () => {
    const storage = new LocalInMemoryCacheStorage()
    storage.getSync = () => {
      throw new Error('sync read failed')
    }
    const { load, errors } = withStorage(storage)
    let call: Promise<string> | undefined
    expect(() => (call = load(1))).not.toThrow()
    expect(await call).toBe('value 1 #1')
    expect(errors()).toContain('storage.getSync')
  })
})

describe('a storage whose offer fails', () => {
  it.each([
    ['rejects', () => Promise.reject(new Error('write failed'))],
    [
      'throws synchronously',
      () => {
        throw new Error('write failed')
      },
    ],
  ])('hands the value out uncached when offer %s', async (_how, failingOffer) => {
    const storage = new RecordingStorage()
    storage.offer = failingOffer
    const { load, runs, errors } = withStorage(storage)
    expect(await Promise.all([load(1), load(1)])).toEqual(['value 1 #1', 'value 1 #1'])
    expect(await load(1)).toBe('value 1 #2')
    expect(runs()).toBe(2)
    expect(errors()).toEqual(['storage.offer', 'storage.offer'])
    expect(storage.data.size).toBe(0)
  })
})

describe('a storage whose release fails', () => {
  it('reports a failed eviction as an error event, nothing else', async () => {
    const storage = new RecordingStorage()
    storage.failRelease = new Error('release failed')
    const { load, errors } = withStorage(storage, 1)
    await load(1)
    await load(2)
    await settle()
    expect(errors()).toEqual(['storage.release'])
    expect(cacheControl(load).stats().evictions).toBe(0)
    expect(await load(2)).toBe('value 2 #2')
  })

  it('rejects an explicit invalidation with the storage error, and later calls still work', async () => {
    const storage = new RecordingStorage()
    const { load } = withStorage(storage)
    await load(1)
    storage.failRelease = new Error('release failed')
    await expect(invalidate(() => load(1))).rejects.toThrow('release failed')
    storage.failRelease = undefined
    expect(await load(1)).toBe('value 1 #1')
  })
})

describe('faulty update statuses', () => {
  function faulty(overrides: Partial<UpdateStatuses>): UpdateStatuses {
    const locks = new InMemoryLocks()
    return {
      isBeingUpdated: (key) => locks.isBeingUpdated(key),
      markBeingUpdated: (key) => locks.markBeingUpdated(key),
      markUpdated: (key, entry, claim) => locks.markUpdated(key, entry, claim),
      markUpdateAborted: (key, error, claim) => locks.markUpdateAborted(key, error, claim),
      awaitUpdated: (key) => locks.awaitUpdated(key),
      tryMarkBeingUpdated: (key) => locks.tryMarkBeingUpdated(key),
      ...overrides,
    }
  }

  it.each<[string, Partial<UpdateStatuses>]>([
    [
      'claiming throws',
      {
        tryMarkBeingUpdated: () => {
          throw new Error('statuses down')
        },
      },
    ],
    ['claiming rejects', { tryMarkBeingUpdated: () => Promise.reject(new Error('statuses down')) }],
    [
      'ending the update throws',
      {
        markUpdated: () => {
          throw new Error('statuses down')
        },
      },
    ],
    [
      'ending the update rejects',
      { markUpdated: () => Promise.reject(new Error('statuses down')) },
    ],
  ])('computes anyway (fail open) when %s', async (_label, overrides) => {
    let runs = 0
    const load = memoize(async (x: number) => `${x} #${++runs}`, {
      updateStatuses: faulty(overrides),
    })
    const events: CacheEvent[] = []
    cacheControl(load).on((e) => events.push(e))
    expect(await load(1)).toBe('1 #1')
    await flushPromises()
    expect(await load(1)).toBe('1 #1')
    expect(events.filter((e) => e.type === 'error').map((e) => e.source)).toEqual([
      'updateStatuses',
    ])
  })

  it('treats a failing entry builder as a failed refresh, never caching it', async () => {
    const configuration = MutableCacheConfiguration.initializedWith(
      DefaultInMemoryCacheConfiguration({ clock: new FakeClock() }),
    )
    const builder = configuration.entryBuilder()
    let failBuild = true
    configuration.setEntryBuilder({
      build: (key, value, now) => {
        if (failBuild) throw new Error('cannot build')
        return builder.build(key, value, now)
      },
    })
    const load = memoize(async () => 'value', { configuration })
    const error = await load().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CachedMethodFailedError)
    expect((error as Error).message).toBe('Refresh failed to complete')
    failBuild = false
    expect(await load()).toBe('value')
  })

  it('never leaves a waiter hanging when the storage write hangs and then fails', async () => {
    const storage = new RecordingStorage()
    const write = deferred<void>()
    storage.offer = () => write.promise
    const { load } = withStorage(storage)
    const calls = Promise.all([load(1), load(1)])
    await flushPromises()
    write.reject(new Error('write timed out'))
    expect(await calls).toEqual(['value 1 #1', 'value 1 #1'])
  })
})
