// The synchronous hit path keeps work per hit small: it keeps the resolved promise of a value
// with the entry object, remembers the latest receiver of a method for about a millisecond, and
// builds flat key strings. None of that may be visible: stored entries stay plain data, frozen
// entries still work, receivers never share values, and dropped instances are still collected.
import {
  DefaultInMemoryCacheConfiguration,
  MutableCacheConfiguration,
  cacheEntry,
  memoize,
  type CacheEntry,
  type CacheKey,
  type CacheStorage,
} from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import { collectUntil } from './support/gc'

/** An in-process storage that hands entries out as stored, optionally frozen. */
class PlainStorage implements CacheStorage {
  readonly data = new Map<CacheKey, CacheEntry>()
  constructor(private readonly freeze: boolean) {}
  getSync(key: CacheKey): CacheEntry | undefined {
    return this.data.get(key)
  }
  async get(key: CacheKey): Promise<CacheEntry | undefined> {
    return this.data.get(key)
  }
  async offer(key: CacheKey, entry: CacheEntry): Promise<void> {
    this.data.set(key, this.freeze ? Object.freeze({ ...entry }) : entry)
  }
  async release(key: CacheKey): Promise<void> {
    this.data.delete(key)
  }
  async dump(): Promise<void> {
    this.data.clear()
  }
}

function memoizedOn(storage: CacheStorage) {
  const clock = new FakeClock(1_000)
  const configuration = MutableCacheConfiguration.initializedWith(
    DefaultInMemoryCacheConfiguration({ clock }),
  ).setStorage(storage)
  let runs = 0
  const load = memoize(
    async (id: number) => {
      runs++
      return { id, run: runs }
    },
    { configuration },
  )
  return { load, runs: () => runs, clock }
}

describe('the kept promise of a cached value', () => {
  it('leaves the stored entry plain data after many hits', async () => {
    const storage = new PlainStorage(false)
    const { load } = memoizedOn(storage)
    const first = await load(1)
    for (let i = 0; i < 5; i++) expect(await load(1)).toBe(first)
    const [entry] = [...storage.data.values()]
    expect(Object.keys(entry!).sort()).toEqual(['created', 'expiresAfter', 'updateAfter', 'value'])
    expect(Object.getOwnPropertySymbols(entry!)).toEqual([])
    expect(entry).toStrictEqual(
      cacheEntry(entry!.created, entry!.updateAfter, entry!.expiresAfter, { id: 1, run: 1 }),
    )
    expect(JSON.parse(JSON.stringify(entry))).toEqual({ ...entry })
    expect(structuredClone(entry)).toEqual({ ...entry })
  })

  it('serves frozen entries, which cannot keep it', async () => {
    const storage = new PlainStorage(true)
    const { load, runs } = memoizedOn(storage)
    const first = await load(1)
    for (let i = 0; i < 5; i++) expect(await load(1)).toBe(first)
    expect(runs()).toBe(1)
    expect(Object.isFrozen([...storage.data.values()][0])).toBe(true)
  })

  it('follows a replaced entry: a refreshed value is served, never the kept old one', async () => {
    const storage = new PlainStorage(false)
    const { load, clock } = memoizedOn(storage)
    expect(await load(1)).toEqual({ id: 1, run: 1 })
    expect(await load(1)).toEqual({ id: 1, run: 1 })
    const [key] = [...storage.data.keys()]
    const old = storage.data.get(key!)!
    storage.data.set(key!, cacheEntry(old.created, old.updateAfter, old.expiresAfter, 'replaced'))
    expect(await load(1)).toBe('replaced')
    clock.advance(old.expiresAfter - clock.now())
    expect(await load(1)).toEqual({ id: 1, run: 2 })
    expect(await load(1)).toEqual({ id: 1, run: 2 })
  })
})

describe('the remembered receiver', () => {
  class Counter {
    runs = 0
    constructor(readonly name: string) {}
    @memoize()
    async get(n: number): Promise<string> {
      this.runs++
      return `${this.name}:${n}`
    }
  }

  it('never hands one instance the values of another, however calls alternate', async () => {
    const instances = [new Counter('a'), new Counter('b'), new Counter('c')]
    for (let round = 0; round < 3; round++)
      for (const instance of instances)
        for (const n of [1, 2]) expect(await instance.get(n)).toBe(`${instance.name}:${n}`)
    for (const instance of instances) expect(instance.runs).toBe(2)
  })

  it('lets the latest receiver be collected once it is dropped', async () => {
    const finalized: string[] = []
    const registry = new FinalizationRegistry((name: string) => finalized.push(name))
    await (async () => {
      const instance = new Counter('dropped')
      registry.register(instance, instance.name)
      expect(await instance.get(1)).toBe('dropped:1')
      expect(await instance.get(1)).toBe('dropped:1')
    })()
    // The receiver is held for about a millisecond, then released by an unref'd timer.
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(await collectUntil(() => finalized.includes('dropped'))).toBe(true)
  })
})
