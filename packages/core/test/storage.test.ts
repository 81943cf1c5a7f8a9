// py-memoize tests/unit/test_storage.py and the CacheStorage contract suite, on the default
// storage.
import { LocalInMemoryCacheStorage, cacheEntry } from '@memokit/core'
import { describeCacheStorageContract } from '@memokit/core/testing'

describe('LocalInMemoryCacheStorage (py-memoize test_storage)', () => {
  const entry = cacheEntry(1, 2, 3, 'value')

  it('returns the offered entry', async () => {
    const storage = new LocalInMemoryCacheStorage()
    await storage.offer('key', entry)
    expect(await storage.get('key')).toBe(entry)
  })

  it('returns undefined for a key never offered', async () => {
    const storage = LocalInMemoryCacheStorage()
    expect(await storage.get('key')).toBeUndefined()
  })

  it('returns undefined for a released key', async () => {
    const storage = new LocalInMemoryCacheStorage()
    await storage.offer('key', entry)
    await storage.release('key')
    expect(await storage.get('key')).toBeUndefined()
    expect(storage.size).toBe(0)
  })

  it('answers synchronously through getSync, as get does', async () => {
    const storage = new LocalInMemoryCacheStorage()
    await storage.offer('key', entry)
    expect(storage.getSync('key')).toBe(entry)
    expect(storage.getSync('other')).toBeUndefined()
    storage.clear()
    expect(await storage.get('key')).toBeUndefined()
  })
})

describeCacheStorageContract('LocalInMemoryCacheStorage', {
  create: () => new LocalInMemoryCacheStorage(),
  preservesIdentity: true,
})
