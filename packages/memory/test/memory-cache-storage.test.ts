import { MemoizeError, cacheEntry, type CacheEntry, type CacheStorage } from '@memokit/core'
import { FakeClock, describeCacheStorageContract } from '@memokit/core/testing'
import { DataTooLargeError, FaasCacheMap, MemoryCacheStorage, SIZE_MODEL } from '@memokit/memory'
import { recorder } from './support/maps'

describeCacheStorageContract('MemoryCacheStorage', {
  create: () => new MemoryCacheStorage({ maxSizeBytes: '16M', maxItems: 1000 }),
  destroy: (storage) => (storage as MemoryCacheStorage).close(),
  preservesIdentity: true,
})

describeCacheStorageContract('MemoryCacheStorage on a fake clock with no limits', {
  create: () => new MemoryCacheStorage({ clock: new FakeClock(), maxSizeBytes: null }),
  preservesIdentity: true,
})

const MINUTE = 60_000

function setup(options: ConstructorParameters<typeof MemoryCacheStorage>[0] = {}) {
  const clock = new FakeClock()
  const storage = new MemoryCacheStorage({ clock, purgeInterval: false, ...options })
  const entry = <T>(value: T, expireAfter = 10 * MINUTE, updateAfter = MINUTE): CacheEntry<T> =>
    cacheEntry(clock.now(), clock.now() + updateAfter, clock.now() + expireAfter, value)
  return { clock, storage, entry }
}

describe('MemoryCacheStorage', () => {
  it('implements CacheStorage, including the synchronous getSync the engine uses for hits', async () => {
    const { storage, entry } = setup()
    const typed: CacheStorage = storage
    const offered = entry('v')
    await typed.offer('k', offered)
    expect(typed.getSync?.('k')).toBe(offered)
    expect(await typed.get('k')).toBe(offered)
  })

  it('keeps stale entries (past updateAfter) and drops them at expiresAfter', async () => {
    const { clock, storage, entry } = setup()
    await storage.offer('k', entry('v', 1000, 100))
    clock.advance(500)
    expect(storage.getSync('k')?.value).toBe('v')
    clock.advance(499)
    expect(storage.getSync('k')?.value).toBe('v')
    clock.advance(1)
    expect(storage.getSync('k')).toBeUndefined()
    expect(await storage.get('k')).toBeUndefined()
    expect(storage.size).toBe(0)
  })

  it('drops expired entries in the background, at its purge interval', async () => {
    const { calls, onDelete } = recorder<string, CacheEntry>()
    const clock = new FakeClock()
    const storage = new MemoryCacheStorage({ clock, purgeInterval: 1000, onDelete })
    await storage.offer('k', cacheEntry(clock.now(), clock.now(), clock.now() + 1500, 'v'))
    clock.advance(2000)
    expect(calls.map(([key, , reason]) => `${key}:${reason}`)).toEqual(['k:expire'])
    expect(clock.pendingTimers).toBe(0)
  })

  it('caps how long an entry stays in memory with defaultTtl', async () => {
    const { clock, storage, entry } = setup({ defaultTtl: 1000 })
    await storage.offer('long', entry('v', 10 * MINUTE))
    await storage.offer('short', entry('v', 500))
    clock.advance(500)
    expect(storage.getSync('short')).toBeUndefined()
    expect(storage.getSync('long')).toBeDefined()
    clock.advance(500)
    expect(storage.getSync('long')).toBeUndefined()
  })

  it('evicts the least recently used entries to stay within its byte budget; a hit counts as a use', async () => {
    const { storage, entry } = setup({ maxSizeBytes: '8K' })
    for (const key of ['a', 'b', 'c']) await storage.offer(key, entry(key.repeat(2000)))
    storage.getSync('a')
    await storage.offer('d', entry('d'.repeat(2000)))
    expect([...storage.keys()]).toEqual(['c', 'a', 'd'])
    expect(storage.byteSize).toBeLessThanOrEqual(8 * 1024)
    expect(storage.maxSizeBytes).toBe(8 * 1024)
  })

  it('purges expired entries before evicting live ones', async () => {
    const { calls, onDelete } = recorder<string, CacheEntry>()
    const { clock, storage, entry } = setup({ maxItems: 2, onDelete })
    await storage.offer('live-old', entry('a', 10 * MINUTE))
    await storage.offer('short', entry('b', 100))
    clock.advance(100)
    await storage.offer('new', entry('c'))
    expect([...storage.keys()]).toEqual(['live-old', 'new'])
    expect(calls.map(([key, , reason]) => `${key}:${reason}`)).toEqual(['short:expire'])
  })

  it('rejects an entry larger than the whole budget with DataTooLargeError, evicting nothing', async () => {
    const { storage, entry } = setup({ maxSizeBytes: '4K' })
    await storage.offer('keep', entry('small'))
    const offered = storage.offer('huge', entry('x'.repeat(10_000)))
    await expect(offered).rejects.toBeInstanceOf(DataTooLargeError)
    await expect(offered).rejects.toBeInstanceOf(MemoizeError)
    await expect(offered).rejects.toMatchObject({ code: 'E_DATA_TOO_LARGE', limit: 4096 })
    expect(storage.getSync('keep')?.value).toBe('small')
    expect(storage.getSync('huge')).toBeUndefined()
  })

  it('rejects an entry without a valid expiresAfter', async () => {
    const { storage } = setup()
    const broken = { created: 0, updateAfter: 0, expiresAfter: NaN, value: 1 }
    await expect(storage.offer('k', broken)).rejects.toThrow(/expiresAfter/)
    expect(storage.size).toBe(0)
  })

  it('reports releases to onDelete and treats a missing key as a no-op', async () => {
    const { calls, onDelete } = recorder<string, CacheEntry>()
    const { storage, entry } = setup({ onDelete })
    const offered = entry('v')
    await storage.offer('k', offered)
    await storage.release('k')
    await storage.release('k')
    expect(calls).toEqual([['k', offered, 'delete']])
  })

  it('counts the entry object, its key and value in its size', async () => {
    const { storage, entry } = setup()
    await storage.offer('k', entry('x'.repeat(10_000)))
    expect(storage.byteSize).toBeGreaterThan(10_000)
    expect(storage.byteSize).toBeLessThan(10_600)
  })

  it('changes its limits, re-measures mutated values, clears and closes', async () => {
    const { storage, entry } = setup()
    const list: string[] = []
    for (const key of ['a', 'b', 'c']) await storage.offer(key, entry(key))
    await storage.offer('list', entry(list))
    storage.changeMaxItems(3)
    expect([...storage.keys()]).toEqual(['b', 'c', 'list'])
    const before = storage.byteSize
    list.push('y'.repeat(5000))
    expect(storage.resize('list')).toBeGreaterThan(5000)
    expect(storage.byteSize).toBeGreaterThan(before + 5000)
    expect(storage.resize('missing')).toBeUndefined()
    storage.changeByteSize(storage.byteSize - 1) // the least recently used goes first
    expect([...storage.keys()]).toEqual(['c', 'list'])
    storage.changeByteSize(null)
    storage.changeMaxItems(null)
    expect(storage.maxItems).toBeUndefined()
    expect([...storage.entries()].map(([key]) => key)).toEqual(['c', 'list'])
    storage.clear()
    expect(storage.size).toBe(0)
    storage.close()
    await storage.offer('after-close', entry('still works'))
    expect(storage.getSync('after-close')?.value).toBe('still works')
    expect(storage.purgeExpired()).toBe(0)
  })

  it('can be created without new and validates its options', () => {
    expect(MemoryCacheStorage({ maxItems: 3 })).toBeInstanceOf(MemoryCacheStorage)
    expect(() => new MemoryCacheStorage({ maxSizeBytes: '128MB' })).toThrow(/maxSizeBytes/)
    expect(() => new MemoryCacheStorage({ defaultTtl: -1 })).toThrow(/defaultTtl/)
    expect(() => new MemoryCacheStorage(null as never)).toThrow(/options object/)
  })
})

describe('MemoryCacheStorage byte accounting', () => {
  it('counts, per entry, the resolved promise the engine keeps with an entry on its first hit', async () => {
    const { storage, entry } = setup({ maxSizeBytes: '1M' })
    const map = new FaasCacheMap<string, CacheEntry>({ maxSizeBytes: '1M', purgeInterval: false })
    const stored = entry({ id: 1, name: 'one' })
    await storage.offer('k', stored)
    map.set('k', stored)
    expect(storage.byteSize - map.byteSize).toBe(SIZE_MODEL.keptPromise)
    expect(SIZE_MODEL.keptPromise).toBeGreaterThanOrEqual(86) // measured on Node 20
    storage.close()
  })
})
